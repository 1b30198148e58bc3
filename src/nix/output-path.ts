// Where does a value end up in a flake's outputs? From an expression, up to
// the outputs function: through attrsets (their keys), `let … in`, `with`,
// `if`, parentheses and `//`; through a variable or a helper function bound
// in a `let` or `rec` set (to where it is used or called); through functions of
// a system (`forAllSystems (system: …)`, `genAttrs systems (…)`,
// flake-utils' `eachDefaultSystem`, flake-parts' `perSystem`), whose names are
// known only when Nix evaluates them (a null segment). Used by --verify to find
// the outputs a migration changed; nothing is evaluated here.
import type { SyntaxNode } from "../parse.js";
import { attrName, calleeName, descendants, field, fields, inheritedNames, isAttrset, unparen } from "./ast.js";
import { resolveName, variableName } from "./scope.js";

/** An attribute path from the outputs' root; null: any name (a system, chosen when Nix evaluates). */
export type OutputPattern = readonly (string | null)[];

/** Output categories keyed by system, which flake-utils' `eachSystem` and flake-parts' `perSystem` fill. */
const PER_SYSTEM_FUNCTIONS = new Set(["eachDefaultSystem", "eachSystem", "eachDefaultSystemPassThrough"]);
/** Functions that build `{ <name> = f <name>; … }`: the lambda's result is one attribute of theirs. */
const MAP_FUNCTIONS = new Set(["genAttrs", "forAllSystems", "forEachSystem", "eachSystemMap", "eachDefaultSystemMap", "mapAttrs", "genSystems"]);
/** How far variables and helpers are followed (each hop may fan out). */
const MAX_HOPS = 6;
const MAX_PATTERNS = 32;

/** Where `root` is what the file evaluates to: in a flake, the outputs function; in another file, its top. */
export interface OutputRoot {
  /** The outputs function of a flake (its body is the outputs), or null for a file whose value is the root. */
  readonly outputsFn: SyntaxNode | null;
}

/**
 * The attribute paths at which the value of `node` appears in the outputs
 * (relative to what the file evaluates to when `outputsFn` is null: then a
 * function at the top of the file counts as applied once). Several paths when
 * the value is used in several places or a helper's shape is not known (both
 * shapes are returned; evaluation keeps the one that exists); none when the
 * value does not reach the outputs in this file. `suffix`: the path of the
 * value of interest inside `node`'s value.
 */
export function outputPatterns(source: string, root: OutputRoot, node: SyntaxNode, suffix: OutputPattern = []): OutputPattern[] {
  const out = new Map<string, OutputPattern>();
  for (const p of climb(source, root, node, suffix, 0)) {
    if (out.size >= MAX_PATTERNS) break;
    out.set(JSON.stringify(p), p);
  }
  return [...out.values()];
}

function climb(source: string, root: OutputRoot, start: SyntaxNode, suffix: OutputPattern, hops: number): OutputPattern[] {
  let cur = start;
  let path = suffix;
  for (;;) {
    const p = cur.parent;
    if (!p || p.type === "source_code") return root.outputsFn ? [] : [path];
    switch (p.type) {
      case "parenthesized_expression":
        cur = p;
        continue;
      case "let_expression":
      case "with_expression":
        if (cur.field !== "body") return [];
        cur = p;
        continue;
      case "if_expression":
        if (cur.field !== "consequence" && cur.field !== "alternative") return [];
        cur = p;
        continue;
      case "binary_expression":
        if (field(p, "operator")?.type !== "//") return [];
        cur = p;
        continue;
      case "binding":
        return cur.field === "expression" ? viaBinding(source, root, p, path, hops) : [];
      case "function_expression":
        return cur.field === "body" ? viaFunction(source, root, p, path, hops) : [];
      case "apply_expression":
        // a module given to flake-parts' mkFlake: its `flake` attribute is the outputs, `perSystem` handled below
        if (cur.field === "argument" && isMkFlake(source, p)) {
          if (path[0] !== "flake") return [];
          path = path.slice(1);
          cur = p;
          continue;
        }
        return [];
      default:
        return [];
    }
  }
}

/** `key = value;` in an attrset (the keys join the path), a let (a variable) or a rec set (both). */
function viaBinding(source: string, root: OutputRoot, binding: SyntaxNode, path: OutputPattern, hops: number): OutputPattern[] {
  const keys = fields(field(binding, "attrpath")!, "attr").map((a) => attrName(source, a));
  const holder = binding.parent?.parent;
  if (!holder) return [];
  const out: OutputPattern[] = [];
  if (isAttrset(holder)) out.push(...climb(source, root, holder, [...keys, ...path], hops));
  if ((holder.type === "let_expression" || holder.type === "rec_attrset_expression") && keys.length === 1 && keys[0] !== null) {
    out.push(...viaVariable(source, root, holder, binding, keys[0], path, hops));
  }
  return out;
}

