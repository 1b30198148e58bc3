// Where shell lives in Markdown: fenced code blocks tagged as shell or not
// tagged at all (`$ ` prompts mark the commands of console blocks), and
// indented code blocks; the text around them is prose. Every code block and
// inline code span is also listed (Regions.code), with its language.
import type { Chunk, CodeSpan, Regions } from "./regions.js";
import { BOM, blankOut, continues, indentOf, splitLines, type Line } from "./lines.js";

const SHELL_LANGS = new Set(["sh", "bash", "shell", "console", "shell-session", "shellsession", "sh-session", "bash-session"]);

/** What the readers share: the text with prompts blanked, and where results go. */
interface MarkdownReader {
  readonly text: string;
  readonly chars: string[];
  readonly chunks: Chunk[];
  readonly code: CodeSpan[];
}

export function markdownRegions(text: string): Regions {
  const chars = text.split("");
  if (text.startsWith(BOM)) chars[0] = " ";
  const lines = splitLines(text);
  const r: MarkdownReader = { text, chars, chunks: [], code: [] };
  /** Lines of prose (not in a code block): inline code is looked for there. */
  const prose: Line[] = [];
  let blank = true;
  let inList = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.text.replace(/^\ufeff/, "");
    const open = /^([ \t]*)(`{3,}|~{3,})(.*)$/.exec(t);
    if (open && !(open[2]![0] === "`" && open[3]!.includes("`"))) {
      i = fencedBlock(r, lines, i, open[2]!, open[3]!.trim());
      blank = false;
      continue;
    }
    if (t.trim() === "") {
      blank = true;
      continue;
    }
    if (/^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/.test(t)) inList = true;
    else if (indentOf(t.replace(/\t/g, "    ")) < 4 && blank) inList = false;
    if (blank && !inList && indentOf(t.replace(/\t/g, "    ")) >= 4) {
      i = indentedBlock(r, lines, i);
      blank = false;
      continue;
    }
    blank = false;
    prose.push(line);
  }
  for (const l of prose) inlineCode(r, l);
  return { masked: chars.join(""), chunks: r.chunks, quiet: [{ start: 0, end: text.length }], foreign: [], code: r.code };
}

/** A fenced block opening at line `i`. Returns the index of its closing line. */
function fencedBlock(r: MarkdownReader, lines: Line[], i: number, fence: string, info: string): number {
  const lang = (info.split(/[\s{,]/)[0] ?? "").replace(/^\{?\.?/, "").toLowerCase();
  let j = i + 1;
  const closeRe = new RegExp(`^[ \\t]*${fence[0] === "`" ? "`" : "~"}{${fence.length},}[ \\t]*$`);
  while (j < lines.length && !closeRe.test(lines[j]!.text)) j++;
  const body = lines.slice(i + 1, j);
  if (body.length === 0) return j;
  const tagged = SHELL_LANGS.has(lang);
  const shell = tagged || lang === "";
  r.code.push({ start: body[0]!.start, end: body[body.length - 1]!.end, lang: lang || null, inline: false, shell });
  if (shell) shellBlock(r, body, tagged, "code block");
  return j;
}

/** Commands of a shell block: every line, or only `$ ` lines (and their continuations) in a console block. */
function shellBlock(r: MarkdownReader, body: Line[], tagged: boolean, where: string) {
  const prompt = /^[ \t]*\$[ \t]/;
  if (!body.some((l) => prompt.test(l.text))) {
    r.chunks.push({ start: body[0]!.start, end: body[body.length - 1]!.end, options: { indentedHeredocs: true }, reportMentions: tagged, where, document: true });
    return;
  }
  for (let k = 0; k < body.length; k++) {
    const l = body[k]!;
    const m = prompt.exec(l.text);
    if (!m) continue;
    blankOut(r.chars, l.start, l.start + m[0].length);
    let e = k;
    while (continues(body[e]!) && e + 1 < body.length) {
      e++;
      const cont = /^[ \t]*>[ \t]/.exec(body[e]!.text);
      if (cont) blankOut(r.chars, body[e]!.start, body[e]!.start + cont[0].length);
    }
    r.chunks.push({ start: l.start + m[0].length, end: body[e]!.end, options: { indentedHeredocs: true }, reportMentions: tagged, where: "console command", document: true });
    k = e;
  }
}

/** An indented code block starting at line `i` (after a blank line, outside lists). Returns the index of its last line. */
function indentedBlock(r: MarkdownReader, lines: Line[], i: number): number {
  let last = i;
  for (let j = i + 1; j < lines.length; j++) {
    const t = lines[j]!.text;
    if (t.trim() === "") continue;
    if (indentOf(t.replace(/\t/g, "    ")) < 4) break;
    last = j;
  }
  const body = lines.slice(i, last + 1);
  r.code.push({ start: body[0]!.start, end: body[body.length - 1]!.end, lang: null, inline: false, shell: true });
  shellBlock(r, body, false, "indented code block");
  return last;
}

/** Inline code spans of a prose line (`` `…` `` with matching backtick runs). */
function inlineCode(r: MarkdownReader, l: Line) {
  const re = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;
  for (let m = re.exec(l.text); m; m = re.exec(l.text)) {
    const start = l.start + m.index + m[1]!.length;
    r.code.push({ start, end: start + m[2]!.length, lang: null, inline: true, shell: false });
  }
}
