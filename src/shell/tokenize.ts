// A small POSIX-shell tokenizer that keeps exact source offsets (UTF-16
// indices into the text it is given). It knows what a codemod needs to find
// and rewrite simple commands: words (quotes, escapes, parameter expansions,
// `$(…)`, backticks, `$((…))`, process substitution), operators, redirections,
// here-documents, comments and line continuations. It is not a full parser:
// compound commands are left to the caller (see commands.ts), and nothing is
// ever evaluated.
//
// Dialects (TokenizeOptions): Makefile recipes (`$$` is a shell `$`, `$(X)`,
// `${X}` and `$X` are make references), GitHub Actions `${{ … }}` and just
// `{{ … }}` templates (opaque, not known statically), and folded YAML scalars
// (newlines are blanks).
//
// Why not an npm package: shell-quote (MIT, no install scripts) returns
// strings without source offsets, and full parsers (mvdan/sh builds) are large
// and know none of the dialects above. Edits need offsets into the file.

import type { Comment, Operator, Range, Redirect, Script, Token, TokenizeOptions, Word } from "./tokens.js";

export type { Comment, Operator, Range, Redirect, Script, Token, TokenizeOptions, Word } from "./tokens.js";

const RESERVED_CASE_START = "case";
const RESERVED_CASE_END = "esac";

/** Tokenizes `text[start, end)`. Offsets in the result are offsets into `text`. */
export function tokenize(text: string, start = 0, end = text.length, options: TokenizeOptions = {}): Script {
  const lexer = new Lexer(text, end, options);
  lexer.pos = start;
  return lexer.list(null);
}

/** Whether `c` separates words (newlines excluded). */
function isBlank(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\ufeff" || c === "\f" || c === "\v";
}

const WORD_END = new Set([";", "&", "|", "(", ")", "<", ">"]);

