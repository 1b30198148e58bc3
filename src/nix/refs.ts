// Which expressions stand for a flake input, or an attribute path inside one?
// A tiny symbolic evaluator over variables, selects, let aliases, inherits and
// `with`: enough to see that `gen { … }` is `nixos-generators.nixosGenerate`.
import type { SyntaxNode } from "../parse.js";
import { attrName, field, fields, unparen } from "./ast.js";
import { resolveName, variableName, type Definition } from "./scope.js";

/** `input.path…` where input is a flake input name, or the whole inputs set (input = null). */
export interface InputRef {
  readonly input: string | null;
  readonly path: readonly string[];
}

export interface RefRoots {
  /** A function parameter / formal that holds the inputs set or one input. */
  root(def: Definition): InputRef | null;
  /** Names that resolve to no lexical binding: an input by itself only if the caller says so. */
  free?(name: string): InputRef | null;
}

/** Roots of a flake's outputs function `outputsFn`: its formals are inputs, its `@`/plain parameter the inputs set. */
export function outputsRoots(outputsFn: SyntaxNode): RefRoots {
  return {
    root: (def: Definition) => {
      if (def.scope !== outputsFn) return null;
      if (def.kind === "formal") return { input: def.name, path: [] };
      if (def.kind === "param") return { input: null, path: [] };
      return null;
    },
  };
}

const MAX_STEPS = 64;

/**
 * What each `with` environment evaluates to, per roots object (one top-level
 * evaluation uses one): `with a; with b; … x` tries every environment, and each
 * environment that is a name tries the ones above it again; without the memo
 * that is exponential in the nesting. `IN_PROGRESS` cuts cycles. A null found
 * at some depth holds only for callers at that depth or deeper (less budget
 * left): a shallower caller evaluates again, so the answer does not depend on
 * which lookup came first.
 */
const envMemo = new WeakMap<RefRoots, WeakMap<SyntaxNode, { ref: InputRef | null; steps: number } | typeof IN_PROGRESS>>();
const IN_PROGRESS = Symbol("in progress");

function evalWithEnv(source: string, env: SyntaxNode, roots: RefRoots, steps: number): InputRef | null {
  let memo = envMemo.get(roots);
  if (!memo) envMemo.set(roots, (memo = new WeakMap()));
  const known = memo.get(env);
  if (known === IN_PROGRESS) return null;
  if (known !== undefined && (known.ref !== null || known.steps <= steps)) return known.ref;
  memo.set(env, IN_PROGRESS);
  const ref = evalRef(source, env, roots, steps);
  memo.set(env, { ref, steps });
  return ref;
}

/** Follows `node` through aliases to an input reference, or null. */
export function evalRef(source: string, node: SyntaxNode, roots: RefRoots, steps = 0): InputRef | null {
  if (steps > MAX_STEPS) return null;
  const n = unparen(node);
  if (n.type === "variable_expression") {
    const name = variableName(source, n);
    return name === null ? null : evalName(source, n, name, roots, steps + 1);
  }
  if (n.type === "select_expression") {
    if (field(n, "default")) return null;
    const base = field(n, "expression");
    const path = field(n, "attrpath");
    if (!base || !path) return null;
    const keys: string[] = [];
    for (const a of fields(path, "attr")) {
      const k = attrName(source, a);
      if (k === null) return null;
      keys.push(k);
    }
    const b = evalRef(source, base, roots, steps + 1);
    return b ? extend(b, keys) : null;
  }
  return null;
}

function extend(ref: InputRef, keys: readonly string[]): InputRef {
  if (keys.length === 0) return ref;
  if (ref.input === null) return { input: keys[0]!, path: keys.slice(1) };
  return { input: ref.input, path: [...ref.path, ...keys] };
}

/** Resolves a name as seen from `at` and evaluates what it is bound to. */
export function evalName(source: string, at: SyntaxNode, name: string, roots: RefRoots, steps = 0): InputRef | null {
  if (steps > MAX_STEPS) return null;
  const r = resolveName(source, at, name);
  const d = r.definition;
  if (d) return evalDefinition(source, d, roots, steps + 1);
  for (const env of r.withs) {
    const e = evalWithEnv(source, env, roots, steps + 1);
    if (e) return extend(e, [name]);
  }
  return roots.free?.(name) ?? null;
}

export function evalDefinition(source: string, d: Definition, roots: RefRoots, steps = 0): InputRef | null {
  switch (d.kind) {
    case "binding":
      return d.value ? evalRef(source, d.value, roots, steps + 1) : null;
    case "inherit":
      return evalName(source, d.scope, d.name, roots, steps + 1);
    case "inherit-from": {
      const from = evalRef(source, d.from, roots, steps + 1);
      return from ? extend(from, [d.name]) : null;
    }
    case "formal":
    case "param":
      return roots.root(d);
  }
}

/** Does this expression denote `<input>.<path…>` exactly? */
export function isRefTo(ref: InputRef | null, input: string, path: readonly string[]): boolean {
  return !!ref && ref.input === input && ref.path.length === path.length && ref.path.every((p, i) => p === path[i]);
}
