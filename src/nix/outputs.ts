// Where do new flake outputs go? The attrset the outputs function returns,
// seen through `let … in`, parentheses and `//` merges.
import type { SyntaxNode } from "../parse.js";
import { attrName, entries, field, fields, isAttrset, unparen } from "./ast.js";

/** Attrsets whose bindings become top-level outputs, rightmost `//` operand first. */
export function outputAttrsets(body: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
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
      out.push(n);
    }
  }
  return out;
}

/** Entries of `set` whose attrpath starts with `key`. */
export function entriesStartingWith(source: string, set: SyntaxNode, key: string): SyntaxNode[] {
  return entries(set).filter((e) => {
    if (e.type !== "binding") return false;
    const first = fields(field(e, "attrpath")!, "attr")[0];
    return !!first && attrName(source, first) === key;
  });
}

/**
 * The attrset that should receive `nixosConfigurations`: the one that already
 * has it, else the rightmost attrset literal of the outputs (it wins under `//`).
 */
export function configurationTarget(source: string, body: SyntaxNode): SyntaxNode | null {
  const sets = outputAttrsets(body);
  for (const s of sets) if (entriesStartingWith(source, s, "nixosConfigurations").length) return s;
  return sets[0] ?? null;
}

/** Names of `nixosConfigurations.<name>` defined in a set (dotted or nested), with their entries. */
export function existingConfigurations(source: string, set: SyntaxNode): Map<string, { entry: SyntaxNode; value: SyntaxNode }> {
  const out = new Map<string, { entry: SyntaxNode; value: SyntaxNode }>();
  for (const e of entriesStartingWith(source, set, "nixosConfigurations")) {
    const attrs = fields(field(e, "attrpath")!, "attr");
    const value = field(e, "expression");
    if (!value) continue;
    if (attrs.length === 2) {
      const k = attrName(source, attrs[1]!);
      if (k !== null) out.set(k, { entry: e, value });
    } else if (attrs.length === 1) {
      const v = unparen(value);
      if (v.type === "attrset_expression" || v.type === "rec_attrset_expression") {
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
