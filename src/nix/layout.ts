// Layout-aware edit builders: remove an entry together with its line when it
// stands alone, remove a formal with the right comma, re-indent moved text.
// They only produce TextEdits; nothing here mutates text.
import type { TextEdit } from "../edits.js";
import type { SyntaxNode } from "../parse.js";
import { descendants, entries, field, fields, inheritedNames, textOf } from "./ast.js";
import { detectEol, detectIndentUnit, indentOf, isBlank, lineEndOf, lineStartOf } from "../text.js";

/** End of the line after `offset` including its line break (or text end). */
function afterLineBreak(text: string, offset: number): number {
  const i = text.indexOf("\n", offset);
  return i < 0 ? text.length : i + 1;
}

/** Offset just after a `#` comment that follows `end` on the same line, else `end`. */
function trailingLineComment(text: string, end: number): number {
  let i = end;
  while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  if (text[i] === "#") return lineEndOf(text, i);
  return end;
}

/**
 * Removes the syntax in [start, end). When it is the only thing on its lines
 * (apart from a trailing `#` comment), the whole lines go; otherwise the range
 * and the spaces after it.
 */
export function removeRange(text: string, start: number, end: number): TextEdit {
  const ls = lineStartOf(text, start);
  const afterComment = trailingLineComment(text, end);
  const le = lineEndOf(text, afterComment);
  if (isBlank(text, ls, start) && isBlank(text, afterComment, le)) {
    return { start: ls, end: afterLineBreak(text, afterComment), text: "" };
  }
  let e = end;
  while (e < text.length && (text[e] === " " || text[e] === "\t")) e++;
  // keep one space between neighbours on the same line
  if (e < text.length && text[e] !== "\n" && text[e] !== "\r" && start > 0 && text[start - 1] !== " " && text[start - 1] !== "\t" && text[start - 1] !== "{") {
    return { start, end: e, text: " " };
  }
  return { start, end: e, text: "" };
}

/** Removes one `binding`/`inherit` entry of an attrset or let. */
export function removeEntry(text: string, entry: SyntaxNode): TextEdit {
  return removeRange(text, entry.start, entry.end);
}

/**
 * Removes these entries of one let or rec set; a `let` left without entries
 * goes whole (`let … in ` up to its body), so no empty `let in` stays.
 */
export function removeScopeEntries(text: string, scope: SyntaxNode, gone: ReadonlySet<SyntaxNode>): TextEdit[] {
  const body = field(scope, "body");
  if (scope.type === "let_expression" && body && gone.size === entries(scope).length) return [{ start: scope.start, end: body.start, text: "" }];
  return [...gone].map((e) => removeEntry(text, e));
}

/**
 * Removes one name from an `inherit` / `inherit (x)` entry; the whole entry
 * when it is the only name.
 */
export function removeInheritedName(text: string, entry: SyntaxNode, name: string): TextEdit | null {
  const names = inheritedNames(text, entry);
  const hit = names.find((n) => n.name === name);
  if (!hit) return null;
  if (names.length === 1) return removeEntry(text, entry);
  let end = hit.node.end;
  while (end < text.length && (text[end] === " " || text[end] === "\t")) end++;
  let start = hit.node.start;
  if (hit === names[names.length - 1]) {
    // last name: take the space before it instead
    end = hit.node.end;
    while (start > 0 && (text[start - 1] === " " || text[start - 1] === "\t")) start--;
  }
  return { start, end, text: "" };
}

/** Removes a formal (`name` or `name ? default`) from `{ … }:` with its comma. */
export function removeFormal(text: string, formal: SyntaxNode, last: SyntaxNode = formal): TextEdit[] {
  const formals = formal.parent!;
  const kids = formals.children;
  const i = formal.index;
  let next = last.index + 1;
  while (next < kids.length && kids[next]!.type === "comment") next++;
  const after = kids[next];
  if (after && after.type === ",") {
    // `name,` — remove through the comma (and the line if it stands alone)
    return [removeRange(text, formal.start, after.end)];
  }
  // a trailing comma (`name,\n}`) is not a token for the grammar we use: look at the text
  const comma = skipSpaceAndComments(text, last.end);
  if (text[comma] === ",") return [removeRange(text, formal.start, comma + 1)];
  // last formal without a trailing comma: remove the comma before it
  let prev = i - 1;
  while (prev >= 0 && kids[prev]!.type === "comment") prev--;
  const before = kids[prev];
  if (before && before.type === ",") {
    const ls = lineStartOf(text, formal.start);
    if (isBlank(text, ls, formal.start)) {
      // `a,\n  name\n}` -> `a\n}`
      return [{ start: before.start, end: before.end, text: "" }, removeRange(text, formal.start, last.end)];
    }
    return [{ start: before.start, end: last.end, text: "" }];
  }
  return [removeRange(text, formal.start, last.end)];
}

