// Which files one run rewrites: the primary, the module files of the flake's
// configurations (the module walk), and other files of the run that read a
// configuration's `config.formats`.
import type { PassContext, ProjectView } from "../../src/types.js";
import type { SyntaxNode } from "../../src/parse.js";
import { descendants, unparen } from "../../src/nix/ast.js";
import { generatorsView } from "../../src/nix/generators.js";
import { flakeConfigurations, nearestFlake, type FoundConfiguration } from "../../src/nix/configurations.js";
import { nixosSystemArgs, walkFile, walkModules, type WalkFile } from "../../src/nix/module-walk.js";
import { existingConfigurations, outputSets } from "../../src/nix/outputs.js";
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

/** A configuration of the flake, found: its call (the key of its Owner), and where it is. */
interface Host {
  readonly name: string | null;
  readonly found: FoundConfiguration;
}

/**
 * The flake's configurations: `nixosConfigurations.<h>` (in flake.nix or in a file it imports; the
 * definition in the rightmost `//` operand wins, as in Nix), then configurations built in place.
 * `hosts` gets every name, with the call, or the value when it is not a configuration this tool reads.
 */
function flakeConfigurationsOf(project: ProjectView, file: WalkFile, outputsBody: SyntaxNode, hosts: Map<string, SyntaxNode>): Host[] {
  const out: Host[] = [];
  const calls = new Set<SyntaxNode>();
  for (const set of outputSets(file.src, outputsBody)) {
    for (const [name, { value }] of existingConfigurations(file.src, set)) if (!hosts.has(name)) hosts.set(name, unparen(value));
  }
  for (const [name, found] of flakeConfigurations(project, file, outputsBody)) {
    if ("reason" in found) continue;
    hosts.set(name, found.call);
    calls.add(found.call);
    out.push({ name, found });
  }
  for (const n of descendants(file.root)) {
    const args = n.type === "apply_expression" && !calls.has(n) ? nixosSystemArgs(file.src, n) : null;
    if (args) out.push({ name: null, found: { file, call: n, args, helper: null } });
  }
  return out;
}

/**
 * The flake's configurations walked: their module files become units with the configurations
 * using each; the inline modules the walk reached (`nixosModules.x = { … };` used as
 * `self.nixosModules.x`) and the modules of inputs it met tell nodes of the flake whose they are.
 */
export function addModuleFiles(m: Migration, primary: Unit) {
  const file = walkFile(primary.path, primary.src, primary.root, outputsRoots(primary.view.flake!.outputs!.fn), true);
  const hosts = flakeConfigurationsOf(m.ctx.project, file, primary.view.flake!.outputs!.body, m.hosts);
  const configs = hosts.map(({ name, found }) => ({ file: found.file, args: found.args, owner: owner(m, found.call, name === null ? "the configuration" : `nixosConfigurations.${name}`) }));
  // files that hold configurations (`nixosConfigurations.h = import ./hosts/h.nix { … };`): their modules lists are read there
  for (const { found } of hosts) {
    if (found.file.isFlake || m.units.some((u) => u.path === found.file.path)) continue;
    const view = generatorsView(found.file.src, found.file.root, found.file.path, m.ctx.project);
    if (view) m.units.push({ kind: "module", path: found.file.path, src: found.file.src, root: found.file.root, view, owners: null, edits: [] });
  }
  // what this pass rewrites names the input, `formats`/`formatConfigs` or `system.build`: other files stay unparsed
  const matters = (text: string) => text.includes(primary.view.name) || text.includes("nixos-generators") || text.includes("format") || text.includes("build");
  const walk = walkModules(configs, { project: m.ctx.project, flake: { file, outputsBody: primary.view.flake!.outputs!.body }, matters });
  for (const site of walk.inputModules.values()) if (site.file.isFlake) m.inputModules.set(`${site.file.path}@${site.node.start}`, [...site.configs].map((c) => c.owner));
  // a module file (also one whose function's result is the module: `import ./m.nix args`) is one unit
  const files = new Map<string, { file: WalkFile; owners: Set<Owner> }>();
  for (const unit of walk.units.values()) {
    const owners = [...unit.configs].map((c) => c.owner);
    if (unit.file.isFlake) {
      if (unit.key !== unit.file.path) m.inlineModules.push({ node: unit.expr, owners });
      continue;
    }
    const known = files.get(unit.file.path);
    if (known) for (const o of owners) known.owners.add(o);
    else files.set(unit.file.path, { file: unit.file, owners: new Set(owners) });
  }
  for (const { file: f, owners } of files.values()) {
    if (!matters(f.src) || m.units.some((u) => u.path === f.path)) continue;
    const view = generatorsView(f.src, f.root, f.path, m.ctx.project);
    if (view) m.units.push({ kind: "module", path: f.path, src: f.src, root: f.root, view, owners: [...owners], edits: [] });
  }
}

