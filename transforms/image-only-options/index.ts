/**
 * image-only-options: after migration, `nixosConfigurations.<h>` is the base
 * configuration and `images.<v>` extends it with `image.modules.<v>`. Options
 * that only an image variant declares (`proxmox.qemuConf.cores`,
 * `isoImage.*`, `sdImage.*` …, see src/variant-options.ts) must therefore be
 * defined inside `image.modules.<v>`, or the configuration fails with
 * "The option `proxmox' does not exist".
 *
 * For every configuration whose images the file builds (the flake's
 * `nixosConfigurations`, wherever they are defined, or a configuration built in
 * place, in flake.nix or in any other file), this pass walks its modules (src/nix/module-walk.ts: inside the repository only, never through
 * inputs, never by evaluating) and:
 *  - moves each variant-only definition into `image.modules.<v>` for every
 *    variant that the configurations using the module build and that declares
 *    the option: in a module file in place, by prefixing its path
 *    (`image.modules.proxmox.proxmox.qemuConf.cores = 4;`, once per variant);
 *    in flake.nix as `image.modules.<v> = { … };` (merged into an existing
 *    `image.modules.<v> = { … }` of the configuration when there is one);
 *    names that no longer exist are renamed on the way;
 *  - removes direct imports of nixpkgs image modules that the variant imports
 *    itself (they switch `system.build.images` off on 25.05), moves the ones
 *    that add more (installer profiles) into `image.modules.<v>.imports`, and
 *    flags the rest;
 *  - reports every module it could not follow.
 *
 * Phases, each handing data to the next: configurations.ts (which
 * configurations, which variants) -> the module walk -> definitions.ts (what
 * moves) -> moves.ts (where it goes, as edits) and imports.ts -> notes.ts.
 */
import type { Rule } from "../image-only-options.meta.js";
import { meta } from "../image-only-options.meta.js";
import type { TextEdit } from "../../src/edits.js";
import type { PassContext, PassOutput, RawFinding, Transform } from "../../src/types.js";
import { analyzeFlake, generatorsInputs, type FlakeInfo } from "../../src/nix/flake.js";
import { nearestFlake } from "../../src/nix/configurations.js";
import { MODULE_ARG_ROOTS, walkFile, walkModules } from "../../src/nix/module-walk.js";
import { outputsRoots } from "../../src/nix/refs.js";
import { mayDefineImageOptions } from "../../src/variant-options.js";
import { findConfigurations } from "./configurations.js";
import { classifyDefinitions } from "./definitions.js";
import { imageImports, rewriteImports } from "./imports.js";
import type { FileEdit } from "./model.js";
import { placeMoves } from "./moves.js";
import { helperNotes, movesNotes, unfollowedNotes, unfollowedSites, unseenNotes } from "./notes.js";

const NO_OUTPUT: PassOutput<Rule> = { edits: [], findings: [] };

export const imageOnlyOptions: Transform<typeof meta.rules> = {
  id: "image-only-options",
  ...meta,
  // flake.nix, and any file that builds a configuration's images itself
  appliesTo: (path) => path.endsWith(".nix"),
  needles: ["system.build.images"],
  input: "nix",
  run(ctx) {
    const flake = analyzeFlake(ctx.text, ctx.file!.root);
    if (flake && !flake.outputs) return NO_OUTPUT;
    return migrate(ctx, flake);
  },
};

export default imageOnlyOptions;

function migrate(ctx: PassContext, flake: FlakeInfo | null): PassOutput<Rule> {
  const file = flake
    ? walkFile(ctx.path, ctx.text, ctx.file!.root, outputsRoots(flake.outputs!.fn), true)
    : walkFile(ctx.path, ctx.text, ctx.file!.root, MODULE_ARG_ROOTS, false);
  const found = findConfigurations(ctx.project, file, flake);
  if (found.configs.length === 0 && found.unseen.length === 0) return NO_OUTPUT;
  // a file that builds configurations itself belongs to the flake above it (for `self.nixosModules.<x>`)
  const own = flake ? { file, outputsBody: flake.outputs!.body } : nearestFlake(ctx.project, ctx.path);
  const walk = walkModules(found.configs, { project: ctx.project, flake: own, matters: mayDefineImageOptions });
  const info = flake ?? (own && "info" in own ? own.info : null);
  const generatorsNames = new Set(["nixos-generators", ...(info ? generatorsInputs(info).map((i) => i.name) : [])]);
  const definitions = classifyDefinitions(walk.units.values());
  const moves = placeMoves(definitions.moves);
  const imports = rewriteImports(imageImports(walk));
  const findings: RawFinding<Rule>[] = [
    ...found.findings,
    ...unseenNotes(file, found.unseen),
    ...helperNotes(found.configs),
    ...definitions.findings,
    ...moves.findings,
    ...movesNotes(moves.placed),
    ...imports.findings,
    ...unfollowedNotes(unfollowedSites(walk, generatorsNames)),
  ];
  return { edits: byFile([...moves.edits, ...imports.edits]), findings };
}

/** Edits grouped by file, in the order the files were first edited. */
function byFile(edits: readonly FileEdit[]): { path: string; edits: TextEdit[] }[] {
  const out = new Map<string, TextEdit[]>();
  for (const { path, ...e } of edits) {
    const list = out.get(path);
    if (list) list.push(e);
    else out.set(path, [e]);
  }
  return [...out].map(([path, list]) => ({ path, edits: list }));
}
