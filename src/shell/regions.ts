// Where shell command lines live in the files nixos-generate-cli looks at:
// shell scripts, Makefiles, justfiles, CI YAML and Markdown code blocks.
// Each file type yields "chunks" (ranges of shell text, tokenized with the
// dialect options of that file type) plus the ranges where a mention of a
// command is only prose (comments, YAML step names, Markdown text).
//
// Everything here is line based and keeps offsets into the original text;
// prompts and recipe prefixes (`$ `, `@`, `-`) are blanked in `masked`, a
// copy of the text with the same length, so the tokenizer sees plain shell.
import type { Range, TokenizeOptions } from "./tokenize.js";
import { basename } from "../paths.js";

export type FileKind = "script" | "makefile" | "justfile" | "yaml" | "markdown" | "maybe-script";

export interface Chunk extends Range {
  readonly options: TokenizeOptions;
  /** Report mentions of the command that are not commands (false in untagged Markdown blocks). */
  readonly reportMentions: boolean;
  /** Whether a changed chunk text is still the same kind of YAML scalar; absent: always fine. */
  readonly validate?: (text: string) => boolean;
  /** For messages: "recipe line", "`run:` script" … */
  readonly where: string;
}

/** A part of the file that mentions the command but is not shell this tool reads. */
export interface Foreign extends Range {
  readonly where: string;
}

export interface Regions {
  readonly masked: string;
  readonly chunks: Chunk[];
  /** Ranges where mentions are prose: comments, step names, Markdown text. */
  readonly quiet: Range[];
  /** Ranges holding text that may be shell but is not read (Makefile variables, folded YAML with blank lines …). */
  readonly foreign: Foreign[];
}

export function fileKind(path: string): FileKind | null {
  const base = basename(path);
  const lower = base.toLowerCase();
  if (lower.endsWith(".sh") || lower.endsWith(".bash")) return "script";
  if (base === "Makefile" || base === "makefile" || base === "GNUmakefile" || lower.endsWith(".mk")) return "makefile";
  if (lower === "justfile" || lower === ".justfile" || lower.endsWith(".just")) return "justfile";
  if (lower.endsWith(".yml") || lower.endsWith(".yaml")) return "yaml";
  if (lower.endsWith(".md") || lower.endsWith(".markdown")) return "markdown";
  if (!base.includes(".") && base !== "") return "maybe-script";
  return null;
}

