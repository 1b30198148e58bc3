// Lexical scope resolution for Nix variables (let, rec, function formals and
// `args@`), with `with` environments as the fallback, as Nix does it: a
// lexical binding always wins over any `with`, the innermost `with` over outer ones.
import type { SyntaxNode } from "../parse.js";
import { attrName, entries, field, fields, inheritedNames, isAncestor } from "./ast.js";

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
  /** `with` environments the reference sits under, innermost first (at most MAX_WITHS of them). */
  readonly withs: readonly SyntaxNode[];
  /** How many `with`s the reference sits under (below its definition), all of them. */
  readonly withCount: number;
}

/** Resolutions keep this many `with` environments; nothing looks further (refs.ts gives up after fewer steps). */
export const MAX_WITHS = 64;

const SCOPES = new Set(["let_expression", "rec_attrset_expression", "function_expression", "with_expression"]);
const NOTHING: Resolution = { definition: null, withs: [], withCount: 0 };

// Lookups are memoized per tree (SyntaxNodes are immutable): a file with many
// references, or deeply nested scopes (100k `let`s, `with`s or lists), must not
// cost references × depth.
/** Nearest ancestor that is a scope, and its child on the way there (null: none). */
const enclosingMemo = new WeakMap<SyntaxNode, { scope: SyntaxNode; child: SyntaxNode } | null>();
/** Names a let / rec set / function defines, first definition wins. */
const definitionsMemo = new WeakMap<SyntaxNode, Map<string, Definition>>();
/** scope -> name -> resolution of the name in the scopes strictly above the scope. */
const aboveMemo = new WeakMap<SyntaxNode, Map<string, Resolution>>();

function enclosingScope(node: SyntaxNode): { scope: SyntaxNode; child: SyntaxNode } | null {
  const path: SyntaxNode[] = [];
  let found: { scope: SyntaxNode; child: SyntaxNode } | null | undefined;
  for (let n = node; ; ) {
    const known = enclosingMemo.get(n);
    if (known !== undefined) {
      found = known;
      break;
    }
    path.push(n);
    const p = n.parent;
    if (!p) {
      found = null;
      break;
    }
    if (SCOPES.has(p.type)) {
      found = { scope: p, child: n };
      break;
    }
    n = p;
  }
  for (const n of path) enclosingMemo.set(n, found);
  return found;
}

function definitionsOf(source: string, scope: SyntaxNode): Map<string, Definition> {
  let defs = definitionsMemo.get(scope);
  if (defs) return defs;
  defs = new Map();
  if (scope.type === "function_expression") {
    const universal = field(scope, "universal");
    if (universal) {
      const name = source.slice(universal.start, universal.end);
      defs.set(name, { kind: "param", name, scope, param: universal });
    }
    const formals = field(scope, "formals");
    if (formals) {
      for (const f of fields(formals, "formal")) {
        const n = field(f, "name");
        const name = n ? source.slice(n.start, n.end) : null;
        if (name !== null && !defs.has(name)) defs.set(name, { kind: "formal", name, scope, formal: f });
      }
    }
  } else {
    for (const e of entries(scope)) {
      if (e.type === "binding") {
        const path = field(e, "attrpath");
        const attrs = path ? fields(path, "attr") : [];
        const name = attrs[0] ? attrName(source, attrs[0]) : null;
        if (name === null || defs.has(name)) continue;
        defs.set(name, { kind: "binding", name, scope, entry: e, value: attrs.length === 1 ? field(e, "expression") : null });
        continue;
      }
      for (const inh of inheritedNames(source, e)) {
        if (defs.has(inh.name)) continue;
        if (e.type === "inherit_from") defs.set(inh.name, { kind: "inherit-from", name: inh.name, scope, entry: e, from: field(e, "expression")! });
        else defs.set(inh.name, { kind: "inherit", name: inh.name, scope, entry: e });
      }
    }
  }
  definitionsMemo.set(scope, defs);
  return defs;
}

/** What one scope does for a reference coming from `child`: defines the name, adds a `with`, or nothing. */
function stepAt(source: string, scope: SyntaxNode, child: SyntaxNode, name: string): Definition | SyntaxNode | null {
  if (scope.type === "with_expression") {
    return child.field === "body" ? field(scope, "environment") : null;
  }
  // a function's names are seen from its body and its formals (a default sees the other formals)
  if (scope.type === "function_expression" && child.field !== "body" && child.type !== "formals") return null;
  return definitionsOf(source, scope).get(name) ?? null;
}

function isDefinition(x: Definition | SyntaxNode): x is Definition {
  return "kind" in x;
}

function withAdded(env: SyntaxNode, r: Resolution): Resolution {
  return { definition: r.definition, withs: [env, ...r.withs.slice(0, MAX_WITHS - 1)], withCount: r.withCount + 1 };
}

/** Resolution of `name` in the scopes strictly above `scope` (iterative, memoized). */
function resolveAbove(source: string, scope: SyntaxNode, name: string): Resolution {
  const pending: { scope: SyntaxNode; step: Definition | SyntaxNode | null }[] = [];
  let base: Resolution = NOTHING;
  for (let cur = scope; ; ) {
    const known = aboveMemo.get(cur)?.get(name);
    if (known) {
      base = known;
      break;
    }
    const up = enclosingScope(cur);
    if (!up) break;
    const step = stepAt(source, up.scope, up.child, name);
    pending.push({ scope: cur, step });
    if (step && isDefinition(step)) break;
    cur = up.scope;
  }
  let r = base;
  for (let i = pending.length - 1; i >= 0; i--) {
    const { scope: s, step } = pending[i]!;
    if (step) r = isDefinition(step) ? { definition: step, withs: [], withCount: 0 } : withAdded(step, r);
    let m = aboveMemo.get(s);
    if (!m) aboveMemo.set(s, (m = new Map()));
    m.set(name, r);
  }
  return r;
}

/** The `inherit x;` entry (without `from`) that `node` is part of, if any. */
function inheritEntryOf(node: SyntaxNode): SyntaxNode | null {
  let n: SyntaxNode | null = node;
  for (let i = 0; i < 3 && n; i++, n = n.parent) {
    if (n.type === "inherit" && n.named) return n;
    if (n.type === "binding_set") return null;
  }
  return null;
}

/** Resolves `name` as seen from `node`. */
export function resolveName(source: string, node: SyntaxNode, name: string): Resolution {
  // An `inherit x;` inside a let/rec refers to the scope outside it, so a
  // reference in an inherit entry skips the scope that holds the entry (only that one).
  const inherit = inheritEntryOf(node);
  if (inherit) {
    const set = inherit.parent;
    const up = enclosingScope(inherit);
    if (set && up && up.child === set && (up.scope.type === "let_expression" || up.scope.type === "rec_attrset_expression")) {
      return resolveAbove(source, up.scope, name);
    }
  }
  const up = enclosingScope(node);
  if (!up) return NOTHING;
  const step = stepAt(source, up.scope, up.child, name);
  if (step && isDefinition(step)) return { definition: step, withs: [], withCount: 0 };
  const above = resolveAbove(source, up.scope, name);
  return step ? withAdded(step, above) : above;
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
        if (!d || !isAncestor(expr, d.scope)) {
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
        if (!d || !isAncestor(expr, d.scope)) {
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
