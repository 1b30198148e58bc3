// Static string values: which literal strings can an expression have, as far
// as the file itself shows? Follows let/rec bindings, inherits, if/else, and a
// lambda parameter fed by `genAttrs LIST`, `map f LIST`, `forEach LIST f` or
// `mapAttrs f SET` with a literal LIST/SET. Anything else is "unknown", with
// the node where the trail went cold.
import type { SyntaxNode } from "../parse.js";
import { attrpathKeys, calleeName, descendants, entries, field, fields, inheritedNames, named, outer, stringValue, unparen } from "./ast.js";
import { resolveName, variableName, type Definition } from "./scope.js";

export type StaticStrings =
  | { readonly known: true; readonly values: string[] }
  | { readonly known: false; readonly at: SyntaxNode; readonly reason: string };

const MAX_DEPTH = 32;
const unknown = (at: SyntaxNode, reason: string): StaticStrings => ({ known: false, at, reason });

export function possibleStrings(source: string, node: SyntaxNode, depth = 0): StaticStrings {
  if (depth > MAX_DEPTH) return unknown(node, "too many indirections");
  const n = unparen(node);
  const s = stringValue(source, n);
  if (s !== null) return { known: true, values: [s] };
  switch (n.type) {
    case "variable_expression": {
      const name = variableName(source, n);
      return name === null ? unknown(n, "not a name") : nameStrings(source, n, name, depth + 1);
    }
    case "select_expression": {
      const sel = stringSelection(source, n, depth + 1);
      if (!sel) return unknown(n, `\`${excerpt(source, n)}\` is an attribute of something that is not an attribute set of strings in this file`);
      // the keys it can pick, when they are known; else any
      const keys = possibleStrings(source, sel.key, depth + 1);
      if (!keys.known) return { known: true, values: uniq([...sel.byKey.flatMap(([, v]) => v), ...(sel.fallback ?? [])]) };
      const values: string[] = [];
      for (const k of keys.values) {
        const hit = sel.byKey.find(([key]) => key === k);
        if (hit) values.push(...hit[1]);
        else if (sel.fallbackIsKey) values.push(k);
        else if (sel.fallback) values.push(...sel.fallback);
        else return unknown(n, `\`${excerpt(source, n)}\` has no attribute \`${k}\``);
      }
      return { known: true, values: uniq(values) };
    }
    case "if_expression": {
      const a = possibleStrings(source, field(n, "consequence")!, depth + 1);
      if (!a.known) return a;
      const b = possibleStrings(source, field(n, "alternative")!, depth + 1);
      if (!b.known) return b;
      return { known: true, values: uniq([...a.values, ...b.values]) };
    }
    case "apply_expression": {
      const callee = calleeName(source, field(n, "function")!);
      if (callee === "getEnv") return unknown(n, `\`${excerpt(source, n)}\` is read from the environment when the flake is evaluated`);
      return unknown(n, `\`${excerpt(source, n)}\` is computed by a function when the flake is evaluated`);
    }
    case "string_expression":
    case "indented_string_expression":
      return unknown(n, `\`${excerpt(source, n)}\` is a string built from other values`);
    default:
      return unknown(n, `\`${excerpt(source, n)}\` is not a string literal`);
  }
}

/** Values of a name as seen from `at` (also used for `inherit name;`). */
export function nameStrings(source: string, at: SyntaxNode, name: string, depth = 0): StaticStrings {
  const r = resolveName(source, at, name);
  if (!r.definition) {
    return unknown(r.withs[0] ?? at, r.withs.length
      ? `\`${name}\` comes from \`with ${excerpt(source, r.withs[0]!)};\` or from outside this file`
      : `\`${name}\` is not bound in this file`);
  }
  return definitionStrings(source, r.definition, at, depth + 1);
}