interface Line {
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

const BOM = "\ufeff";

function blankOut(chars: string[], start: number, end: number) {
  for (let i = start; i < end; i++) if (chars[i] !== "\n" && chars[i] !== "\r") chars[i] = " ";
}

const indentOf = (s: string) => s.length - s.trimStart().length;

/** A `sh`/`bash`/`dash`/`ksh` shebang line (directly or through env). */
const SH_SHEBANG = /^#!\s*(\S*\/)?(env\s+(-\S+\s+)*)?(ba|da|k)?sh(\s|$)/;

/** The line ends in an unescaped backslash: the command goes on on the next line. */
const continues = (l: Line) => /(^|[^\\])(\\\\)*\\$/.test(l.text);

/** A shell script with a `sh`/`bash` shebang (or a nix-shell one running them). */
export function hasShellShebang(text: string): boolean {
  const t = text.startsWith(BOM) ? text.slice(1) : text;
  const lines = t.split("\n", 6).map((l) => l.replace(/\r$/, ""));
  const first = lines[0] ?? "";
  if (!first.startsWith("#!")) return false;
  if (/^#!\s*\S*nix-shell\b/.test(first) || /^#!\s*\S*\benv\s+(-\S+\s+)*nix-shell\b/.test(first)) {
    return lines.some((l) => /^#!\s*nix-shell\b.*\s-i\s+(ba|da)?sh\b/.test(l));
  }
  return SH_SHEBANG.test(first);
}

export function regionsOf(kind: FileKind, text: string): Regions {
  switch (kind) {
    case "script":
    case "maybe-script":
      return scriptRegions(text);
    case "makefile":
      return makefileRegions(text);
    case "justfile":
      return justfileRegions(text);
    case "yaml":
      return yamlRegions(text);
    case "markdown":
      return markdownRegions(text);
  }
}

function scriptRegions(text: string): Regions {
  const start = text.startsWith(BOM) ? 1 : 0;
  return {
    masked: text,
    chunks: [{ start, end: text.length, options: {}, reportMentions: true, where: "script" }],
    quiet: [],
    foreign: [],
  };
}

// ------------------------------------------------------------------ Makefile

function makefileRegions(text: string): Regions {
  const chars = text.split("");
  if (text.startsWith(BOM)) chars[0] = " ";
  const lines = splitLines(text);
  const chunks: Chunk[] = [];
  const quiet: Range[] = [];
  const foreign: Foreign[] = [];
  let inRule = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.text.replace(/^\ufeff/, "");
    if (t.startsWith("\t") && inRule) {
      // a recipe line (with continuations)
      let j = i;
      while (continues(lines[j]!) && j + 1 < lines.length) j++;
      let p = line.start + (line.text.length - line.text.trimStart().length);
      while (p < line.end && /[@+\-]/.test(text[p]!)) {
        chars[p] = " ";
        p++;
        while (p < line.end && (text[p] === " " || text[p] === "\t")) p++;
      }
      chunks.push({ start: p, end: lines[j]!.end, options: { make: true }, reportMentions: true, where: "recipe line" });
      i = j;
      continue;
    }
    const trimmed = t.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      quiet.push({ start: line.start, end: line.end });
      continue;
    }
    if (/^(ifeq|ifneq|ifdef|ifndef|else|endif)\b/.test(trimmed)) continue;
    // a logical make line
    let j = i;
    while (continues(lines[j]!) && j + 1 < lines.length) j++;
    const logicalEnd = lines[j]!.end;
    const logical = text.slice(line.start, logicalEnd);
    const hash = findMake(logical, "#");
    const semi = findMake(logical, ";");
    // `target: prereqs ; recipe`: the recipe goes to the shell as it is (a `#` in it is the shell's)
    const inlineRecipe = semi >= 0 && (hash < 0 || semi < hash);
    const body = inlineRecipe ? logical.slice(0, semi) : hash < 0 ? logical : logical.slice(0, hash);
    if (hash >= 0 && !inlineRecipe) quiet.push({ start: line.start + hash, end: logicalEnd });
    if (/^define\b/.test(trimmed)) {
      // skip to endef
      let k = j + 1;
      while (k < lines.length && !/^\s*endef\b/.test(lines[k]!.text)) k++;
      foreign.push({ start: line.start, end: lines[Math.min(k, lines.length - 1)]!.end, where: "`define` block" });
      inRule = false;
      i = k;
      continue;
    }
    const rule = /^[^=]*?[^:=]:(?![:=])/.exec(body) ?? /^[^=]*?::(?!=)/.exec(body);
    if (rule && !/^\s*(export|override|unexport|include|-include|sinclude|vpath)\b/.test(body) && !/^[^:]*[?+!]?=/.test(body)) {
      inRule = true;
      foreign.push({ start: line.start, end: line.start + body.length, where: "rule line" });
      if (inlineRecipe) chunks.push({ start: line.start + semi + 1, end: logicalEnd, options: { make: true }, reportMentions: true, where: "recipe" });
    } else {
      inRule = false;
      const end = hash >= 0 ? hash : logical.length;
      if (inlineRecipe && hash >= 0) quiet.push({ start: line.start + hash, end: logicalEnd });
      foreign.push({ start: line.start, end: line.start + end, where: "make variable or directive" });
    }
    i = j;
  }
  return { masked: chars.join(""), chunks, quiet, foreign };
}

/** Offset of `ch` (`#` or `;`) outside `$(…)`/`${…}` and not escaped, or -1. */
function findMake(s: string, ch: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "$" && (s[i + 1] === "(" || s[i + 1] === "{")) {
      depth++;
      i++;
      continue;
    }
    if ((c === ")" || c === "}") && depth > 0) depth--;
    if (c === ch && depth === 0) return i;
  }
  return -1;
}