class Lexer {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly end: number,
    private readonly opts: TokenizeOptions,
  ) {}

  private newlineLength(at: number): number {
    if (this.text[at] === "\n") return 1;
    if (this.text[at] === "\r" && this.text[at + 1] === "\n" && at + 1 < this.end) return 2;
    return 0;
  }

  private blank(c: string | undefined): boolean {
    return isBlank(c) || (this.opts.foldNewlines === true && c === "\n");
  }

  /**
   * A command list up to `closer` (`)` of `$(`/`<(`) or the end. On return
   * `pos` is at the closer (not consumed) or at the end.
   */
  list(closer: ")" | null): Script {
    const t = this.text;
    const start = this.pos;
    const tokens: Token[] = [];
    const heredocs: Range[] = [];
    let pending: Redirect[] = [];
    let parens = 0;
    let cases = 0;
    let commandStart = true;
    while (this.pos < this.end) {
      const p = this.pos;
      const c = t[p]!;
      if (this.blank(c)) {
        this.pos++;
        continue;
      }
      if (c === "\\") {
        const nl = this.newlineLength(p + 1);
        if (nl > 0) {
          this.pos = p + 1 + nl;
          continue;
        }
      }
      if (c === "\n") {
        tokens.push({ kind: "op", op: "\n", start: p, end: p + 1 });
        this.pos = p + 1;
        if (pending.length) {
          for (const r of pending) this.readHeredoc(r, heredocs);
          pending = [];
        }
        commandStart = true;
        continue;
      }
      if (c === "#") {
        let e = p;
        while (e < this.end && t[e] !== "\n") e++;
        if (e > p && t[e - 1] === "\r" && t[e] === "\n") e--;
        tokens.push({ kind: "comment", start: p, end: e });
        this.pos = e;
        continue;
      }
      if (c === ")" && closer === ")" && parens === 0 && cases === 0) break;
      // process substitution is a word
      if ((c === "<" || c === ">") && t[p + 1] === "(") {
        tokens.push(this.word());
        commandStart = false;
        continue;
      }
      const redir = this.redirect();
      if (redir) {
        tokens.push(redir);
        if ((redir.op === "<<" || redir.op === "<<-") && redir.target) pending.push(redir);
        continue;
      }
      const op = this.operator();
      if (op) {
        if (op.op === "(") parens++;
        else if (op.op === ")") {
          if (parens > 0) parens--;
        }
        tokens.push(op);
        commandStart = true;
        continue;
      }
      const w = this.word();
      if (w.end === p) {
        // cannot happen (every char is consumed somewhere); guard against loops
        this.pos = p + 1;
        continue;
      }
      tokens.push(w);
      if (commandStart && w.value === RESERVED_CASE_START) cases++;
      else if (commandStart && w.value === RESERVED_CASE_END && cases > 0) cases--;
      commandStart = w.value !== null && RESERVED_KEEP_START.has(w.value) && commandStart;
    }
    // here-documents whose line never ended
    for (const r of pending) {
      r.heredoc = { start: this.pos, end: this.pos };
    }
    return { start, end: this.pos, tokens, heredocs };
  }

  private readHeredoc(r: Redirect, heredocs: Range[]) {
    const t = this.text;
    const target = r.target!;
    const delim = target.value ?? t.slice(target.start, target.end).replace(/["'\\]/g, "");
    const bodyStart = this.pos;
    let p = this.pos;
    while (p < this.end) {
      let e = t.indexOf("\n", p);
      if (e < 0 || e > this.end) e = this.end;
      let line = t.slice(p, e);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (r.op === "<<-") line = line.replace(/^\t+/, "");
      if (this.opts.indentedHeredocs) line = line.replace(/^[ \t]+/, "");
      if (line === delim) {
        r.heredoc = { start: bodyStart, end: p };
        heredocs.push(r.heredoc);
        this.pos = e < this.end ? e + 1 : this.end;
        return;
      }
      p = e + 1;
    }
    r.heredoc = { start: bodyStart, end: this.end };
    heredocs.push(r.heredoc);
    this.pos = this.end;
  }

  private operator(): Operator | null {
    const t = this.text;
    const p = this.pos;
    for (const op of OPERATORS) {
      if (t.startsWith(op, p) && p + op.length <= this.end) {
        this.pos = p + op.length;
        return { kind: "op", op: op.startsWith(";;") || op === ";&" ? ";;" : op, start: p, end: p + op.length };
      }
    }
    return null;
  }

  private redirect(): Redirect | null {
    const t = this.text;
    const p = this.pos;
    let q = p;
    while (q < this.end && t[q]! >= "0" && t[q]! <= "9") q++;
    const fd = q > p ? t.slice(p, q) : null;
    let op: string | null = null;
    for (const r of REDIRECTS) {
      if (t.startsWith(r, q) && q + r.length <= this.end) {
        op = r;
        break;
      }
    }
    if (!op || (fd !== null && op.startsWith("&"))) return null;
    this.pos = q + op.length;
    while (this.pos < this.end && this.blank(t[this.pos])) this.pos++;
    let target: Word | null = null;
    const c = t[this.pos];
    if (this.pos < this.end && c !== "\n" && !WORD_END.has(c!) ) target = this.word();
    return { kind: "redir", op, fd, target, heredoc: null, start: p, end: target ? target.end : q + op.length };
  }

  /** One word starting at `pos`. */
  word(): Word {
    const t = this.text;
    const start = this.pos;
    const s: WordState = { value: "", literal: true, unterminated: false, subs: [], opaque: [], templates: [], array: null };

    // process substitution
    if ((t[start] === "<" || t[start] === ">") && t[start + 1] === "(") {
      s.literal = false;
      if (!this.substitution(s, start + 2)) s.unterminated = true;
    }

    while (this.pos < this.end) {
      const p = this.pos;
      const c = t[p]!;
      if (this.blank(c) || c === "\n") break;
      if (this.template(s)) continue;
      if (c === "(" && s.array === null && /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=$/.test(t.slice(start, p))) {
        this.arrayElements(s);
        continue;
      }
      if (WORD_END.has(c)) break;
      if (c === "\\") {
        const nl = this.newlineLength(p + 1);
        if (nl > 0) {
          this.pos = p + 1 + nl;
          continue;
        }
        if (p + 1 < this.end) {
          s.value += t[p + 1];
          this.pos = p + 2;
        } else {
          s.value += c;
          this.pos = p + 1;
        }
        continue;
      }
      if (c === "'") {
        const e = t.indexOf("'", p + 1);
        if (e < 0 || e >= this.end) {
          s.value += t.slice(p + 1, this.end);
          s.unterminated = true;
          this.pos = this.end;
          break;
        }
        s.value += t.slice(p + 1, e);
        this.pos = e + 1;
        continue;
      }
      if (c === '"') {
        this.doubleQuoted(s);
        continue;
      }
      if (c === "`") {
        this.backtick(s);
        continue;
      }
      if (c === "$") {
        if (this.opts.make && this.makeDollar(s)) continue;
        if (t[this.pos] === "$") this.dollar(s);
        continue;
      }
      if (this.justTemplate(s)) continue;
      s.value += c;
      this.pos = p + 1;
    }

    const end = this.pos;
    const raw = t.slice(start, end);
    return {
      kind: "word",
      start,
      end,
      value: s.literal && !s.unterminated ? s.value : null,
      param: this.opts.templatesAt && s.templates.length ? null : paramOf(raw, this.opts.make === true),
      quoted: quotedOf(raw, start),
      subs: s.subs,
      opaque: s.opaque,
      templates: s.templates,
      array: s.array,
      unterminated: s.unterminated,
    };
  }

  /** At the `(` of an array assignment `name=( … )`: its elements, up to the `)`. */
  private arrayElements(s: WordState) {
    const t = this.text;
    const array: Word[] = [];
    s.array = array;
    this.pos++;
    while (this.pos < this.end) {
      const ch = t[this.pos]!;
      if (isBlank(ch) || ch === "\n") {
        this.pos++;
        continue;
      }
      if (ch === "\\" && this.newlineLength(this.pos + 1) > 0) {
        this.pos += 1 + this.newlineLength(this.pos + 1);
        continue;
      }
      if (ch === ")") {
        this.pos++;
        break;
      }
      if (ch === "#") {
        while (this.pos < this.end && t[this.pos] !== "\n") this.pos++;
        continue;
      }
      const before = this.pos;
      const el = this.word();
      if (el.end === before) {
        this.pos++;
        continue;
      }
      array.push(el);
    }
    s.literal = false;
  }

  /** `$(`, `<(`, `>(`: a nested list up to `)` (from: after the opening parenthesis). False when unterminated. */
  private substitution(s: WordState, from: number): boolean {
    const t = this.text;
    const inner = new Lexer(t, this.end, this.opts);
    inner.pos = from;
    const script = inner.list(")");
    s.subs.push(script);
    if (inner.pos < this.end && t[inner.pos] === ")") {
      this.pos = inner.pos + 1;
      return true;
    }
    this.pos = inner.pos;
    return false;
  }

  /** At `$` (the shell's), inside or outside double quotes. */
  private dollar(s: WordState): void {
    const t = this.text;
    const p = this.pos;
    const n = t[p + 1];
    if (this.opts.gha && t.startsWith("${{", p)) {
      const e = t.indexOf("}}", p + 3);
      const stop = e < 0 || e + 2 > this.end ? this.end : e + 2;
      s.templates.push({ start: p, end: stop });
      s.literal = false;
      if (e < 0) s.unterminated = true;
      this.pos = stop;
      return;
    }
    if (n === "(" && t[p + 2] === "(") {
      // arithmetic $(( … ))
      this.skipBalanced(s, p + 1, "(", ")", false);
      return;
    }
    if (n === "(") {
      s.literal = false;
      if (!this.substitution(s, p + 2)) s.unterminated = true;
      return;
    }
    if (n === "{") {
      this.skipBalanced(s, p + 1, "{", "}", true);
      return;
    }
    if (n === "'") {
      // ANSI-C quoting: literal when it has no escapes
      let q = p + 2;
      let escapes = false;
      for (; q < this.end && t[q] !== "'"; q++) {
        if (t[q] === "\\") {
          escapes = true;
          q++;
        }
      }
      if (q >= this.end) s.unterminated = true;
      if (escapes) s.literal = false;
      else s.value += t.slice(p + 2, Math.min(q, this.end));
      this.pos = Math.min(q + 1, this.end);
      return;
    }
    if (n === '"') {
      this.pos = p + 1;
      this.doubleQuoted(s);
      return;
    }
    if (n !== undefined && p + 1 < this.end && /[A-Za-z_]/.test(n)) {
      let q = p + 2;
      while (q < this.end && /[A-Za-z0-9_]/.test(t[q]!)) q++;
      s.literal = false;
      this.pos = q;
      return;
    }
    if (n !== undefined && p + 1 < this.end && /[0-9@*#?$!-]/.test(n)) {
      s.literal = false;
      this.pos = p + 2;
      return;
    }
    s.value += "$";
    this.pos = p + 1;
  }

  /** From the opening bracket at `from` to its match (`$((…))`, `${…}`): not literal. */
  private skipBalanced(s: WordState, from: number, open: string, close: string, escapes: boolean) {
    const t = this.text;
    let depth = 0;
    let q = from;
    for (; q < this.end; q++) {
      const ch = t[q];
      if (escapes && ch === "\\") {
        q++;
        continue;
      }
      if (ch === open) depth++;
      else if (ch === close) {
        depth--;
        if (depth === 0) break;
      }
    }
    s.literal = false;
    if (q >= this.end) s.unterminated = true;
    this.pos = Math.min(q + 1, this.end);
  }

  /** At `$` in a Makefile: true when handled as a make reference (`$$` leaves the shell's `$`). */
  private makeDollar(s: WordState): boolean {
    const t = this.text;
    const p = this.pos;
    const n = t[p + 1];
    if (n === "$") {
      this.pos = p + 1; // the second `$` is the shell's
      return false;
    }
    if (n === "(" || n === "{") {
      const close = n === "(" ? ")" : "}";
      let depth = 0;
      let q = p + 1;
      for (; q < this.end; q++) {
        if (t[q] === n) depth++;
        else if (t[q] === close) {
          depth--;
          if (depth === 0) break;
        }
      }
      if (q >= this.end) s.unterminated = true;
      s.templates.push({ start: p, end: Math.min(q + 1, this.end) });
      s.literal = false;
      this.pos = Math.min(q + 1, this.end);
      return true;
    }
    if (n !== undefined && p + 1 < this.end && !isBlank(n) && n !== "\n") {
      s.templates.push({ start: p, end: p + 2 });
      s.literal = false;
      this.pos = p + 2;
      return true;
    }
    s.value += "$";
    this.pos = p + 1;
    return true;
  }

  /** A part filled in outside the shell (TokenizeOptions.templatesAt) starting at `pos`. */
  private template(s: WordState): boolean {
    const end = this.opts.templatesAt?.get(this.pos);
    if (end === undefined) return false;
    s.templates.push({ start: this.pos, end });
    s.literal = false;
    this.pos = end;
    return true;
  }

  /** just's `{{ … }}` (`{{{{` is a literal `{{`): true when one starts at `pos`. */
  private justTemplate(s: WordState): boolean {
    const t = this.text;
    const p = this.pos;
    if (!this.opts.just || !t.startsWith("{{", p)) return false;
    if (t.startsWith("{{{{", p)) {
      s.value += "{{";
      this.pos = p + 4;
      return true;
    }
    const e = t.indexOf("}}", p + 2);
    const stop = e < 0 || e + 2 > this.end ? this.end : e + 2;
    s.templates.push({ start: p, end: stop });
    s.literal = false;
    if (e < 0) s.unterminated = true;
    this.pos = stop;
    return true;
  }

  /** At an opening backtick: a command substitution, parsed unless it holds escapes. */
  private backtick(s: WordState): void {
    const t = this.text;
    const p = this.pos;
    let q = p + 1;
    let escapes = false;
    for (; q < this.end && t[q] !== "`"; q++) {
      if (t[q] === "\\") {
        escapes = true;
        q++;
      }
    }
    s.literal = false;
    if (q >= this.end) {
      s.unterminated = true;
      s.opaque.push({ start: p, end: this.end });
      this.pos = this.end;
      return;
    }
    if (escapes) s.opaque.push({ start: p + 1, end: q });
    else s.subs.push(tokenize(t, p + 1, q, this.opts));
    this.pos = q + 1;
  }

  /** At the opening `"`. */
  private doubleQuoted(s: WordState): void {
    const t = this.text;
    this.pos++;
    while (this.pos < this.end) {
      const p = this.pos;
      const c = t[p]!;
      if (c === '"') {
        this.pos = p + 1;
        return;
      }
      if (this.template(s)) continue;
      if (c === "\\") {
        const nl = this.newlineLength(p + 1);
        if (nl > 0) {
          this.pos = p + 1 + nl;
          continue;
        }
        const n = t[p + 1];
        if (n !== undefined && p + 1 < this.end && (n === "$" || n === "`" || n === '"' || n === "\\")) {
          s.value += n;
          this.pos = p + 2;
          continue;
        }
        s.value += c;
        this.pos = p + 1;
        continue;
      }
      if (c === "$") {
        if (this.opts.make && this.makeDollar(s)) continue;
        if (t[this.pos] === "$") this.dollar(s);
        continue;
      }
      if (c === "`") {
        this.backtick(s);
        continue;
      }
      if (this.justTemplate(s)) continue;
      s.value += c;
      this.pos = p + 1;
    }
    s.unterminated = true;
  }
}

/** What a word collects while it is read. */
interface WordState {
  value: string;
  /** No expansion so far: `value` is the word's value. */
  literal: boolean;
  unterminated: boolean;
  readonly subs: Script[];
  readonly opaque: Range[];
  readonly templates: Range[];
  array: Word[] | null;
}

const RESERVED_KEEP_START = new Set(["!", "{", "if", "then", "else", "elif", "while", "until", "do", "time"]);

// Longest first.
const OPERATORS = [";;&", ";;", ";&", ";", "&&", "&", "||", "|&", "|", "(", ")"];
const REDIRECTS = ["&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">&", ">|", ">"];

function paramOf(raw: string, make: boolean): string | null {
  const d = make ? "\\$\\$" : "\\$";
  const re = new RegExp(`^(?:${d}([A-Za-z_][A-Za-z0-9_]*)|${d}\\{([A-Za-z_][A-Za-z0-9_]*)\\}|"${d}([A-Za-z_][A-Za-z0-9_]*)"|"${d}\\{([A-Za-z_][A-Za-z0-9_]*)\\}")$`);
  const m = re.exec(raw);
  return m ? (m[1] ?? m[2] ?? m[3] ?? m[4])! : null;
}

function quotedOf(raw: string, start: number): Word["quoted"] {
  if (raw.length >= 2 && raw[0] === "'" && raw.endsWith("'") && raw.indexOf("'", 1) === raw.length - 1) {
    return { char: "'", inner: { start: start + 1, end: start + raw.length - 1 } };
  }
  if (raw.length >= 2 && raw[0] === '"' && raw.endsWith('"') && !/["\\$`]/.test(raw.slice(1, -1))) {
    return { char: '"', inner: { start: start + 1, end: start + raw.length - 1 } };
  }
  return null;
}