function definitionStrings(source: string, d: Definition, at: SyntaxNode, depth: number): StaticStrings {
  switch (d.kind) {
    case "binding":
      return d.value ? possibleStrings(source, d.value, depth + 1) : unknown(d.entry, "a nested attribute set");
    case "inherit":
      return nameStrings(source, d.scope, d.name, depth + 1);
    case "inherit-from":
      return unknown(d.entry, `\`inherit (…) ${d.name}\` is not a literal`);
    case "param":
    case "formal":
      return (
        (d.kind === "param" ? parameterStrings(source, d.scope, d.name, depth + 1) : null) ??
        helperArgumentStrings(source, d.scope, d.kind === "formal" ? d.name : null, depth + 1) ??
        unknown(d.scope, functionArgumentReason(source, d.scope, d.name))
      );
  }
}

/**
 * The values a lambda's parameter takes when the lambda is fed by a list
 * combinator. `param` null means "the first parameter" (formals are not supported).
 */
function parameterStrings(source: string, fn: SyntaxNode, param: string | null, depth: number): StaticStrings | null {
  if (param === null) return null;
  const self = outer(fn);
  const app = self.parent;
  // mapAttrs (name: value: …) SET — the value parameter is an inner lambda
  if (self.field === "body" && app?.type === "function_expression") {
    const top = outer(app);
    const site = applicationSite(source, top);
    if (site && site.callee === "mapAttrs" && site.collection) {
      const keys = attrsetValues(source, site.collection, "values", depth);
      return keys;
    }
    return null;
  }
  const site = applicationSite(source, self);
  if (!site || !site.collection) return null;
  switch (site.callee) {
    case "genAttrs":
    case "map":
    case "forEach":
    case "concatMap":
    case "imap0":
      return listStrings(source, site.collection, depth + 1);
    case "mapAttrs":
      return attrsetValues(source, site.collection, "keys", depth);
    default:
      return null;
  }
}

/** For a function value F: `genAttrs LIST F`, `map F LIST`, `forEach LIST F`, `mapAttrs F SET`. */
function applicationSite(source: string, f: SyntaxNode): { callee: string; collection: SyntaxNode | null } | null {
  const app = f.parent;
  if (!app || app.type !== "apply_expression") return null;
  if (f.field === "argument") {
    const fn = unparen(field(app, "function")!);
    // genAttrs LIST F / forEach LIST F
    if (fn.type === "apply_expression") {
      const callee = calleeName(source, field(fn, "function")!);
      if (callee === "genAttrs" || callee === "forEach") return { callee, collection: field(fn, "argument") };
    }
    // map F LIST / mapAttrs F SET
    const callee = calleeName(source, fn);
    if (callee && ["map", "mapAttrs", "concatMap", "imap0"].includes(callee)) {
      const outerApp = outer(app).parent;
      if (outerApp?.type === "apply_expression" && outer(app).field === "function") return { callee, collection: field(outerApp, "argument") };
      return { callee, collection: null };
    }
  }
  return null;
}

/**
 * A helper function bound by let/rec (`mkImage = system: format: …` or
 * `mkImage = { format, … }: …`): the values its parameter gets at every place
 * the helper is used in its scope. `formal` names the `{ … }:` argument to read
 * (null: `fn` takes its argument by a name). Null when any use is unknown.
 */
