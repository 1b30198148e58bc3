// Where shell lives in CI YAML: the values of `run:`, `script:` and the like
// (GitHub Actions, GitLab CI, Taskfiles …), in any scalar style. Line based:
// a key stack gives each scalar its owner key; labels (`name:`) are prose;
// other values are foreign (they may hold commands this tool does not read).
import type { Range } from "./tokens.js";
import type { Chunk, Foreign, Regions } from "./regions.js";
import { BOM, indentOf, splitLines, type Line } from "./lines.js";

/** Keys whose values are shell scripts (GitHub Actions, GitLab CI, and common CI tools). */
const SHELL_KEYS = new Set(["run", "script", "before_script", "after_script", "command", "commands", "cmd", "cmds"]);
/** Keys whose values are labels: mentions there are prose. */
const LABEL_KEYS = new Set(["name", "description", "title", "summary", "desc", "label", "help", "body", "message", "notes", "release_notes", "release-notes", "comment"]);

interface KeyFrame {
  readonly indent: number;
  readonly key: string;
}

/** What the readers of one scalar share: the file, its lines, and where results go. */
interface YamlReader {
  readonly text: string;
  readonly lines: Line[];
  readonly chunks: Chunk[];
  readonly quiet: Range[];
  readonly foreign: Foreign[];
}

/** One scalar value: where it starts, the key that owns it and what that key makes of it. */
interface Scalar {
  /** Index of the line it starts on. */
  readonly i: number;
  readonly valueStart: number;
  readonly owner: string | null;
  readonly ownerIndent: number;
  readonly shell: boolean;
  readonly label: boolean;
  readonly where: string;
}

/** Offset of a YAML comment (`#` after a blank) in the line at/after `from`, or -1. */
function commentAt(text: string, l: Line, from: number): number {
  for (let p = from; p < l.end; p++) {
    if (text[p] === "#" && (p === l.start || text[p - 1] === " " || text[p - 1] === "\t")) return p;
  }
  return -1;
}

export function yamlRegions(text: string): Regions {
  const r: YamlReader = { text, lines: splitLines(text), chunks: [], quiet: [], foreign: [] };
  const { lines, quiet } = r;
  const stack: KeyFrame[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.text.replace(/^\ufeff/, "");
    const bomShift = line.text.length - t.length;
    if (t.trim() === "") continue;
    const indent = indentOf(t) + bomShift;
    if (t.trimStart().startsWith("#")) {
      quiet.push({ start: line.start + indent, end: line.end });
      continue;
    }
    if (/^(---|\.\.\.)(\s|$)/.test(t)) continue;
    const scalar = scalarOf(r, stack, i, indent);
    if (!scalar) continue;
    const c = text[scalar.valueStart];
    if (scalar.valueStart >= line.end || c === "#") {
      if (c === "#") quiet.push({ start: scalar.valueStart, end: line.end });
      continue;
    }
    if (c === "|" || c === ">") i = blockScalar(r, scalar);
    else if (c === '"' || c === "'") i = quotedScalar(r, scalar);
    else if (c === "[" || c === "{") {
      if (scalar.label) quiet.push({ start: scalar.valueStart, end: line.end });
      else r.foreign.push({ start: scalar.valueStart, end: line.end, where: scalar.shell ? `flow \`${scalar.owner}:\` value` : scalar.where });
    } else i = plainScalar(r, scalar);
  }
  return { masked: text.startsWith(BOM) ? " " + text.slice(1) : text, chunks: r.chunks, quiet, foreign: r.foreign };
}

