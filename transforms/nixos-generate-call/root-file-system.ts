// Phase 4 (hoisted calls), a finding: a configuration the migration creates only for its
// images. nixosGenerate's formats gave every image a root file system and a
// boot loader; upstream's image variants do too, but only inside
// `images.<variant>`. The new `nixosConfigurations.<host>` itself has none
// when the user's modules set none, and `nix flake check` evaluates every
// configuration's toplevel, so it fails there although every image builds.
import type { Rule } from "../nixos-generate-call.meta.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import { attrKey, descendants, textOf } from "../../src/nix/ast.js";
import { walkFile, walkModules, type Configuration } from "../../src/nix/module-walk.js";
import { outputsRoots } from "../../src/nix/refs.js";
import { STANDALONE_MODULES, standaloneModule } from "../../src/formats.js";
import type { Group } from "./group.js";
import { arg, finding, type CallFile } from "./model.js";

/** Names whose definition gives a configuration its root (or makes it a container, which needs none). */
const ROOT_NAMES = new Set(["fileSystems", "isContainer", "disko"]);
const MENTIONS_ROOT = /\b(fileSystems|isContainer|disko)\b/;

interface Created extends Configuration {
  readonly group: Group;
}

/** A warning on the first call of each new configuration whose modules, as far as they can all be read, set no root file system. */
export function withoutRootWarnings(file: CallFile, fresh: readonly Group[]): RawFinding<Rule>[] {
  const outputs = file.outputs;
  if (!outputs || fresh.length === 0) return [];
  const flakeFile = walkFile(file.ctx.path, file.src, file.root, outputsRoots(outputs.fn), true);
  // a nixosSystem of the user's own may add modules this walk does not see
  const configs: Created[] = fresh.filter((g) => !arg(g.calls[0]!, "nixosSystem")).map((group) => ({ file: flakeFile, args: group.calls[0]!.args, group }));
  if (configs.length === 0) return [];
  const walk = walkModules(configs, { project: file.ctx.project, flake: { file: flakeFile, outputsBody: outputs.body }, matters: (t) => MENTIONS_ROOT.test(t) });
  // configurations that set a root file system, or may: their modules name one, or some cannot be read
  const mayHaveRoot = new Set<Created>();
  for (const site of walk.unfollowed.values()) for (const c of site.configs) mayHaveRoot.add(c);
  // an input's module (disko, a hardware module …) may set the root file system
  for (const site of walk.inputModules.values()) for (const c of site.configs) mayHaveRoot.add(c);
  for (const site of walk.nixpkgsModules.values()) {
    if (site.path.startsWith("modules/profiles/")) continue;
    for (const c of site.configs) mayHaveRoot.add(c);
  }
  for (const unit of walk.units.values()) {
    if (!mentionsRoot(unit.file.src, unit.expr)) continue;
    for (const c of unit.configs) mayHaveRoot.add(c);
  }
  const findings: RawFinding<Rule>[] = [];
  for (const c of configs) {
    if (mayHaveRoot.has(c)) continue;
    const host = attrKey(c.group.host);
    const variants = [...new Set(c.group.calls.flatMap((call) => call.infos.map((i) => i.variant!)))];
    const fallback = standaloneModule(variants);
    const images = `${variants.join(", ")} image${variants.length === 1 ? "" : "s"}`;
    const advice = fallback
      ? `If \`nix flake check\` must pass, add this module to its modules (checked to leave the ${images} identical): \`${fallback.module}\``
      : `If \`nix flake check\` must pass, give it a root file system of its own (its hardware-configuration.nix) and build the images again` +
        (variants.every(isCheckedVariant)
          ? `: no one module leaves the ${images} identical (a container and a disk image want different roots), so a configuration per kind is simpler`
          : "");
    findings.push(finding(c.group.calls[0]!.node, "configuration-without-root",
      `nixosConfigurations.${host} is new and none of its modules sets a root file system or \`boot.isContainer\` (its image variants do), so ` +
      `\`nix flake check\` and \`nixos-rebuild switch --flake .#${host}\` fail on it ("The ‘fileSystems’ option does not specify your root file system"); ` +
      `the images build as before. ${advice}`));
  }
  return findings;
}

/** Is the variant one whose image some module of STANDALONE_MODULES was checked against (not a custom variant)? */
function isCheckedVariant(variant: string): boolean {
  return STANDALONE_MODULES.some((m) => m.keeps.has(variant));
}

/** Does the module expression name the root file system (or a container) anywhere in its code? */
function mentionsRoot(src: string, expr: SyntaxNode): boolean {
  if (!MENTIONS_ROOT.test(src.slice(expr.start, expr.end))) return false;
  for (const n of descendants(expr)) if (n.type === "identifier" && ROOT_NAMES.has(textOf(src, n))) return true;
  return false;
}
