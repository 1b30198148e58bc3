// Small, iterative helpers over the SyntaxNode tree of tree-sitter-nix.
import { RESERVED_WORDS, type ParsedNix, type SyntaxNode } from "../parse.js";

export function field(node: SyntaxNode | null | undefined, name: string): SyntaxNode | null {
  if (!node) return null;
  for (const c of node.children) if (c.field === name) return c;
  return null;
}

export function fields(node: SyntaxNode, name: string): SyntaxNode[] {
  return node.children.filter((c) => c.field === name);
}

export function named(node: SyntaxNode): SyntaxNode[] {
  return node.children.filter((c) => c.named && c.type !== "comment");
}

export function textOf(source: string, node: SyntaxNode): string {
  return source.slice(node.start, node.end);
}

/** Drops any number of surrounding parentheses. */
export function unparen(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === "parenthesized_expression") {
    const inner = field(n, "expression") ?? named(n)[0];
    if (!inner) break;
    n = inner;
  }
  return n;
}

/** Every node below `root` (and root), document order, without recursion. */
export function* descendants(root: SyntaxNode): Generator<SyntaxNode> {
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    yield n;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
}

export function isAncestor(ancestor: SyntaxNode, node: SyntaxNode): boolean {
  for (let n: SyntaxNode | null = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

export function contains(outer: { start: number; end: number }, inner: { start: number; end: number }): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/** Value of a string literal without interpolation, else null. */
export function stringValue(source: string, node: SyntaxNode | null): string | null {
  if (!node) return null;
  const n = unparen(node);
  if (n.type !== "string_expression" && n.type !== "indented_string_expression") return null;
  let out = "";
  for (const c of n.children) {
    if (c.type === "string_fragment") out += source.slice(c.start, c.end);
    else if (c.type === "escape_sequence") {
      const e = source.slice(c.start, c.end);
      if (n.type === "string_expression") {
        const ch = e[1];
        out += ch === "n" ? "\n" : ch === "t" ? "\t" : ch === "r" ? "\r" : ch ?? "";
      } else {
        // ''$ ''' ''\n …
        out += e === "'''" ? "''" : e === "''$" ? "$" : e.startsWith("''\\") ? (e[3] === "n" ? "\n" : e[3] === "t" ? "\t" : e[3] ?? "") : e;
      }
    } else if (c.type === "dollar_escape") out += "$";
    else if (c.type === "interpolation") return null;
  }
  if (n.type === "indented_string_expression") return null === out ? null : out; // good enough for keys/urls
  return out;
}

/** Key of one `attr` node in an attrpath: identifier or literal string; null when interpolated. */
export function attrName(source: string, attr: SyntaxNode): string | null {
  if (attr.type === "identifier") return source.slice(attr.start, attr.end);
  if (attr.type === "string_expression") return stringValue(source, attr);
  if (attr.type === "interpolation") {
    const inner = named(attr)[0];
    return inner ? stringValue(source, inner) : null;
  }
  return null;
}

/** Keys of an attrpath (`a.b."c"`), or null if any part is dynamic. */
export function attrpathKeys(source: string, attrpath: SyntaxNode | null): string[] | null {
  if (!attrpath) return null;
  const out: string[] = [];
  for (const a of fields(attrpath, "attr")) {
    const k = attrName(source, a);
    if (k === null) return null;
    out.push(k);
  }
  return out;
}

/** The `binding_set` of an attrset / rec attrset / let. */
export function bindingSet(node: SyntaxNode): SyntaxNode | null {
  for (const c of node.children) if (c.type === "binding_set") return c;
  return null;
}

/** `binding`, `inherit` and `inherit_from` entries of an attrset or let. */
export function entries(node: SyntaxNode): SyntaxNode[] {
  const set = bindingSet(node);
  return set ? set.children.filter((c) => c.type === "binding" || c.type === "inherit" || c.type === "inherit_from") : [];
}

export function isAttrset(node: SyntaxNode | null): boolean {
  return !!node && (node.type === "attrset_expression" || node.type === "rec_attrset_expression");
}

/** Names listed by an `inherit` / `inherit_from` entry. */
export function inheritedNames(source: string, entry: SyntaxNode): { name: string; node: SyntaxNode }[] {
  const attrs = field(entry, "attrs");
  if (!attrs) return [];
  const out: { name: string; node: SyntaxNode }[] = [];
  for (const a of fields(attrs, "attr")) {
    const k = attrName(source, a);
    if (k !== null) out.push({ name: k, node: a });
  }
  return out;
}

/**
 * Token-level normal form of an expression: comments and layout dropped,
 * so `[ ./a.nix  # x\n ]` and `[./a.nix]` compare equal.
 */
export function normalized(source: string, node: SyntaxNode): string {
  const parts: string[] = [];
  const stack: SyntaxNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "comment") continue;
    if (n.children.length === 0 || n.type === "string_fragment") {
      parts.push(source.slice(n.start, n.end));
      continue;
    }
    if (n.type === "string_expression" || n.type === "indented_string_expression" || n.type === "path_expression") {
      // keep strings verbatim apart from their interpolations
      const v = stringValue(source, n);
      if (v !== null) {
        parts.push(JSON.stringify(v));
        continue;
      }
    }
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return parts.join(" ");
}

/** Previous / next sibling tokens, skipping comments. */
export function prevSibling(node: SyntaxNode, skipComments = true): SyntaxNode | null {
  const p = node.parent;
  if (!p) return null;
  for (let i = node.index - 1; i >= 0; i--) {
    const s = p.children[i]!;
    if (!skipComments || s.type !== "comment") return s;
  }
  return null;
}

export function nextSibling(node: SyntaxNode, skipComments = true): SyntaxNode | null {
  const p = node.parent;
  if (!p) return null;
  for (let i = node.index + 1; i < p.children.length; i++) {
    const s = p.children[i]!;
    if (!skipComments || s.type !== "comment") return s;
  }
  return null;
}

/** Last name of a function reference: `lib.genAttrs` -> `genAttrs`, `map` -> `map`. */
export function calleeName(source: string, node: SyntaxNode): string | null {
  const n = unparen(node);
  if (n.type === "variable_expression") {
    const id = field(n, "name");
    return id ? source.slice(id.start, id.end) : null;
  }
  if (n.type === "select_expression") {
    const attrs = fields(field(n, "attrpath")!, "attr");
    const last = attrs[attrs.length - 1];
    return last ? attrName(source, last) : null;
  }
  return null;
}

/** Climbs out of parentheses around a node. */
export function outer(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent && n.parent.type === "parenthesized_expression") n = n.parent;
  return n;
}