function helperArgumentStrings(source: string, fn: SyntaxNode, formal: string | null, depth: number): StaticStrings | null {
  if (depth > MAX_DEPTH) return null;
  // climb the curried lambdas to the one bound by a name; count the arguments before ours
  let top = fn;
  let position = 0;
  for (let o = outer(top); o.field === "body" && o.parent?.type === "function_expression"; o = outer(top)) {
    top = o.parent;
    position++;
  }
  const bound = outer(top);
  const binding = bound.field === "expression" && bound.parent?.type === "binding" ? bound.parent : null;
  const scope = binding?.parent?.parent;
  if (!binding || !scope || (scope.type !== "let_expression" && scope.type !== "rec_attrset_expression")) return null;
  const keys = attrpathKeys(source, field(binding, "attrpath"));
  const name = keys?.length === 1 ? keys[0]! : null;
  if (!name) return null;
  const values: string[] = [];
  let uses = 0;
  const asValue = (use: SyntaxNode) =>
    unknown(use, `\`${name}\` is used here without its argument (\`${excerpt(source, outer(use).parent ?? use)}\`), so the values it gets are not in this file`);
  for (const n of descendants(scope)) {
    if (n.type !== "variable_expression" || variableName(source, n) !== name) continue;
    const d = resolveName(source, n, name).definition;
    if (d?.kind !== "binding" || d.entry !== binding) continue;
    uses++;
    // apply the helper `position` times; the next argument is ours
    let site: SyntaxNode = outer(n);
    for (let i = 0; i < position; i++) {
      if (site.field !== "function" || site.parent?.type !== "apply_expression") return asValue(n);
      site = outer(site.parent);
    }
    let v: StaticStrings;
    if (site.field === "function" && site.parent?.type === "apply_expression") {
      const arg = field(site.parent, "argument")!;
      v = formal === null ? possibleStrings(source, arg, depth + 1) : formalArgumentStrings(source, arg, formal, depth + 1);
    } else if (formal === null) {
      // the helper (partly applied) handed to genAttrs/map/…: their list gives the values
      const fed = applicationSite(source, site);
      if (!fed?.collection) return asValue(n);
      v = fed.callee === "mapAttrs" ? attrsetValues(source, fed.collection, "keys", depth + 1) : listStrings(source, fed.collection, depth + 1);
    } else return asValue(n);
    if (!v.known) return v;
    values.push(...v.values);
  }
  return uses ? { known: true, values: uniq(values) } : unknown(binding, `\`${name}\`, whose argument it is, is not called in this file`);
}

/** Why the values of a function's argument are not known: who calls the function. */
function functionArgumentReason(source: string, fn: SyntaxNode, name: string): string {
  const o = outer(fn);
  const app = o.parent;
  if (app?.type === "apply_expression" && o.field === "argument") {
    const callee = unparen(field(app, "function")!);
    const head = callee.type === "apply_expression" ? field(callee, "function")! : callee;
    return `\`${name}\` is an argument of this function, given to \`${excerpt(source, head)}\`, which calls it with values not in this file ` +
      "(the tool follows genAttrs, map, forEach and mapAttrs over a literal list)";
  }
  return `\`${name}\` is an argument of this function, which is neither bound to a name here nor given to genAttrs, map, forEach or mapAttrs with a literal list`;
}

/** An expression's text on one line, shortened. */
function excerpt(source: string, node: SyntaxNode): string {
  const t = source.slice(node.start, node.end).replace(/\s+/g, " ");
  return t.length > 60 ? t.slice(0, 57) + "..." : t;
}

/** `{ format = "iso"; … }` / `{ inherit format; … }` passed to a `{ format, … }:` helper. */
function formalArgumentStrings(source: string, arg: SyntaxNode, formal: string, depth: number): StaticStrings {
  const set = unparen(arg);
  if (set.type !== "attrset_expression") return unknown(arg, "the helper's argument is not an attribute set literal");
  for (const e of entries(set)) {
    if (e.type === "binding") {
      const keys = attrpathKeys(source, field(e, "attrpath"));
      if (keys?.length === 1 && keys[0] === formal) return possibleStrings(source, field(e, "expression")!, depth + 1);
    } else if (e.type === "inherit" && inheritedNames(source, e).some((x) => x.name === formal)) {
      return nameStrings(source, e, formal, depth + 1);
    }
  }
  return unknown(arg, `the helper is called without \`${formal}\``);
}