/** A lambda: the outputs function (done), an argument of a function of systems, or a helper bound to a name. */
function viaFunction(source: string, root: OutputRoot, fn: SyntaxNode, path: OutputPattern, hops: number): OutputPattern[] {
  if (fn === root.outputsFn) return [path];
  let at = fn;
  while (at.parent?.type === "parenthesized_expression") at = at.parent;
  const parent = at.parent;
  if (!parent || parent.type === "source_code") return root.outputsFn ? [] : [path];
  if (parent.type === "apply_expression" && at.field === "argument") {
    const { outermost, callee } = applicationOf(parent);
    const name = calleeName(source, callee);
    const inserted = path.length ? [path[0]!, null, ...path.slice(1)] : [null];
    if (name && PER_SYSTEM_FUNCTIONS.has(name)) return climb(source, root, outermost, inserted, hops);
    if (name && MAP_FUNCTIONS.has(name)) return climb(source, root, outermost, [null, ...path], hops);
    // a helper of unknown shape: both, evaluation keeps what exists
    return [...climb(source, root, outermost, [null, ...path], hops), ...climb(source, root, outermost, inserted, hops)];
  }
  if (parent.type === "binding" && at.field === "expression") {
    const holder = parent.parent?.parent;
    const keys = fields(field(parent, "attrpath")!, "attr").map((a) => attrName(source, a));
    // flake-parts: `perSystem = { … }: { packages.x = …; }` in mkFlake's module fills the output packages.<system>.x
    if (holder && isAttrset(holder) && keys.length === 1 && keys[0] === "perSystem") {
      return climb(source, root, holder, ["flake", ...(path.length ? [path[0]!, null, ...path.slice(1)] : [null])], hops);
    }
    // a helper bound to a name: where it is called
    if (holder && (holder.type === "let_expression" || holder.type === "rec_attrset_expression") && keys.length === 1 && keys[0] !== null) {
      return viaVariable(source, root, holder, parent, keys[0], path, hops, true);
    }
  }
  return [];
}

/** Uses of a let/rec variable (or calls of a helper): each continues from where it is used. */
function viaVariable(source: string, root: OutputRoot, scope: SyntaxNode, binding: SyntaxNode, name: string, path: OutputPattern, hops: number, called = false): OutputPattern[] {
  if (hops >= MAX_HOPS) return [];
  const out: OutputPattern[] = [];
  for (const n of descendants(scope)) {
    if (out.length >= MAX_PATTERNS) break;
    if (n.type === "variable_expression" && variableName(source, n) === name && n !== binding) {
      if (!definedBy(source, n, name, binding)) continue;
      if (!called) {
        out.push(...climb(source, root, n, path, hops + 1));
        continue;
      }
      // `helper a b` is the helper's result; a helper passed as a value is not followed
      let at = n;
      while (at.parent?.type === "parenthesized_expression") at = at.parent;
      if (at.parent?.type !== "apply_expression" || at.field !== "function") continue;
      out.push(...climb(source, root, applicationOf(at.parent).outermost, path, hops + 1));
    } else if (!called && n.type === "inherit" && n.parent?.parent && isAttrset(n.parent.parent)) {
      // `inherit name;` in an attrset: the key `name`
      const hit = inheritedNames(source, n).find((x) => x.name === name);
      if (hit && definedBy(source, hit.node, name, binding)) {
        out.push(...climb(source, root, n.parent.parent, [name, ...path], hops + 1));
      }
    }
  }
  return out;
}

function definedBy(source: string, use: SyntaxNode, name: string, binding: SyntaxNode): boolean {
  const d = resolveName(source, use, name).definition;
  return d?.kind === "binding" && d.entry === binding;
}

/** The whole application `f a b c` an apply node is part of, and its function `f`. */
function applicationOf(apply: SyntaxNode): { outermost: SyntaxNode; callee: SyntaxNode } {
  let outermost = apply;
  while (outermost.parent?.type === "apply_expression" && outermost.field === "function") outermost = outermost.parent;
  let callee = apply;
  while (callee.type === "apply_expression") callee = unparen(field(callee, "function")!);
  return { outermost, callee };
}

/** `mkFlake { inherit inputs; } MODULE` (flake-parts), seen from the application that takes MODULE. */
function isMkFlake(source: string, apply: SyntaxNode): boolean {
  const fn = field(apply, "function");
  return !!fn && unparen(fn).type === "apply_expression" && calleeName(source, field(unparen(fn), "function")!) === "mkFlake";
}
