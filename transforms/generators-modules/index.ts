/**
 * generators-modules: nixos-generators' NixOS modules imported into a configuration.
 *
 *  - `nixosModules.all-formats`: the import goes; `….config.formats.<f>` becomes
 *    `….config.system.build.images.<variant>` (formats-reads.ts); `formatConfigs.<f> = M`
 *    becomes `image.modules.<variant> = M` (format-configs.ts).
 *  - `nixosModules.<format>`: the import goes (left in, it defines
 *    `system.build.image` and switches `system.build.images` off);
 *    `….config.system.build.<formatAttr>` becomes `….config.system.build.images.<variant>`
 *    (format-modules.ts).
 *  - reads of `formatAttr` / `fileExtension` are reported with their replacement.
 *
 * Formats without a variant stay, reported, and then so does the import. The
 * files rewritten (units.ts): the primary, the module files of the flake's
 * configurations (the module walk), and other files of the run that read the formats.
 */
import { meta, type Rule } from "../generators-modules.meta.js";
import type { PassOutput, Transform } from "../../src/types.js";
import { generatorsView } from "../../src/nix/generators.js";
import { applyFormatConfigs, dropFormatOptions, keepDefinitionsOfReads, planFormatConfigs } from "./format-configs.js";
import { formatModuleReads, rewriteFormatModuleReads } from "./format-modules.js";
import { reportUnfollowedFormatsReads, rewriteFormatsUses } from "./formats-reads.js";
import { collectImports, removeImports } from "./imports.js";
import { allFormatsImporters, type Migration, type Unit } from "./model.js";
import { addModuleFiles, addOtherFiles, mayMigrate, nearestFlakeImportsAllFormats, reachedFromFlake } from "./units.js";

const NO_OUTPUT: PassOutput<Rule> = { edits: [], findings: [] };

export const generatorsModules: Transform<typeof meta.rules> = {
  id: "generators-modules",
  ...meta,
  appliesTo: (path) => path.endsWith(".nix"),
  // a flake with the input may own module files that import nixos-generators modules
  needles: ["nixos-generators", "nixosModules", "formatConfigs", "formats."],
  input: "nix",
  run(ctx) {
    if (!mayMigrate(ctx)) return NO_OUTPUT;
    const view = generatorsView(ctx.text, ctx.file!.root, ctx.path, ctx.project);
    if (!view) return NO_OUTPUT;
    const m: Migration = { ctx, findings: [], owners: new Map(), hosts: new Map(), units: [], customNames: new Map(), imports: [], inlineModules: [], inputModules: new Map(), formatConfigs: null };
    const primary: Unit = { kind: view.flake ? "flake" : "module", path: ctx.path, src: ctx.text, root: ctx.file!.root, view, owners: null, edits: [] };
    m.units.push(primary);
    if (view.flake?.outputs) {
      addModuleFiles(m, primary);
    }
    for (const u of m.units) collectImports(m, u);
    // the other files of the run that read or define what all-formats declares are decided with its import
    const importers = allFormatsImporters(m);
    if (importers.length) for (const u of addOtherFiles(m, importers)) collectImports(m, u);
    // a module file whose flake imports all-formats elsewhere; one that the flake's run (in this
    // run) reaches was decided there, with the reads of every file: its own run has fewer
    const usesAllFormats = allFormatsImporters(m).length > 0 || (!view.flake && nearestFlakeImportsAllFormats(ctx) && !reachedFromFlake(ctx));
    if (usesAllFormats) {
      m.formatConfigs = planFormatConfigs(m, m.units);
      keepDefinitionsOfReads(m.formatConfigs, m.units.flatMap((u) => reportUnfollowedFormatsReads(m, u)));
      for (const u of m.units) rewriteFormatsUses(m, u);
      applyFormatConfigs(m, m.formatConfigs);
      dropFormatOptions(m, m.formatConfigs);
    }
    rewriteFormatModuleReads(m, m.units.flatMap((u) => formatModuleReads(m, u)));
    // a module file its flake's run reached was decided for there, with the reads it saw
    if (view.flake || !m.imports.length || !reachedFromFlake(ctx)) removeImports(m);
    return {
      edits: m.units.filter((u) => u.edits.length).map((u) => ({ path: u.path, edits: u.edits })),
      findings: m.findings,
    };
  },
};

export default generatorsModules;