// ------------------------------------------------------------------ justfile

function justfileRegions(text: string): Regions {
  const chars = text.split("");
  if (text.startsWith(BOM)) chars[0] = " ";
  const lines = splitLines(text);
  const chunks: Chunk[] = [];
  const quiet: Range[] = [];
  const foreign: Foreign[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.text.replace(/^\ufeff/, "");
    if (t.trim() === "") continue;
    if (/^\s*#/.test(t)) {
      quiet.push({ start: line.start, end: line.end });
      continue;
    }
    if (/^\s/.test(t)) {
      foreign.push({ start: line.start, end: line.end, where: "justfile line" });
      continue;
    }
    const header = /^@?[A-Za-z_][A-Za-z0-9_-]*[^:]*:(?!=)/.test(t) && !/^(set|alias|export|import|mod)\s/.test(t) && !/:=/.test(t.split(":")[0] + ":" + (t.split(":")[1] ?? "").slice(0, 1));
    if (!header) {
      const hash = t.indexOf(" #");
      if (hash >= 0) quiet.push({ start: line.start + hash, end: line.end });
      foreign.push({ start: line.start, end: hash >= 0 ? line.start + hash : line.end, where: "justfile setting or variable" });
      continue;
    }
    foreign.push({ start: line.start, end: line.end, where: "recipe header" });
    // the body: following indented or blank lines
    let j = i + 1;
    while (j < lines.length && (lines[j]!.text.trim() === "" || /^[ \t]/.test(lines[j]!.text))) j++;
    let last = j - 1;
    while (last > i && lines[last]!.text.trim() === "") last--;
    const body = lines.slice(i + 1, last + 1);
    const firstBody = body.find((l) => l.text.trim() !== "");
    if (firstBody && firstBody.text.trim().startsWith("#!")) {
      const shebang = firstBody.text.trim();
      if (SH_SHEBANG.test(shebang)) {
        const k = body.indexOf(firstBody);
        const rest = body.slice(k + 1);
        if (rest.length) {
          chunks.push({ start: rest[0]!.start, end: rest[rest.length - 1]!.end, options: { just: true, indentedHeredocs: true }, reportMentions: true, where: "recipe script" });
        }
      } else if (body.length) {
        foreign.push({ start: body[0]!.start, end: body[body.length - 1]!.end, where: "recipe in another language" });
      }
      i = last;
      continue;
    }
    for (let k = 0; k < body.length; k++) {
      const l = body[k]!;
      if (l.text.trim() === "") continue;
      let m = k;
      while (continues(body[m]!) && m + 1 < body.length) m++;
      let p = l.start + indentOf(l.text);
      while (p < l.end && (text[p] === "@" || text[p] === "-")) {
        chars[p] = " ";
        p++;
      }
      chunks.push({ start: p, end: body[m]!.end, options: { just: true }, reportMentions: true, where: "recipe line" });
      k = m;
    }
    i = last;
  }
  return { masked: chars.join(""), chunks, quiet, foreign };
}

// ------------------------------------------------------------------ YAML

/** Keys whose values are shell scripts (GitHub Actions, GitLab CI, and common CI tools). */
const SHELL_KEYS = new Set(["run", "script", "before_script", "after_script", "command", "commands", "cmd", "cmds"]);
/** Keys whose values are labels: mentions there are prose. */
const LABEL_KEYS = new Set(["name", "description", "title", "summary", "desc", "label", "help"]);

interface KeyFrame {
  readonly indent: number;
  readonly key: string;
}

