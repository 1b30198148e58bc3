// Where do new flake outputs go? The attrset the outputs function returns,
// seen through `let … in`, `with`, parentheses and `//` merges, or, for
// flake-parts, the `flake` attribute of the module given to `mkFlake`.
import type { SyntaxNode } from "../parse.js";
import { attrName, calleeName, entries, field, fields, isAttrset, moduleParts, unparen } from "./ast.js";

/** An attrset whose entries at `prefix` are flake outputs (`prefix` is ["flake"] for a flake-parts module). */
export interface OutputSet {
  readonly set: SyntaxNode;
  readonly prefix: readonly string[];
}

/** Attrsets whose bindings become top-level outputs, rightmost `//` operand first. */
export function outputSets(source: string, body: SyntaxNode): OutputSet[] {
  const out: OutputSet[] = [];
  const stack: SyntaxNode[] = [body];
  while (stack.length) {
    const n = unparen(stack.pop()!);
    if (n.type === "let_expression" || n.type === "with_expression") {
      const b = field(n, "body");
      if (b) stack.push(b);
    } else if (n.type === "binary_expression") {
      const op = n.children.find((c) => c.field === "operator");
      if (op && op.type === "//") {
        // right operand wins in `//`: visit it first
        const l = field(n, "left");
        const r = field(n, "right");
        if (l) stack.push(l);
        if (r) stack.push(r);
      }
    } else if (isAttrset(n)) {
      out.push({ set: n, prefix: [] });
    } else if (n.type === "apply_expression") {
      // flake-parts: mkFlake { inherit inputs; } MODULE
      const fn = unparen(field(n, "function")!);
      if (fn.type === "apply_expression" && calleeName(source, field(fn, "function")!) === "mkFlake") {
        const module = moduleParts(field(n, "argument")!).body;
        if (!module) continue;
        const flakeEntry = entriesStartingWith(source, { set: module, prefix: [] }, ["flake"]).find((e) => fields(field(e, "attrpath")!, "attr").length === 1);
        const flakeSet = flakeEntry ? unparen(field(flakeEntry, "expression")!) : null;
        if (flakeSet && isAttrset(flakeSet)) out.push({ set: flakeSet, prefix: [] });
        else if (!flakeEntry) out.push({ set: module, prefix: ["flake"] });
      }
    }
  }
  return out;
}

/** Entries of the set whose attrpath starts with `prefix + keys`. */
export function entriesStartingWith(source: string, os: OutputSet, keys: readonly string[]): SyntaxNode[] {
  const want = [...os.prefix, ...keys];
  return entries(os.set).filter((e) => {
    if (e.type !== "binding") return false;
    const attrs = fields(field(e, "attrpath")!, "attr");
    return want.every((k, i) => attrs[i] && attrName(source, attrs[i]!) === k);
  });
}

/**
 * The set that should receive `nixosConfigurations`: the one that already has
 * it, else the rightmost attrset of the outputs (it wins under `//`).
 */
export function configurationTarget(source: string, body: SyntaxNode): OutputSet | null {
  const sets = outputSets(source, body);
  for (const s of sets) if (entriesStartingWith(source, s, ["nixosConfigurations"]).length) return s;
  return sets[0] ?? null;
}

/** `nixosConfigurations.<name>` defined in a set (dotted or nested), with their entries. */
export function existingConfigurations(source: string, os: OutputSet): Map<string, { entry: SyntaxNode; value: SyntaxNode }> {
  const out = new Map<string, { entry: SyntaxNode; value: SyntaxNode }>();
  const depth = os.prefix.length + 1;
  for (const e of entriesStartingWith(source, os, ["nixosConfigurations"])) {
    const attrs = fields(field(e, "attrpath")!, "attr");
    const value = field(e, "expression");
    if (!value) continue;
    if (attrs.length === depth + 1) {
      const k = attrName(source, attrs[depth]!);
      if (k !== null) out.set(k, { entry: e, value });
    } else if (attrs.length === depth) {
      const v = unparen(value);
      if (isAttrset(v)) {
        for (const inner of entries(v)) {
          if (inner.type !== "binding") continue;
          const ia = fields(field(inner, "attrpath")!, "attr");
          const k = ia.length === 1 ? attrName(source, ia[0]!) : null;
          const iv = field(inner, "expression");
          if (k !== null && iv) out.set(k, { entry: inner, value: iv });
        }
      }
    }
  }
  return out;
}
