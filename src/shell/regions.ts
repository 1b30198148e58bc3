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
import { BOM, SH_SHEBANG, blankOut, continues, indentOf, splitLines } from "./lines.js";
import { yamlRegions } from "./yaml.js";
import { markdownRegions } from "./markdown.js";

export type FileKind = "script" | "makefile" | "justfile" | "yaml" | "markdown" | "dockerfile" | "maybe-script";

export interface Chunk extends Range {
  readonly options: TokenizeOptions;
  /** Report mentions of the command that are not commands (false in untagged Markdown blocks). */
  readonly reportMentions: boolean;
  /** Whether a changed chunk text is still the same kind of YAML scalar; absent: always fine. */
  readonly validate?: (text: string) => boolean;
  /** For messages: "recipe line", "`run:` script" … */
  readonly where: string;
  /** Shell shown in a document (Markdown): `<name>` there is a placeholder, not a redirection. */
  readonly document?: boolean;
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
  /** Documents (Markdown): every code block and inline code span; absent for other kinds. */
  readonly code?: CodeSpan[];
}

/** A code block or inline code span of a document. */
export interface CodeSpan extends Range {
  /** The block's language tag (lower case); null when it has none or is inline code. */
  readonly lang: string | null;
  readonly inline: boolean;
  /** Read as shell: its commands are chunks (shell-tagged, untagged or indented blocks). */
  readonly shell: boolean;
}

export function fileKind(path: string): FileKind | null {
  const base = basename(path);
  const lower = base.toLowerCase();
  if (lower.endsWith(".sh") || lower.endsWith(".bash")) return "script";
  if (base === "Makefile" || base === "makefile" || base === "GNUmakefile" || lower.endsWith(".mk")) return "makefile";
  if (lower === "justfile" || lower === ".justfile" || lower.endsWith(".just")) return "justfile";
  if (lower.endsWith(".yml") || lower.endsWith(".yaml")) return "yaml";
  if (lower.endsWith(".md") || lower.endsWith(".markdown")) return "markdown";
  if (lower === "dockerfile" || lower === "containerfile" || lower.startsWith("dockerfile.") || lower.endsWith(".dockerfile")) return "dockerfile";
  if (!base.includes(".") && base !== "") return "maybe-script";
  return null;
}

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
    case "dockerfile":
      return dockerfileRegions(text);
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
      // targets and prerequisites are names (a target may be called nixos-generate-iso); `$(shell …)` runs a command
      if (body.includes("$(shell") || body.includes("${shell")) foreign.push({ start: line.start, end: line.start + body.length, where: "rule line" });
      else quiet.push({ start: line.start, end: line.start + body.length });
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
    // a recipe's name, parameters and dependencies are names; a backtick default runs a command
    if (t.includes("`")) foreign.push({ start: line.start, end: line.end, where: "recipe header" });
    else quiet.push({ start: line.start, end: line.end });
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

// ------------------------------------------------------------------ Dockerfile

/** Instructions whose shell form is a command line for `/bin/sh -c`. */
const SHELL_INSTRUCTIONS = /^(RUN|CMD|ENTRYPOINT)\s+/i;

/**
 * Dockerfiles: the shell form of RUN, CMD and ENTRYPOINT (after RUN's
 * `--mount=…` flags) is a chunk; the exec form (`["…"]`), here-documents and
 * the other instructions are not read; `#` lines are comments.
 */
function dockerfileRegions(text: string): Regions {
  const lines = splitLines(text);
  const chunks: Chunk[] = [];
  const quiet: Range[] = [];
  const foreign: Foreign[] = [];
  // a parser directive may change the escape character: then nothing is read as shell
  const escaped = /^#\s*escape\s*=\s*`/im.test(text.slice(0, 200));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.text.replace(/^\ufeff/, "");
    if (t.trim() === "") continue;
    if (/^\s*#/.test(t)) {
      quiet.push({ start: line.start, end: line.end });
      continue;
    }
    let j = i;
    while (continues(lines[j]!) && j + 1 < lines.length) j++;
    const range = { start: line.start, end: lines[j]!.end };
    i = j;
    const m = SHELL_INSTRUCTIONS.exec(t.trimStart());
    if (!m || escaped) {
      foreign.push({ ...range, where: "Dockerfile instruction" });
      continue;
    }
    let p = line.start + indentOf(t) + m[0].length;
    for (let f = /^--\S+\s+/.exec(text.slice(p, range.end)); f; f = /^--\S+\s+/.exec(text.slice(p, range.end))) p += f[0].length;
    const body = text.slice(p, range.end);
    if (body.startsWith("[") || body.includes("<<")) foreign.push({ ...range, where: "Dockerfile instruction in exec form or with a here-document" });
    else chunks.push({ start: p, end: range.end, options: {}, reportMentions: true, where: `${m[1]!.toUpperCase()} instruction` });
  }
  return { masked: text.startsWith(BOM) ? " " + text.slice(1) : text, chunks, quiet, foreign };
}
