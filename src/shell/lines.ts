// Line-based helpers shared by the readers of file kinds (regions.ts, yaml.ts,
// markdown.ts): every offset is into the original text.

export interface Line {
  /** Offset of the first character. */
  readonly start: number;
  /** Offset of the line break (`\r` of `\r\n`), or the text length. */
  readonly end: number;
  /** Offset after the line break. */
  readonly next: number;
  readonly text: string;
}

export function splitLines(text: string, from = 0): Line[] {
  const out: Line[] = [];
  let p = from;
  while (p <= text.length) {
    let e = text.indexOf("\n", p);
    const next = e < 0 ? text.length + 1 : e + 1;
    if (e < 0) e = text.length;
    let end = e;
    if (end > p && text[end - 1] === "\r") end--;
    out.push({ start: p, end, next: Math.min(next, text.length), text: text.slice(p, end) });
    if (next > text.length) break;
    p = next;
  }
  return out;
}

export const BOM = "\ufeff";

/** Blanks `chars[start, end)` (line breaks kept): prompts and recipe prefixes the shell never sees. */
export function blankOut(chars: string[], start: number, end: number) {
  for (let i = start; i < end; i++) if (chars[i] !== "\n" && chars[i] !== "\r") chars[i] = " ";
}

export const indentOf = (s: string) => s.length - s.trimStart().length;

/** A `sh`/`bash`/`dash`/`ksh` shebang line (directly or through env). */
export const SH_SHEBANG = /^#!\s*(\S*\/)?(env\s+(-\S+\s+)*)?(ba|da|k)?sh(\s|$)/;

/** The line ends in an unescaped backslash: the command goes on on the next line. */
export const continues = (l: Line) => /(^|[^\\])(\\\\)*\\$/.test(l.text);
