// The data the parts of generators-modules share: the configurations (owners
// of nixos-generators module imports), the files being rewritten (units), and
// how a node finds the configuration it belongs to.
import type { Rule } from "../generators-modules.meta.js";
import type { TextEdit } from "../../src/edits.js";
import type { FormatInfo } from "../../src/formats.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { PassContext, RawFinding } from "../../src/types.js";
import { attrName, attrsOf, descendants, field, unparen } from "../../src/nix/ast.js";
import type { GeneratorsView } from "../../src/nix/generators.js";
import type { FormatConfigsPlan } from "./format-configs.js";
import { resolveName, variableName } from "../../src/nix/scope.js";

/** A configuration (or a file whose configuration is not known): what may be removed from it. */
export interface Owner {
  readonly key: SyntaxNode;
  readonly label: string;
  /** all-formats uses that cannot be migrated: the import must stay. */
  blocked: boolean;
  /** Reads of what a per-format module defines that cannot be migrated: the module must stay. */
  keepFormatModules: boolean;
}

/** An import of one of nixos-generators' modules, and the configurations it is part of. */
export interface ImportSite {
  readonly node: SyntaxNode;
  readonly unit: Unit;
  readonly owners: readonly Owner[];
  /** `all-formats`, or a format's name. */
  readonly name: string;
  readonly info: FormatInfo | undefined;
  /** An element of a `modules`/`imports` list: what the pass can remove. */
  readonly inList: boolean;
}

/** One file being rewritten: the primary, or a module file of one of its configurations. */
export interface Unit {
  /** flake: the primary flake; module: a module file; reader: another file of the run that reads `config.formats`. */
  readonly kind: "flake" | "module" | "reader";
  readonly path: string;
  readonly src: string;
  readonly root: SyntaxNode;
  readonly view: GeneratorsView;
  /** The configurations using this module file (module files of a flake's hosts); null: found per node. */
  readonly owners: readonly Owner[] | null;
  readonly edits: TextEdit[];
}

/** The state of one run of the pass over a primary file and the files it follows. */
export interface Migration {
  readonly ctx: PassContext;
  readonly findings: RawFinding<Rule>[];
  readonly owners: Map<SyntaxNode, Owner>;
  /** nixosConfigurations.<host> value (the nixosSystem call) by host name. */
  readonly hosts: Map<string, SyntaxNode>;
  readonly units: Unit[];
  /** Names defined by `formatConfigs.<n>` per unit that are not built-in formats. */
  readonly customNames: Map<Unit, Set<string>>;
  readonly imports: ImportSite[];
  /** What becomes of the `formatConfigs` definitions (decided before the reads of the formats). */
  formatConfigs: FormatConfigsPlan | null;
  /** Inline modules of the primary the module walk reached (`nixosModules.x = { … };`), with their configurations. */
  readonly inlineModules: { readonly node: SyntaxNode; readonly owners: readonly Owner[] }[];
  /** Modules of inputs the walk met in the primary (`path@offset` of the reference), with their configurations. */
  readonly inputModules: Map<string, readonly Owner[]>;
}

export function finding(m: Migration, unit: Unit, node: { start: number; end: number }, rule: Rule, message: string) {
  m.findings.push({ path: unit.path, rule, message, start: node.start, end: node.end });
}

export function owner(m: Migration, key: SyntaxNode, label: string): Owner {
  let o = m.owners.get(key);
  if (!o) m.owners.set(key, (o = { key, label, blocked: false, keepFormatModules: false }));
  return o;
}

/**
 * The configurations a node belongs to: the unit's, else the nixosSystem call around it, else those
 * the module walk found it in (a module of an input met through a let-bound list, an inline module
 * around it), else the file's.
 */
export function ownersOf(m: Migration, unit: Unit, node: SyntaxNode): readonly Owner[] {
  if (unit.owners) return unit.owners;
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    const call = systemCallOwner(m, unit, n);
    if (call) return [call];
  }
  const met = m.inputModules.get(`${unit.path}@${node.start}`);
  if (met) return met;
  if (unit === m.units[0]) {
    const around = m.inlineModules.filter((i) => i.node.start <= node.start && node.end <= i.node.end);
    // the innermost one
    const inner = around.sort((a, b) => (b.node.start - a.node.start) || (a.node.end - b.node.end))[0];
    if (inner) return inner.owners;
  }
  return [owner(m, unit.root, unit.path)];
}