/** The scalar line `i` starts (after `key:` or `- `), its owner key; null for a line that starts none. */
function scalarOf(r: YamlReader, stack: KeyFrame[], i: number, indent: number): Scalar | null {
  const { text } = r;
  const line = r.lines[i]!;
  let col = indent;
  let seqCol = -1;
  while (text[line.start + col] === "-" && (line.start + col + 1 >= line.end || /[ \t]/.test(text[line.start + col + 1]!))) {
    seqCol = col;
    col++;
    while (line.start + col < line.end && /[ \t]/.test(text[line.start + col]!)) col++;
  }
  // the key that owns this line's scalar
  let owner: string | null = null;
  let ownerIndent = -1;
  if (seqCol >= 0) {
    while (stack.length && stack[stack.length - 1]!.indent > seqCol) stack.pop();
    const top = stack[stack.length - 1];
    owner = top?.key ?? null;
    ownerIndent = seqCol;
  }
  const rest = text.slice(line.start + col, line.end);
  const km = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]},&*!|>%@`-][^:#]*?|-[^\s:#][^:#]*?)[ \t]*:(?=[ \t]|$)/.exec(rest);
  let valueStart: number;
  if (km) {
    while (stack.length && stack[stack.length - 1]!.indent >= col) stack.pop();
    let key = km[1]!;
    if (key.startsWith('"') || key.startsWith("'")) key = key.slice(1, -1);
    stack.push({ indent: col, key });
    owner = key;
    ownerIndent = col;
    valueStart = line.start + col + km[0].length;
  } else if (seqCol >= 0) {
    valueStart = line.start + col;
  } else {
    // a continuation line of a multi-line scalar handled below, or something we do not read
    return null;
  }
  while (valueStart < line.end && /[ \t]/.test(text[valueStart]!)) valueStart++;
  // skip a tag or an anchor
  while (valueStart < line.end && (text[valueStart] === "!" || text[valueStart] === "&")) {
    while (valueStart < line.end && !/[ \t]/.test(text[valueStart]!)) valueStart++;
    while (valueStart < line.end && /[ \t]/.test(text[valueStart]!)) valueStart++;
  }
  const shell = owner !== null && SHELL_KEYS.has(owner);
  const label = owner !== null && LABEL_KEYS.has(owner);
  const where = owner ? `\`${owner}:\` value` : "YAML value";
  return { i, valueStart, owner, ownerIndent, shell, label, where };
}