/**
 * Is this module file one that a flake of the same run reaches through its configurations' modules?
 * That flake's run (flakes run first) migrated it and decided for its imports, with the reads of the
 * formats it saw; the file's own run must not decide again without them.
 */
export function reachedFromFlake(ctx: PassContext): boolean {
  const flake = nearestFlake(ctx.project, ctx.path);
  if (!flake || !ctx.project.given().includes(flake.file.path)) return false;
  const hosts = flakeConfigurationsOf(ctx.project, flake.file, flake.outputsBody, new Map());
  if (hosts.some((h) => h.found.file.path === ctx.path)) return true;
  const configs = hosts.map((h) => ({ file: h.found.file, args: h.found.args }));
  const walk = walkModules(configs, { project: ctx.project, flake, matters: (t) => t === ctx.text });
  return walk.units.has(ctx.path);
}

/**
 * Other files of this run that read `….nixosConfigurations.<host>.config.formats…` (outputs split
 * into files: `import ./images.nix { inherit self; }`), or define `formatConfigs` where the module
 * walk did not reach them (modules loaded another way). Their reads and definitions are migrated
 * with the flake's, or keep the all-formats import: removed with reads or definitions left
 * elsewhere, the flake would no longer evaluate. A definition whose configuration is not known
 * counts for every configuration importing all-formats. Returns the units added.
 */
export function addOtherFiles(m: Migration, importers: readonly Owner[]): Unit[] {
  const seen = new Set(m.units.map((u) => u.path));
  const added: Unit[] = [];
  for (const path of m.ctx.project.given()) {
    if (seen.has(path) || !path.endsWith(".nix")) continue;
    const text = m.ctx.project.read(path);
    const defines = !!text?.includes("formatConfigs");
    if (!defines && !(text?.includes("nixosConfigurations") && text.includes("formats"))) continue;
    const parsed = m.ctx.project.parse(path);
    if (!parsed || parsed.error) continue;
    const view = generatorsView(parsed.source, parsed.root, path, m.ctx.project);
    if (!view) continue;
    const unit: Unit = defines
      ? { kind: "module", path, src: parsed.source, root: parsed.root, view, owners: importers, edits: [] }
      : { kind: "reader", path, src: parsed.source, root: parsed.root, view, owners: null, edits: [] };
    m.units.push(unit);
    added.push(unit);
  }
  return added;
}

/** A unit for another file a unit leads to (`formatConfigs = import ./formats.nix;`), owned like it. */
export function unitFor(m: Migration, path: string, owners: readonly Owner[]): Unit | null {
  const known = m.units.find((u) => u.path === path);
  if (known) return known;
  const parsed = m.ctx.project.parse(path);
  if (!parsed || parsed.error) return null;
  const view = generatorsView(parsed.source, parsed.root, path, m.ctx.project);
  if (!view) return null;
  const unit: Unit = { kind: "module", path, src: parsed.source, root: parsed.root, view, owners, edits: [] };
  m.units.push(unit);
  return unit;
}

/**
 * No other .nix file in this run: `nixgen-migrate flake.nix` (a file outside the run may read the
 * formats), or a repository run where nothing else passed the prefilter (then nothing reads them).
 */
export function aloneInRun(ctx: PassContext): boolean {
  return !ctx.project.given().some((p) => p !== ctx.path && p.endsWith(".nix"));
}

