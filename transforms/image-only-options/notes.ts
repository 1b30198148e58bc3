// The notes that say what the pass did and where it stopped: every moved
// definition, and every module the walk could not follow.
import type { Rule } from "../image-only-options.meta.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import { attrName, attrsOf, field, textOf } from "../../src/nix/ast.js";
import type { ModuleWalk, UnfollowedSite, WalkFile } from "../../src/nix/module-walk.js";
import type { UnseenConfiguration } from "./configurations.js";
import { freeVariables, resolveName } from "../../src/nix/scope.js";
import { ALL_VARIANTS, OPTION_ENTRIES } from "../../src/variant-options.js";
import { finding, labels, type Config, type Move } from "./model.js";

/** The modules the walk could not follow; nixos-generators' own modules are the generators-modules pass's (it runs first). */
export function unfollowedSites(walk: ModuleWalk<Config>, generatorsNames: ReadonlySet<string>): UnfollowedSite<Config>[] {
  const out = new Map(walk.unfollowed);
  for (const site of walk.inputModules.values()) {
    if (generatorsNames.has(site.input) && site.path[0] === "nixosModules" && site.path.length === 2) continue;
    const how = site.file.isFlake ? `the flake input \`${site.input}\`` : `the module argument \`${site.input}\``;
    const reason = site.input === "self" && !site.file.isFlake
      ? `it comes from the module argument \`self\`, which the configuration does not visibly pass as the flake's \`self\` (\`specialArgs = { inherit self; };\`)`
      : `it comes from ${how}`;
    const key = `${site.file.path}@${site.node.start}`;
    if (!out.has(key)) out.set(key, { ...site, reason });
  }
  return [...out.values()];
}

export function unfollowedNotes(sites: readonly UnfollowedSite<Config>[]): RawFinding<Rule>[] {
  return sites.map((s) => {
    const text = textOf(s.file.src, s.node);
    const shown = text.length > 60 ? text.slice(0, 57) + "..." : text;
    return finding(s.file, s.node, "module-not-followed",
      `\`${shown.replace(/\s+/g, " ")}\` (a module of ${labels(s.configs)}) was not checked for options that exist only in image variants: ${s.reason}; ` +
      "make sure it sets no option such as `isoImage.*`, `sdImage.*` or `proxmox.*` outside `image.modules.<variant>`");
  });
}

/** Configurations whose images are built here but that this pass cannot see into. */
export function unseenNotes(file: WalkFile, unseen: readonly UnseenConfiguration[]): RawFinding<Rule>[] {
  return unseen.map((u) => finding(file, u.at, "module-not-followed",
    `the modules of \`${u.label}\`, whose image is built here, were not checked for options that exist only in image variants: ${u.reason}; ` +
    "make sure they set no option such as `isoImage.*`, `sdImage.*` or `proxmox.*` outside `image.modules.<variant>`"));
}

/** Configurations built by a function of their modules (`mkHost { modules = …; }`): what it adds itself is not seen. */
export function helperNotes(configs: readonly Config[]): RawFinding<Rule>[] {
  return configs.filter((c) => c.helper).map((c) => finding(c.file, c.args, "module-not-followed",
    `the modules given to \`${c.helper}\` here (${c.label}) were checked for options that exist only in image variants, but not the ones \`${c.helper}\` may add itself; ` +
    "make sure they set no option such as `isoImage.*`, `sdImage.*` or `proxmox.*` outside `image.modules.<variant>`"));
}

export function movesNotes(moves: readonly Move[]): RawFinding<Rule>[] {
  return moves.flatMap(movedNotes);
}

function movedNotes(m: Move): RawFinding<Rule>[] {
  const out: RawFinding<Rule>[] = [];
  const file = m.ctx.unit.file;
  const old = m.path.join(".");
  const where = m.variants.map((v) => `\`image.modules.${v}\``).join(" and ");
  const declaredBy = m.own.variants.length === ALL_VARIANTS.length ? "every image variant (image/file-options.nix)" : `the ${m.own.variants.join(", ")} image variant${m.own.variants.length > 1 ? "s" : ""}`;
  const builds = [...m.ctx.unit.configs].map((c) => `${c.label} builds ${[...c.variants].sort().join(", ") || "unknown variants"}`).join("; ");
  const subject = OPTION_ENTRIES.includes(m.own) ? `\`${old}\` exists` : `everything \`${old} = { … }\` sets exists`;
  let msg = m.renamed && m.own.nowhere
    ? `\`${old}\` is not an option of nixpkgs 25.05 (later releases alias some of these names); it is \`${m.newPath.join(".")}\` of the ${m.own.variants.join(", ")} image variant${m.own.variants.length > 1 ? "s" : ""} now: renamed and moved to ${where} (${builds})`
    : `${subject} only in ${declaredBy}: moved to ${where} (${builds})`;
  if (m.renamed && !m.own.nowhere) {
    msg += `; renamed to \`${m.newPath.join(".")}\``;
    if (m.newPath.join(".") === "image.baseName" && m.variants.some((v) => v === "iso" || v === "iso-installer")) {
      msg += "; iso-image.nix sets image.baseName at normal priority, so a different value needs `lib.mkForce`";
    }
  }
  out.push(finding(file, m.entry, "image-option-moved", msg));
  const value = field(m.entry, "expression");
  if (value && mentionsModuleArg(file.src, value, "config")) {
    const v = m.variants[0]!;
    out.push(finding(file, value, "moved-value-uses-config",
      `the value of \`${old}\` reads \`config\`: in \`image.modules.${v}\` that is the base configuration of ${labels(m.ctx.unit.configs)}, ` +
      `while nixos-generators evaluated it in the image (where the image module may change it, e.g. proxmox-image.nix forces networking.hostName = "" with cloud-init); ` +
      `to read the image's values, write it as \`image.modules.${v} = { config, ... }: { ${m.newPath.join(".")} = …; };\``));
  }
  return out;
}

/** Does `value` use the module argument `name` (a formal of an enclosing function, or `args.name`)? */
function mentionsModuleArg(src: string, value: SyntaxNode, name: string): boolean {
  for (const [v, refs] of freeVariables(src, value)) {
    for (const ref of refs) {
      const d = resolveName(src, ref, v).definition;
      if (!d) continue;
      if (v === name && d.kind === "formal") return true;
      if (d.kind === "param" && ref.parent?.type === "select_expression" && ref.field === "expression") {
        const first = attrsOf(ref.parent)[0];
        if (first && attrName(src, first) === name) return true;
      }
    }
  }
  return false;
}
