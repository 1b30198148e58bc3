// Lexical scope resolution for Nix variables (let, rec, function formals and
// `args@`), with `with` environments as the fallback, as Nix does it: a
// lexical binding always wins over any `with`, the innermost `with` over outer ones.
import type { SyntaxNode } from "../parse.js";
import { attrName, entries, field, fields, inheritedNames } from "./ast.js";

export type Definition =
  /** `name = value;` (or `name.x = …;`, then `value` is null: a nested set) in a let or rec set. */
  | { kind: "binding"; name: string; scope: SyntaxNode; entry: SyntaxNode; value: SyntaxNode | null }
  /** `inherit name;` in a let or rec set: the same name one scope further out. */
  | { kind: "inherit"; name: string; scope: SyntaxNode; entry: SyntaxNode }
  /** `inherit (from) name;` */
  | { kind: "inherit-from"; name: string; scope: SyntaxNode; entry: SyntaxNode; from: SyntaxNode }
  /** A formal `{ name ? default, … }:` */
  | { kind: "formal"; name: string; scope: SyntaxNode; formal: SyntaxNode }
  /** `name@{ … }:` or `{ … }@name:` or `name:` */
  | { kind: "param"; name: string; scope: SyntaxNode; param: SyntaxNode };

export interface Resolution {
  /** The lexical definition, or null (then the name comes from a `with` or is a builtin). */
  readonly definition: Definition | null;
  /** `with` environments the reference sits under, innermost first. */
  readonly withs: SyntaxNode[];
}

/** Definitions made by one scope node for the child `from` (null when it defines nothing there). */
function lookupIn(source: string, scope: SyntaxNode, from: SyntaxNode, name: string): Definition | null {
  switch (scope.type) {
    case "let_expression":
    case "rec_attrset_expression":
      return lookupEntries(source, scope, name);
    case "function_expression": {
      if (from.field !== "body" && from.type !== "formals") return null;
      const universal = field(scope, "universal");
      if (universal && source.slice(universal.start, universal.end) === name) {
        return { kind: "param", name, scope, param: universal };
      }
      const formals = field(scope, "formals");
      if (formals) {
        for (const f of fields(formals, "formal")) {
          const n = field(f, "name");
          if (n && source.slice(n.start, n.end) === name) return { kind: "formal", name, scope, formal: f };
        }
      }
      return null;
    }
    default:
      return null;
  }
}

/** Looks `name` up among the entries of a let / rec attrset. */
export function lookupEntries(source: string, scope: SyntaxNode, name: string): Definition | null {
  for (const e of entries(scope)) {
    if (e.type === "binding") {
      const path = field(e, "attrpath");
      const first = path ? fields(path, "attr")[0] : undefined;
      if (!first || attrName(source, first) !== name) continue;
      const single = fields(path!, "attr").length === 1;
      return { kind: "binding", name, scope, entry: e, value: single ? field(e, "expression") : null };
    }
    for (const inh of inheritedNames(source, e)) {
      if (inh.name !== name) continue;
      if (e.type === "inherit_from") return { kind: "inherit-from", name, scope, entry: e, from: field(e, "expression")! };
      return { kind: "inherit", name, scope, entry: e };
    }
  }
  return null;
}

/** Resolves `name` as seen from `node`. */
export function resolveName(source: string, node: SyntaxNode, name: string): Resolution {
  const withs: SyntaxNode[] = [];
  let child = node;
  for (let scope = node.parent; scope; child = scope, scope = scope.parent) {
    if (scope.type === "with_expression" && child.field === "body") {
      const env = field(scope, "environment");
      if (env) withs.push(env);
      continue;
    }
    // An `inherit x;` inside a let/rec refers to the scope outside it, so a
    // reference in an inherit entry skips its own scope.
    if (child.type === "binding_set" && insideInheritWithoutFrom(node, child)) continue;
    const def = lookupIn(source, scope, child, name);
    if (def) return { definition: def, withs };
  }
  return { definition: null, withs };
}

function insideInheritWithoutFrom(node: SyntaxNode, set: SyntaxNode): boolean {
  for (let n: SyntaxNode | null = node; n && n !== set; n = n.parent) if (n.type === "inherit") return true;
  return false;
}

/** For `inherit x;` in a let/rec scope: where does `x` come from? */
export function resolveInherited(source: string, def: Extract<Definition, { kind: "inherit" }>): Resolution {
  return resolveName(source, def.scope, def.name);
}

/** Name of a `variable_expression`. */
export function variableName(source: string, node: SyntaxNode): string | null {
  if (node.type !== "variable_expression") return null;
  const n = field(node, "name");
  return n ? source.slice(n.start, n.end) : null;
}

/**
 * Free variables of an expression: names referenced inside it that it does not
 * bind itself, with one reference node each (iterative walk).
 */
export function freeVariables(source: string, expr: SyntaxNode): Map<string, SyntaxNode[]> {
  const out = new Map<string, SyntaxNode[]>();
  const stack: SyntaxNode[] = [expr];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "variable_expression") {
      const name = variableName(source, n);
      if (name) {
        const r = resolveName(source, n, name);
        // bound inside expr? then not free
        const d = r.definition;
        if (!d || !isWithin(d.scope, expr)) {
          const list = out.get(name) ?? [];
          list.push(n);
          out.set(name, list);
        }
      }
      continue;
    }
    if (n.type === "inherit") {
      // `inherit x;` inside a nested set reads x from scope
      for (const inh of inheritedNames(source, n)) {
        const r = resolveName(source, n, inh.name);
        const d = r.definition;
        if (!d || !isWithin(d.scope, expr)) {
          const list = out.get(inh.name) ?? [];
          list.push(inh.node);
          out.set(inh.name, list);
        }
      }
    }
    for (const c of n.children) stack.push(c);
  }
  return out;
}

function isWithin(node: SyntaxNode, outer: SyntaxNode): boolean {
  for (let n: SyntaxNode | null = node; n; n = n.parent) if (n === outer) return true;
  return false;
}