function yamlRegions(text: string): Regions {
  const lines = splitLines(text);
  const chunks: Chunk[] = [];
  const quiet: Range[] = [];
  const foreign: Foreign[] = [];
  const stack: KeyFrame[] = [];
  const commentAt = (l: Line, from: number): number => {
    // offset of a YAML comment (`#` after a blank) in the line at/after `from`, or -1
    for (let p = from; p < l.end; p++) {
      if (text[p] === "#" && (p === l.start || text[p - 1] === " " || text[p - 1] === "\t")) return p;
    }
    return -1;
  };
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
      continue;
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
    const c = text[valueStart];
    if (valueStart >= line.end || c === "#") {
      if (c === "#") quiet.push({ start: valueStart, end: line.end });
      continue;
    }
    if (c === "|" || c === ">") {
      // block scalar
      const header = text.slice(valueStart, line.end);
      const hm = /^[|>]([1-9])?[+-]?([1-9])?[+-]?[ \t]*(#.*)?$/.exec(header);
      const hc = commentAt(line, valueStart + 1);
      if (hc >= 0) quiet.push({ start: hc, end: line.end });
      let j = i + 1;
      let blockIndent = -1;
      const explicit = hm?.[1] ?? hm?.[2];
      if (explicit) blockIndent = ownerIndent + Number(explicit);
      let lastContent = -1;
      for (; j < lines.length; j++) {
        const l = lines[j]!;
        if (l.text.trim() === "") continue;
        const ind = indentOf(l.text);
        if (blockIndent < 0) {
          if (ind <= ownerIndent) break;
          blockIndent = ind;
        }
        if (ind < blockIndent) break;
        lastContent = j;
      }
      if (lastContent < 0) continue;
      const first = lines[i + 1]!;
      const lastLine = lines[lastContent]!;
      const body = lines.slice(i + 1, lastContent + 1);
      const range = { start: first.start, end: lastLine.end };
      i = lastContent;
      if (c === "|") {
        if (shell) chunks.push({ ...range, options: { gha: true, indentedHeredocs: true }, reportMentions: true, where: `\`${owner}:\` script` });
        else if (label) quiet.push(range);
        else foreign.push({ ...range, where });
        continue;
      }
      // folded: newlines are spaces unless lines are more indented or blank
      const regular = body.every((l) => l.text.trim() !== "" && indentOf(l.text) === blockIndent);
      if (shell && regular) chunks.push({ ...range, options: { gha: true, foldNewlines: true }, reportMentions: true, where: `\`${owner}:\` script` });
      else if (label) quiet.push(range);
      else foreign.push({ ...range, where: shell ? `folded \`${owner}:\` script with blank or more-indented lines` : where });
      continue;
    }
    if (c === '"' || c === "'") {
      // quoted scalar: read only single-line ones without escapes
      let p = valueStart + 1;
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
      const inner = { start: valueStart + 1, end: close };
      const innerText = text.slice(inner.start, inner.end);
      const oneLine = close <= line.end;
      const escapes = c === '"' ? innerText.includes("\\") : innerText.includes("''");
      const tail = commentAt(line, Math.min(close + 1, line.end));
      if (oneLine && tail >= 0) quiet.push({ start: tail, end: line.end });
      if (shell && oneLine && !escapes) {
        const q = c;
        chunks.push({ ...inner, options: { gha: true }, reportMentions: true, where: `\`${owner}:\` script`, validate: (s) => !s.includes(q) && !(q === '"' && s.includes("\\")) });
      } else if (label) quiet.push(inner);
      else foreign.push({ ...inner, where: shell ? `quoted \`${owner}:\` script with escapes or line breaks` : where });
      if (!oneLine) {
        while (i + 1 < lines.length && lines[i + 1]!.start < close) i++;
      }
      continue;
    }
    if (c === "[" || c === "{") {
      if (label) quiet.push({ start: valueStart, end: line.end });
      else foreign.push({ start: valueStart, end: line.end, where: shell ? `flow \`${owner}:\` value` : where });
      continue;
    }
    // plain scalar, possibly continued on more-indented lines
    const hash = commentAt(line, valueStart);
    let end = hash >= 0 ? hash : line.end;
    while (end > valueStart && /[ \t]/.test(text[end - 1]!)) end--;
    if (hash >= 0) quiet.push({ start: hash, end: line.end });
    let j = i;
    let multi = false;
    let blanks = false;
    while (hash < 0 && j + 1 < lines.length) {
      const l = lines[j + 1]!;
      if (l.text.trim() === "") {
        // a blank line inside a plain scalar is a line break (kept only if more content follows)
        let k = j + 1;
        while (k < lines.length && lines[k]!.text.trim() === "") k++;
        if (k < lines.length && indentOf(lines[k]!.text) > ownerIndent && !/^\s*(-\s|#)/.test(lines[k]!.text) && !/^\s*[^\s#]*:\s/.test(lines[k]!.text)) {
          blanks = true;
          j = k - 1;
          continue;
        }
        break;
      }
      if (indentOf(l.text) <= ownerIndent || /^\s*#/.test(l.text)) break;
      j++;
      multi = true;
      const h = commentAt(l, l.start);
      end = h >= 0 ? h : l.end;
      while (end > l.start && /[ \t]/.test(text[end - 1]!)) end--;
      if (h >= 0) {
        quiet.push({ start: h, end: l.end });
        break;
      }
    }
    const range = { start: valueStart, end };
    i = j;
    if (shell && !blanks) {
      chunks.push({ ...range, options: { gha: true, foldNewlines: multi }, reportMentions: true, where: `\`${owner}:\` script`, validate: plainScalarOk });
    } else if (label) quiet.push(range);
    else foreign.push({ ...range, where: shell ? `plain \`${owner}:\` script with blank lines` : where });
  }
  return { masked: text.startsWith(BOM) ? " " + text.slice(1) : text, chunks, quiet, foreign };
}

/** A YAML plain scalar that still reads as the same plain scalar. */
function plainScalarOk(s: string): boolean {
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s)) return false;
  if (/:(\s|$)/.test(s) || /\s#/.test(s)) return false;
  return true;
}

// ------------------------------------------------------------------ Markdown

const SHELL_LANGS = new Set(["sh", "bash", "shell", "console", "shell-session", "shellsession", "sh-session", "bash-session"]);

function markdownRegions(text: string): Regions {
  const chars = text.split("");
  if (text.startsWith(BOM)) chars[0] = " ";
  const lines = splitLines(text);
  const chunks: Chunk[] = [];
  const quiet: Range[] = [{ start: 0, end: text.length }];
  for (let i = 0; i < lines.length; i++) {
    const open = /^([ \t]*)(`{3,}|~{3,})(.*)$/.exec(lines[i]!.text.replace(/^\ufeff/, ""));
    if (!open) continue;
    const fence = open[2]!;
    const info = open[3]!.trim();
    if (fence[0] === "`" && info.includes("`")) continue;
    const lang = (info.split(/[\s{,]/)[0] ?? "").replace(/^\{?\.?/, "").toLowerCase();
    let j = i + 1;
    const closeRe = new RegExp(`^[ \\t]*${fence[0] === "`" ? "`" : "~"}{${fence.length},}[ \\t]*$`);
    while (j < lines.length && !closeRe.test(lines[j]!.text)) j++;
    const body = lines.slice(i + 1, j);
    i = j;
    if (body.length === 0) continue;
    const tagged = SHELL_LANGS.has(lang);
    if (!tagged && lang !== "") continue;
    const prompt = /^[ \t]*\$[ \t]/;
    if (body.some((l) => prompt.test(l.text))) {
      // console: only `$ ` lines (and their continuation lines) are commands
      for (let k = 0; k < body.length; k++) {
        const l = body[k]!;
        const m = prompt.exec(l.text);
        if (!m) continue;
        blankOut(chars, l.start, l.start + m[0].length);
        let e = k;
        while (continues(body[e]!) && e + 1 < body.length) {
          e++;
          const cont = /^[ \t]*>[ \t]/.exec(body[e]!.text);
          if (cont) blankOut(chars, body[e]!.start, body[e]!.start + cont[0].length);
        }
        chunks.push({ start: l.start + m[0].length, end: body[e]!.end, options: { indentedHeredocs: true }, reportMentions: tagged, where: "console command" });
        k = e;
      }
      continue;
    }
    chunks.push({ start: body[0]!.start, end: body[body.length - 1]!.end, options: { indentedHeredocs: true }, reportMentions: tagged, where: "code block" });
  }
  return { masked: chars.join(""), chunks, quiet, foreign: [] };
}
