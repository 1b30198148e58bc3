// Simple commands of a tokenized script: the words between operators, with
// the operator before and after each one and how deeply it is nested in
// compound commands. Commands inside `$(…)`, backticks and `<(…)` are
// included (flagged `nested`).
import type { Comment, Range, Redirect, Script, Word } from "./tokenize.js";

export interface SimpleCommand extends Range {
  /** Words of the command (assignments included), without redirect targets and leading reserved words. */
  readonly words: Word[];
  readonly redirects: Redirect[];
  /** Reserved words before the command (`if`, `then`, `!`, `{` …). */
  readonly reserved: Word[];
  /** Operator or reserved word just before the command; "" at the start of its script. */
  readonly before: string;
  /** Operator just after the command; "" at the end of its script. */
  readonly after: string;
  /** Nesting in compound commands (`if`, loops, `{ }`, `( )`, `case`) of its own script. */
  readonly depth: number;
  /** Inside a command substitution, backticks or a process substitution. */
  readonly nested: boolean;
  /** The script the command belongs to. */
  readonly script: Script;
}

/** Words that open or close compound commands when they come first. */
const OPENERS = new Set(["if", "while", "until", "for", "case", "select", "{"]);
const CLOSERS = new Set(["fi", "done", "esac", "}"]);
const PREFIX_RESERVED = new Set(["!", "{", "}", "if", "then", "else", "elif", "fi", "while", "until", "do", "done", "esac", "for", "case", "select", "function"]);

export function simpleCommands(script: Script, nested = false): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let words: Word[] = [];
  let redirects: Redirect[] = [];
  let reserved: Word[] = [];
  let before = "";
  let depth = 0;
  let parens = 0;
  let cmdDepth = 0;

  const finish = (after: string) => {
    if (words.length || redirects.length) {
      const items: Range[] = [...words, ...redirects];
      const start = Math.min(...items.map((i) => i.start));
      const end = Math.max(...items.map((i) => i.end));
      out.push({ words, redirects, reserved, before, after, depth: cmdDepth, nested, script, start, end });
    }
    words = [];
    redirects = [];
    reserved = [];
  };

  for (const tok of script.tokens) {
    switch (tok.kind) {
      case "comment":
        break;
      case "op":
        finish(tok.op);
        before = tok.op;
        if (tok.op === "(") {
          parens++;
          depth++;
        } else if (tok.op === ")" && parens > 0) {
          parens--;
          depth = Math.max(0, depth - 1);
        }
        break;
      case "redir":
        if (words.length === 0 && redirects.length === 0) cmdDepth = depth;
        redirects.push(tok);
        break;
      case "word":
        if (words.length === 0 && redirects.length === 0 && tok.value !== null && PREFIX_RESERVED.has(tok.value) && !tok.quoted) {
          reserved.push(tok);
          before = tok.value;
          if (OPENERS.has(tok.value)) depth++;
          else if (CLOSERS.has(tok.value)) depth = Math.max(0, depth - 1);
          break;
        }
        if (words.length === 0 && redirects.length === 0) cmdDepth = depth;
        words.push(tok);
        break;
    }
  }
  finish("");

  // nested scripts
  const inner: SimpleCommand[] = [];
  const visit = (w: Word) => {
    for (const s of w.subs) inner.push(...simpleCommands(s, true));
    if (w.array) for (const a of w.array) visit(a);
  };
  for (const tok of script.tokens) {
    if (tok.kind === "word") visit(tok);
    else if (tok.kind === "redir" && tok.target) visit(tok.target);
  }
  return [...out, ...inner].sort((a, b) => a.start - b.start);
}

/** Comments of a script and of its nested scripts. */
export function commentsOf(script: Script): Comment[] {
  const out: Comment[] = [];
  const visitScript = (s: Script) => {
    for (const tok of s.tokens) {
      if (tok.kind === "comment") out.push(tok);
      else if (tok.kind === "word") visitWord(tok);
      else if (tok.kind === "redir" && tok.target) visitWord(tok.target);
    }
  };
  const visitWord = (w: Word) => {
    for (const s of w.subs) visitScript(s);
    if (w.array) for (const a of w.array) visitWord(a);
  };
  visitScript(script);
  return out;
}

/** Here-document bodies of a script and of its nested scripts. */
export function heredocsOf(script: Script): Range[] {
  const out: Range[] = [...script.heredocs];
  const visitWord = (w: Word) => {
    for (const s of w.subs) out.push(...heredocsOf(s));
    if (w.array) for (const a of w.array) visitWord(a);
  };
  for (const tok of script.tokens) {
    if (tok.kind === "word") visitWord(tok);
    else if (tok.kind === "redir" && tok.target) visitWord(tok.target);
  }
  return out;
}

/** Shell assignment word `NAME=…` / `NAME+=…` (unquoted name). */
export function assignmentName(text: string, w: Word): string | null {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?\+?=/.exec(text.slice(w.start, w.end));
  return m ? m[1]! : null;
}