/** First offset at or after `i` that is not whitespace or a comment. */
export function skipSpaceAndComments(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      if (close < 0) return text.length;
      i = close + 2;
    } else return i;
  }
}

/** Ranges of string literals (where re-indenting would change a value). */
export function stringRanges(root: SyntaxNode): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const n of descendants(root)) {
    if (n.type === "string_expression" || n.type === "indented_string_expression") out.push({ start: n.start, end: n.end });
  }
  return out;
}

/**
 * Re-indents the lines of `text[start,end)` after the first: a line that starts
 * with `from` starts with `to` instead. Lines that begin inside a string stay.
 */
export function reindent(text: string, start: number, end: number, from: string, to: string, strings: readonly { start: number; end: number }[]): string {
  if (from === to) return text.slice(start, end);
  let out = "";
  let pos = start;
  for (let nl = text.indexOf("\n", start); nl >= 0 && nl < end; nl = text.indexOf("\n", nl + 1)) {
    const lineStart = nl + 1;
    out += text.slice(pos, lineStart);
    pos = lineStart;
    if (strings.some((r) => r.start < lineStart && lineStart < r.end)) continue;
    if (text.startsWith(from, lineStart)) {
      out += to;
      pos = lineStart + from.length;
    }
  }
  return out + text.slice(pos, end);
}

/** Indentation of the line holding `node`. */
export function indentAt(text: string, node: { start: number }): string {
  return indentOf(text, node.start);
}

/** Is `node` the first thing on its line? */
export function startsLine(text: string, node: { start: number }): boolean {
  return isBlank(text, lineStartOf(text, node.start), node.start);
}

/** Comments between a node's `{` and the end of that first line (e.g. `{   # for the lab`). */
export function firstLineComments(text: string, attrset: SyntaxNode): SyntaxNode[] {
  const open = attrset.children.find((c) => c.type === "{");
  if (!open) return [];
  const eol = lineEndOf(text, open.end);
  const set = attrset.children.find((c) => c.type === "binding_set");
  const candidates = [...attrset.children, ...(set ? set.children : [])];
  return candidates.filter((c) => c.type === "comment" && c.start >= open.end && c.start < eol).sort((a, b) => a.start - b.start);
}

export function formalsOf(fn: SyntaxNode): SyntaxNode[] {
  const formals = field(fn, "formals");
  return formals ? fields(formals, "formal") : [];
}

/** An entry to add to a set: its text, and a comment that goes after it when it gets a line of its own. */
export interface NewEntry {
  readonly text: string;
  readonly comment?: string | null;
}

/**
 * Appends entries at the end of an attrset literal, in its layout: a set written one entry per line
 * (its last entry and its `}` start lines) gets one line per entry after its last entry; any other
 * set gets them on the same line, unless that line would then pass `maxLine` columns: a one-line set
 * without comments is then rewritten one entry per line.
 */
export function appendToSet(text: string, set: SyntaxNode, added: readonly NewEntry[], maxLine = 100): TextEdit {
  const eol = detectEol(text);
  const ents = entries(set);
  const last = ents[ents.length - 1];
  const close = set.children[set.children.length - 1]!;
  if (last && startsLine(text, last) && startsLine(text, close)) {
    const indent = indentAt(text, last);
    const at = lineEndOf(text, last.end);
    return { start: at, end: at, text: added.map((l) => eol + indent + l.text + (l.comment ? " " + l.comment : "")).join("") };
  }
  const at = last ? last.end : set.children.find((c) => c.type === "{")!.end;
  const inline = added.map((l) => " " + l.text).join("");
  const lineLength = lineEndOf(text, set.end) - lineStartOf(text, set.start) + inline.length;
  if (lineLength > maxLine && !text.slice(set.start, set.end).includes("\n") && !set.children.some((c) => c.type === "comment") && ents.length) {
    // one entry per line, now that it got long
    const indent = indentAt(text, set);
    const inner = indent + detectIndentUnit(text);
    const items = [...ents.map((e) => textOf(text, e)), ...added.map((l) => l.text)].map((t) => eol + inner + t).join("");
    return { start: set.start, end: set.end, text: `{${items}${eol}${indent}}` };
  }
  return { start: at, end: at, text: inline };
}
