// Which files one run rewrites: the primary, the module files of the flake's
// configurations (the module walk), and other files of the run that read a
// configuration's `config.formats`.
import type { PassContext } from "../../src/types.js";
import { attrpathKeys, entries, field, isAttrset, unparen } from "../../src/nix/ast.js";
import { generatorsView } from "../../src/nix/generators.js";
import { walkFile, walkModules, type Configuration, type WalkFile } from "../../src/nix/module-walk.js";
import { outputsRoots } from "../../src/nix/refs.js";
import { dirname, joinPath } from "../../src/paths.js";
import { owner, type Migration, type Owner, type Unit } from "./model.js";

/**
 * Can this pass change or report anything in the file? Asked of the text before
 * the tree is read: a repository's `formats.` needles are mostly `pkgs.formats.json`
 * in files that have nothing to do with nixos-generators (nixpkgs: 586 files, one
 * of them 3 MB). A flake (its text says `outputs`) is always read. Any other file
 * must name `nixos-generators` or import one of its modules (`nixosModules`, also
 * through a renamed input), define `formatConfigs`, read `formatAttr`/`fileExtension`,
 * or read `config.formats` under a flake that imports all-formats.
 */
export function mayMigrate(ctx: PassContext): boolean {
  const text = ctx.text;
  if (["outputs", "nixos-generators", "nixosModules", "formatConfigs", "formatAttr", "fileExtension"].some((w) => text.includes(w))) return true;
  return text.includes("formats") && nearestFlakeImportsAllFormats(ctx);
}

/** Does the nearest flake.nix at or above the file import all-formats somewhere? */
export function nearestFlakeImportsAllFormats(ctx: PassContext): boolean {
  for (let dir = dirname(ctx.path), i = 0; i < 32; i++) {
    const text = ctx.project.read(joinPath(dir, "flake.nix"));
    if (text !== undefined) return text.includes("nixosModules.all-formats");
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return false;
}

/** The primary (a flake) as the module walk sees it. */
function flakeFile(primary: Unit): WalkFile {
  return walkFile(primary.path, primary.src, primary.root, outputsRoots(primary.view.flake!.outputs!.fn), true);
}

/** Module files of the flake's configurations become units owned by their configuration (the first that uses one). */
export function addModuleFiles(m: Migration, primary: Unit) {
  const src = primary.src;
  const file = flakeFile(primary);
  const configs: (Configuration & { owner: Owner })[] = [];
  for (const [host, call] of m.hosts) {
    const args = unparen(field(call, "argument") ?? call);
    if (!isAttrset(args)) continue;
    if (!entries(args).some((e) => e.type === "binding" && attrpathKeys(src, field(e, "attrpath"))?.join(".") === "modules")) continue;
    configs.push({ file, args, owner: owner(m, call, `nixosConfigurations.${host}`) });
  }
  // what this pass rewrites names the input, `formats`/`formatConfigs` or `system.build`: other files stay unparsed
  const matters = (text: string) => text.includes(primary.view.name) || text.includes("nixos-generators") || text.includes("format") || text.includes("build");
  const walk = walkModules(configs, { project: m.ctx.project, flake: { file, outputsBody: primary.view.flake!.outputs!.body }, matters });
  for (const unit of walk.units.values()) {
    if (unit.file.isFlake || unit.key !== unit.file.path || !matters(unit.file.src)) continue;
    const view = generatorsView(unit.file.src, unit.file.root, unit.file.path, m.ctx.project);
    const first = unit.configs.values().next().value!.owner;
    if (view) m.units.push({ path: unit.file.path, src: unit.file.src, root: unit.file.root, view, owner: first, edits: [] });
  }
}

/**
 * Other files of this run that read `….nixosConfigurations.<host>.config.formats…` (outputs
 * split into files: `import ./images.nix { inherit self; }`). Their reads are rewritten with the
 * flake's, or keep the all-formats import: removed with reads left elsewhere, the flake would
 * no longer evaluate. Returns the units added.
 */
export function addFormatsReaders(m: Migration): Unit[] {
  const seen = new Set(m.units.map((u) => u.path));
  const added: Unit[] = [];
  for (const path of m.ctx.project.given()) {
    if (seen.has(path) || !path.endsWith(".nix")) continue;
    const text = m.ctx.project.read(path);
    if (!text?.includes("nixosConfigurations") || !text.includes("formats")) continue;
    const parsed = m.ctx.project.parse(path);
    if (!parsed || parsed.error) continue;
    const view = generatorsView(parsed.source, parsed.root, path, m.ctx.project);
    if (!view) continue;
    const unit: Unit = { path, src: parsed.source, root: parsed.root, view, owner: null, edits: [] };
    m.units.push(unit);
    added.push(unit);
  }
  return added;
}

/**
 * No other .nix file in this run: `nixgen-migrate flake.nix` (a file outside the run may read the
 * formats), or a repository run where nothing else passed the prefilter (then nothing reads them).
 */
export function aloneInRun(ctx: PassContext): boolean {
  return !ctx.project.given().some((p) => p !== ctx.path && p.endsWith(".nix"));
}