/** `|` and `>` scalars. Returns the index of the scalar's last line. */
function blockScalar(r: YamlReader, s: Scalar): number {
  const { text, lines } = r;
  const line = lines[s.i]!;
  const c = text[s.valueStart];
  const header = text.slice(s.valueStart, line.end);
  const hm = /^[|>]([1-9])?[+-]?([1-9])?[+-]?[ \t]*(#.*)?$/.exec(header);
  const hc = commentAt(text, line, s.valueStart + 1);
  if (hc >= 0) r.quiet.push({ start: hc, end: line.end });
  let j = s.i + 1;
  let blockIndent = -1;
  const explicit = hm?.[1] ?? hm?.[2];
  if (explicit) blockIndent = s.ownerIndent + Number(explicit);
  let lastContent = -1;
  for (; j < lines.length; j++) {
    const l = lines[j]!;
    if (l.text.trim() === "") continue;
    const ind = indentOf(l.text);
    if (blockIndent < 0) {
      if (ind <= s.ownerIndent) break;
      blockIndent = ind;
    }
    if (ind < blockIndent) break;
    lastContent = j;
  }
  if (lastContent < 0) return s.i;
  const first = lines[s.i + 1]!;
  const lastLine = lines[lastContent]!;
  const body = lines.slice(s.i + 1, lastContent + 1);
  const range = { start: first.start, end: lastLine.end };
  if (c === "|") {
    if (s.shell) r.chunks.push({ ...range, options: { gha: true, indentedHeredocs: true }, reportMentions: true, where: `\`${s.owner}:\` script` });
    else if (s.label) r.quiet.push(range);
    else r.foreign.push({ ...range, where: s.where });
    return lastContent;
  }
  // folded: newlines are spaces unless lines are more indented or blank
  const regular = body.every((l) => l.text.trim() !== "" && indentOf(l.text) === blockIndent);
  // a first line followed only by more-indented ones folds nothing (`run: >` over a `\`-continued command)
  const unfolded = body.length > 1 && body.slice(1).every((l) => l.text.trim() !== "" && indentOf(l.text) > blockIndent);
  if (s.shell && regular) r.chunks.push({ ...range, options: { gha: true, foldNewlines: true }, reportMentions: true, where: `\`${s.owner}:\` script` });
  else if (s.shell && unfolded) r.chunks.push({ ...range, options: { gha: true }, reportMentions: true, where: `\`${s.owner}:\` script` });
  else if (s.label) r.quiet.push(range);
  else r.foreign.push({ ...range, where: s.shell ? `folded \`${s.owner}:\` script with blank or more-indented lines` : s.where });
  return lastContent;
}

/** Quoted scalars: only single-line ones without escapes are read as shell. Returns the index of the scalar's last line. */
function quotedScalar(r: YamlReader, s: Scalar): number {
  const { text, lines } = r;
  const line = lines[s.i]!;
  const c = text[s.valueStart]!;
  let p = s.valueStart + 1;
  let close = -1;
  while (p < text.length) {
    if (c === '"' && text[p] === "\\") {
      p += 2;
      continue;
    }
    if (text[p] === c) {
      if (c === "'" && text[p + 1] === "'") {
        p += 2;
        continue;
      }
      close = p;
      break;
    }
    p++;
  }
  if (close < 0) close = text.length;
  const inner = { start: s.valueStart + 1, end: close };
  const innerText = text.slice(inner.start, inner.end);
  const oneLine = close <= line.end;
  const escapes = c === '"' ? innerText.includes("\\") : innerText.includes("''");
  const tail = commentAt(text, line, Math.min(close + 1, line.end));
  if (oneLine && tail >= 0) r.quiet.push({ start: tail, end: line.end });
  if (s.shell && oneLine && !escapes) {
    r.chunks.push({ ...inner, options: { gha: true }, reportMentions: true, where: `\`${s.owner}:\` script`, validate: (x) => !x.includes(c) && !(c === '"' && x.includes("\\")) });
  } else if (s.label) r.quiet.push(inner);
  else r.foreign.push({ ...inner, where: s.shell ? `quoted \`${s.owner}:\` script with escapes or line breaks` : s.where });
  let i = s.i;
  if (!oneLine) {
    while (i + 1 < lines.length && lines[i + 1]!.start < close) i++;
  }
  return i;
}

/** Plain scalars, possibly continued on more-indented lines. Returns the index of the scalar's last line. */
function plainScalar(r: YamlReader, s: Scalar): number {
  const { text, lines } = r;
  const line = lines[s.i]!;
  const hash = commentAt(text, line, s.valueStart);
  let end = hash >= 0 ? hash : line.end;
  while (end > s.valueStart && /[ \t]/.test(text[end - 1]!)) end--;
  if (hash >= 0) r.quiet.push({ start: hash, end: line.end });
  let j = s.i;
  let multi = false;
  let blanks = false;
  while (hash < 0 && j + 1 < lines.length) {
    const l = lines[j + 1]!;
    if (l.text.trim() === "") {
      // a blank line inside a plain scalar is a line break (kept only if more content follows)
      let k = j + 1;
      while (k < lines.length && lines[k]!.text.trim() === "") k++;
      if (k < lines.length && indentOf(lines[k]!.text) > s.ownerIndent && !/^\s*(-\s|#)/.test(lines[k]!.text) && !/^\s*[^\s#]*:\s/.test(lines[k]!.text)) {
        blanks = true;
        j = k - 1;
        continue;
      }
      break;
    }
    if (indentOf(l.text) <= s.ownerIndent || /^\s*#/.test(l.text)) break;
    j++;
    multi = true;
    const h = commentAt(text, l, l.start);
    end = h >= 0 ? h : l.end;
    while (end > l.start && /[ \t]/.test(text[end - 1]!)) end--;
    if (h >= 0) {
      r.quiet.push({ start: h, end: l.end });
      break;
    }
  }
  const range = { start: s.valueStart, end };
  if (s.shell && !blanks) {
    r.chunks.push({ ...range, options: { gha: true, foldNewlines: multi }, reportMentions: true, where: `\`${s.owner}:\` script`, validate: plainScalarOk });
  } else if (s.label) r.quiet.push(range);
  else r.foreign.push({ ...range, where: s.shell ? `plain \`${s.owner}:\` script with blank lines` : s.where });
  return j;
}

/** A YAML plain scalar that still reads as the same plain scalar. */
function plainScalarOk(s: string): boolean {
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s)) return false;
  if (/:(\s|$)/.test(s) || /\s#/.test(s)) return false;
  return true;
}