/** The string elements of a list expression (through names, `++`, attrNames). */
export function listStrings(source: string, node: SyntaxNode, depth = 0): StaticStrings {
  if (depth > MAX_DEPTH) return unknown(node, "too many indirections");
  const n = unparen(node);
  if (n.type === "list_expression") {
    const values: string[] = [];
    for (const el of fields(n, "element")) {
      const v = possibleStrings(source, el, depth + 1);
      if (!v.known) return v;
      values.push(...v.values);
    }
    return { known: true, values };
  }
  if (n.type === "variable_expression") {
    const name = variableName(source, n)!;
    const r = resolveName(source, n, name);
    const d = r.definition;
    if (d?.kind === "binding" && d.value) return listStrings(source, d.value, depth + 1);
    if (d?.kind === "inherit") return listStrings(source, d.scope, depth + 1);
    return unknown(n, `\`${name}\` is not a list literal in this file`);
  }
  if (n.type === "binary_expression" && field(n, "operator") && source.slice(field(n, "operator")!.start, field(n, "operator")!.end) === "++") {
    const a = listStrings(source, field(n, "left")!, depth + 1);
    if (!a.known) return a;
    const b = listStrings(source, field(n, "right")!, depth + 1);
    if (!b.known) return b;
    return { known: true, values: [...a.values, ...b.values] };
  }
  if (n.type === "apply_expression" && calleeName(source, field(n, "function")!) === "attrNames") {
    return attrsetValues(source, field(n, "argument")!, "keys", depth + 1);
  }
  return unknown(n, "not a list literal");
}

function attrsetValues(source: string, node: SyntaxNode, which: "keys" | "values", depth: number): StaticStrings {
  let n = unparen(node);
  if (n.type === "variable_expression") {
    const r = resolveName(source, n, variableName(source, n)!);
    const d = r.definition;
    if (d?.kind === "binding" && d.value) n = unparen(d.value);
  }
  if (n.type !== "attrset_expression" && n.type !== "rec_attrset_expression") return unknown(n, "not an attribute set literal");
  const values: string[] = [];
  for (const e of entries(n)) {
    if (e.type !== "binding") return unknown(e, "inherit in the set");
    const keys = attrpathKeys(source, field(e, "attrpath"));
    const k = keys?.length === 1 ? keys[0]! : null;
    if (k === null) return unknown(e, "dynamic or nested key");
    if (which === "keys") values.push(k);
    else {
      const v = possibleStrings(source, field(e, "expression")!, depth + 1);
      if (!v.known) return v;
      values.push(...v.values);
    }
  }
  return { known: true, values };
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/**
 * `{ x86_64-linux = "install-iso"; aarch64-linux = "sd-aarch64"; }.${system}`
 * (the set may be a name bound to it, `or "…"` a fallback): the strings each
 * key selects, and the expression that picks the key.
 */
export interface StringSelection {
  readonly byKey: readonly (readonly [string, string[]])[];
  /** The `${…}` key expression (an attr of the attrpath). */
  readonly key: SyntaxNode;
  readonly fallback: string[] | null;
  /** The fallback is the key itself (`{ qcow = "qemu"; }.${format} or format`). */
  readonly fallbackIsKey: boolean;
}

export function stringSelection(source: string, node: SyntaxNode, depth = 0): StringSelection | null {
  const n = unparen(node);
  if (n.type !== "select_expression" || depth > MAX_DEPTH) return null;
  const attrs = fields(field(n, "attrpath")!, "attr");
  if (attrs.length !== 1 || attrs[0]!.type !== "interpolation") return null;
  let set = unparen(field(n, "expression")!);
  if (set.type === "variable_expression") {
    const d = resolveName(source, set, variableName(source, set)!).definition;
    if (d?.kind !== "binding" || !d.value) return null;
    set = unparen(d.value);
  }
  if (set.type !== "attrset_expression") return null;
  const byKey: [string, string[]][] = [];
  for (const e of entries(set)) {
    if (e.type !== "binding") return null;
    const keys = attrpathKeys(source, field(e, "attrpath"));
    if (keys?.length !== 1) return null;
    const v = possibleStrings(source, field(e, "expression")!, depth + 1);
    if (!v.known) return null;
    byKey.push([keys[0]!, v.values]);
  }
  const def = field(n, "default");
  let fallback: string[] | null = null;
  if (def) {
    const v = possibleStrings(source, def, depth + 1);
    if (!v.known) return null;
    fallback = v.values;
  }
  const key = named(attrs[0]!)[0];
  if (!key) return null;
  const keyName = variableName(source, unparen(key));
  const defName = def ? variableName(source, unparen(def)) : null;
  const fallbackIsKey = keyName !== null && keyName === defName &&
    resolveName(source, key, keyName).definition === resolveName(source, def!, keyName).definition;
  return { byKey, key, fallback, fallbackIsKey };
}
