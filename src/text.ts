// Position and layout helpers on plain strings.

export interface LineCol {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column in Unicode code points (an emoji is one column; a BOM is not counted). */
  readonly column: number;
}

/** Line starts, computed once per text and reused for every position. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }
  /** 0-based line of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  lineStart(line: number): number {
    return this.starts[line] ?? this.text.length;
  }
  position(offset: number): LineCol {
    const line = this.lineOf(offset);
    let start = this.starts[line]!;
    if (line === 0 && this.text.charCodeAt(0) === 0xfeff) start = Math.min(1, offset);
    let column = 1;
    for (let i = start; i < offset; i++) {
      const c = this.text.charCodeAt(i);
      // count a surrogate pair once
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < offset) i++;
      column++;
    }
    return { line: line + 1, column };
  }
}

/** The line ending the file uses (first one found), for text we insert. */
export function detectEol(text: string): "\n" | "\r\n" {
  const i = text.indexOf("\n");
  return i > 0 && text[i - 1] === "\r" ? "\r\n" : "\n";
}

/** Start of the line containing `offset`. */
export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** End of the line containing `offset` (index of its `\n`, or of `\r\n`'s `\r`, or text length). */
export function lineEndOf(text: string, offset: number): number {
  let i = text.indexOf("\n", offset);
  if (i < 0) return text.length;
  if (i > 0 && text[i - 1] === "\r") i--;
  return i;
}

/** The leading whitespace of the line containing `offset`. */
export function indentOf(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  let i = start;
  while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  return text.slice(start, i);
}

/** Only whitespace between `from` and `to`? */
export function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c !== " " && c !== "\t" && c !== "\r" && c !== "\n") return false;
  }
  return true;
}

/** One indentation step in the file's style: tabs if lines start with tabs, else the smallest space indent (default 2). */
export function detectIndentUnit(text: string): string {
  let min = Infinity;
  for (const m of text.matchAll(/\n([ \t]+)\S/g)) {
    const ws = m[1]!;
    if (ws[0] === "\t") return "\t";
    if (ws.length < min) min = ws.length;
  }
  return min === Infinity || min > 8 ? "  " : " ".repeat(min);
}