export function labels(owners: readonly Owner[]): string {
  return owners.map((o) => o.label).join(", ");
}

/** The configurations that import all-formats (its removal is decided for them). */
export function allFormatsImporters(m: Migration): Owner[] {
  const out = new Set<Owner>();
  for (const i of m.imports) if (i.name === "all-formats") for (const o of i.owners) out.add(o);
  return [...out];
}

/** A select's attributes and their names (`\0dynamic` for `${…}`). */
export function keysOf(src: string, select: SyntaxNode): { attrs: SyntaxNode[]; keys: string[] } {
  const attrs = attrsOf(select);
  return { attrs, keys: attrs.map((a) => attrName(src, a) ?? "\0dynamic") };
}

/** The configuration a `nixosSystem { … }` call builds; null for any other node. */
function systemCallOwner(m: Migration, unit: Unit, n: SyntaxNode): Owner | null {
  if (n.type !== "apply_expression") return null;
  const fn = unparen(field(n, "function")!);
  const last = fn.type === "select_expression" ? attrsOf(fn).pop() : null;
  const isSystem = (last && attrName(unit.src, last) === "nixosSystem") || (fn.type === "variable_expression" && variableName(unit.src, fn) === "nixosSystem");
  if (!isSystem) return null;
  const host = [...m.hosts].find(([, v]) => v === n)?.[0];
  return owner(m, n, host ? `nixosConfigurations.${host}` : "the configuration");
}

/** Owner for a select like `self.nixosConfigurations.<h>.config…` (keys after the base). */
export function ownersOfConfigPath(m: Migration, unit: Unit, select: SyntaxNode, keys: string[]): { owners: readonly Owner[]; configAt: number } | null {
  const src = unit.src;
  const base = unparen(field(select, "expression")!);
  const i = keys.indexOf("nixosConfigurations");
  if (i >= 0 && keys[i + 2] === "config") {
    const host = keys[i + 1]!;
    const call = m.hosts.get(host);
    if (!call) return null;
    return { owners: [owner(m, call, `nixosConfigurations.${host}`)], configAt: i + 2 };
  }
  // `config.…` where config is a module argument
  if (base.type === "variable_expression" && variableName(src, base) === "config") {
    const d = resolveName(src, base, "config").definition;
    if (d?.kind === "formal") return { owners: ownersOf(m, unit, select), configAt: -1 };
  }
  // `host.config.…` where `host = ….nixosConfigurations.<host>;` or a nixosSystem call (a let or rec binding)
  const alias = base.type === "variable_expression" && keys[0] === "config" ? variableName(src, base) : null;
  if (alias !== null) {
    const d = resolveName(src, base, alias).definition;
    const value = d?.kind === "binding" && d.value ? unparen(d.value) : null;
    if (value?.type === "select_expression") {
      const valueKeys = keysOf(src, value).keys;
      const call = valueKeys.at(-2) === "nixosConfigurations" ? m.hosts.get(valueKeys.at(-1) ?? "") : undefined;
      if (call) return { owners: [owner(m, call, `nixosConfigurations.${valueKeys.at(-1)}`)], configAt: 0 };
    }
    // `host = nixpkgs.lib.nixosSystem { … };` (a configuration built outside flake.nix's outputs, or before them)
    const call = value ? systemCallOwner(m, unit, value) : null;
    if (call) return { owners: [call], configAt: 0 };
  }
  // `(nixosSystem { … }).config…`
  if (base.type === "apply_expression" && keys[0] === "config") return { owners: ownersOf(m, unit, base), configAt: 0 };
  return null;
}

/** Selects that read a configuration's `config…`, with the index of the first key after `config`. */
export function* configSelects(m: Migration, unit: Unit): Generator<{ node: SyntaxNode; attrs: SyntaxNode[]; keys: string[]; owners: readonly Owner[]; at: number }> {
  for (const node of descendants(unit.root)) {
    if (node.type !== "select_expression") continue;
    const { attrs, keys } = keysOf(unit.src, node);
    const loc = ownersOfConfigPath(m, unit, node, keys);
    if (loc) yield { node, attrs, keys, owners: loc.owners, at: loc.configAt + 1 };
  }
}