/** Words an attribute name must not be bare: the reserved words, and `or` (Nix takes `a.or`, but quoting is always safe). */
const KEYWORDS = new Set([...RESERVED_WORDS, "or"]);

/** A Nix identifier's characters (keywords aside): letters, digits, _ ' -, not starting with a digit, ' or -. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

/** An attribute name as Nix source: bare when it is an identifier, else quoted. */
export function attrKey(name: string): string {
  return IDENTIFIER.test(name) && !KEYWORDS.has(name) ? name : JSON.stringify(name);
}

/**
 * A module expression's parts: the function (`{ config, ... }:`) if any, and
 * the attrset it evaluates to, through `let … in`.
 */
export function moduleParts(module: SyntaxNode): { fn: SyntaxNode | null; body: SyntaxNode | null } {
  let n = unparen(module);
  let fn: SyntaxNode | null = null;
  if (n.type === "function_expression") {
    fn = n;
    n = unparen(field(n, "body")!);
  }
  while (n.type === "let_expression") n = unparen(field(n, "body")!);
  return { fn, body: isAttrset(n) ? n : null };
}

/**
 * Does the code match `pattern`: the tokens outside comments and string
 * contents, joined, or an input URL (`…:nixos-generators`, `…/nixos-generators`)
 * in a string. A flake whose description or check script names a project is not
 * a user of it.
 */
export function namedInCode(parsed: ParsedNix, pattern: RegExp, urlName: string): boolean {
  const { source } = parsed;
  const code: string[] = [];
  const url = new RegExp(`[:/]${urlName.replace(/[-.]/g, "\\$&")}(?![\\w-])`);
  const stack: SyntaxNode[] = [parsed.root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "comment") continue;
    if (n.type === "string_fragment") {
      if (url.test(source.slice(n.start, n.end))) return true;
      continue;
    }
    if (n.children.length === 0) code.push(source.slice(n.start, n.end));
    else for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return pattern.test(code.join(""));
}
