// The data the parts of generators-modules share: the configurations (owners
// of nixos-generators module imports), the files being rewritten (units), and
// how a node finds the configuration it belongs to.
import type { TextEdit } from "../../src/edits.js";
import type { FormatInfo } from "../../src/formats.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { PassContext, RawFinding } from "../../src/types.js";
import { attrName, descendants, field, fields, unparen } from "../../src/nix/ast.js";
import type { GeneratorsView } from "../../src/nix/generators.js";
import { resolveName, variableName } from "../../src/nix/scope.js";

/** What a configuration (or a module file) imports from nixos-generators. */
export interface Owner {
  readonly key: SyntaxNode;
  readonly label: string;
  allFormats: { node: SyntaxNode; unit: Unit }[];
  /** Per-format module imports: node and format. */
  formatModules: { node: SyntaxNode; unit: Unit; info: FormatInfo | undefined; name: string }[];
  /** all-formats uses that cannot be migrated: the import must stay. */
  blocked: boolean;
}

/** One file being rewritten: the primary, or a module file of one of its configurations. */
export interface Unit {
  readonly path: string;
  readonly src: string;
  readonly root: SyntaxNode;
  readonly view: GeneratorsView;
  /** The configuration this module file belongs to (module files of a flake's host). */
  readonly owner: Owner | null;
  readonly edits: TextEdit[];
}

/** The state of one run of the pass over a primary file and the files it follows. */
export interface Migration {
  readonly ctx: PassContext;
  readonly findings: RawFinding[];
  readonly owners: Map<SyntaxNode, Owner>;
  /** nixosConfigurations.<host> value (the nixosSystem call) by host name. */
  readonly hosts: Map<string, SyntaxNode>;
  readonly units: Unit[];
  /** Names defined by `formatConfigs.<n>` per unit that are not built-in formats. */
  readonly customNames: Map<Unit, Set<string>>;
}

export function finding(m: Migration, unit: Unit, node: { start: number; end: number }, rule: string, message: string) {
  m.findings.push({ path: unit.path, rule, message, start: node.start, end: node.end });
}

export function owner(m: Migration, key: SyntaxNode, label: string): Owner {
  let o = m.owners.get(key);
  if (!o) m.owners.set(key, (o = { key, label, allFormats: [], formatModules: [], blocked: false }));
  return o;
}

/** The configuration a node belongs to: the unit's, else the nixosSystem call around it, else the file's. */
export function ownerOf(m: Migration, unit: Unit, node: SyntaxNode): Owner {
  if (unit.owner) return unit.owner;
  let key: SyntaxNode = unit.root;
  let label = unit.path;
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    if (n.type !== "apply_expression") continue;
    const fn = unparen(field(n, "function")!);
    const last = fn.type === "select_expression" ? fields(field(fn, "attrpath")!, "attr").pop() : null;
    const isSystem = (last && attrName(unit.src, last) === "nixosSystem") || (fn.type === "variable_expression" && variableName(unit.src, fn) === "nixosSystem");
    if (isSystem) {
      key = n;
      const host = [...m.hosts].find(([, v]) => v === n)?.[0];
      label = host ? `nixosConfigurations.${host}` : "the configuration";
      break;
    }
  }
  return owner(m, key, label);
}

/** The configurations that import all-formats (its removal is decided for them). */
export function allFormatsImporters(m: Migration): Owner[] {
  return [...m.owners.values()].filter((o) => o.allFormats.length);
}

/** A select's attributes and their names (`\0dynamic` for `${…}`). */
export function keysOf(src: string, select: SyntaxNode): { attrs: SyntaxNode[]; keys: string[] } {
  const attrs = fields(field(select, "attrpath")!, "attr");
  return { attrs, keys: attrs.map((a) => attrName(src, a) ?? "\0dynamic") };
}

/** Owner for a select like `self.nixosConfigurations.<h>.config…` (keys after the base). */
export function ownerOfConfigPath(m: Migration, unit: Unit, select: SyntaxNode, keys: string[]): { owner: Owner; configAt: number } | null {
  const src = unit.src;
  const base = unparen(field(select, "expression")!);
  const i = keys.indexOf("nixosConfigurations");
  if (i >= 0 && keys[i + 2] === "config") {
    const host = keys[i + 1]!;
    const call = m.hosts.get(host);
    if (!call) return null;
    return { owner: owner(m, call, `nixosConfigurations.${host}`), configAt: i + 2 };
  }
  // `config.…` where config is a module argument
  if (base.type === "variable_expression" && variableName(src, base) === "config") {
    const d = resolveName(src, base, "config").definition;
    if (d?.kind === "formal") return { owner: ownerOf(m, unit, select), configAt: -1 };
  }
  // `host.config.…` where `host = ….nixosConfigurations.<host>;` (a let or rec binding)
  const alias = base.type === "variable_expression" && keys[0] === "config" ? variableName(src, base) : null;
  if (alias !== null) {
    const d = resolveName(src, base, alias).definition;
    const value = d?.kind === "binding" && d.value ? unparen(d.value) : null;
    if (value?.type === "select_expression") {
      const valueKeys = keysOf(src, value).keys;
      const call = valueKeys.at(-2) === "nixosConfigurations" ? m.hosts.get(valueKeys.at(-1) ?? "") : undefined;
      if (call) return { owner: owner(m, call, `nixosConfigurations.${valueKeys.at(-1)}`), configAt: 0 };
    }
  }
  // `(nixosSystem { … }).config…`
  if (base.type === "apply_expression" && keys[0] === "config") return { owner: ownerOf(m, unit, base), configAt: 0 };
  return null;
}

/** Selects that read a configuration's `config…`, with the index of the first key after `config`. */
export function* configSelects(m: Migration, unit: Unit): Generator<{ node: SyntaxNode; attrs: SyntaxNode[]; keys: string[]; owner: Owner; at: number }> {
  for (const node of descendants(unit.root)) {
    if (node.type !== "select_expression") continue;
    const { attrs, keys } = keysOf(unit.src, node);
    const loc = ownerOfConfigPath(m, unit, node, keys);
    if (loc) yield { node, attrs, keys, owner: loc.owner, at: loc.configAt + 1 };
  }
}
