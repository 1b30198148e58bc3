// Simple commands of a tokenized script: the words between operators, with
// the operator before and after each one and how deeply it is nested in
// compound commands. Commands inside `$(…)`, backticks and `<(…)` are
// included (flagged `nested`).
import type { Comment, Range, Redirect, Script, Token, Word } from "./tokenize.js";

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

  const inner: SimpleCommand[] = [];
  for (const tok of script.tokens) for (const s of scriptsIn(tok)) inner.push(...simpleCommands(s, true));
  return [...out, ...inner].sort((a, b) => a.start - b.start);
}

/** Scripts directly inside a token: substitutions in a word, its array elements or a redirect target. */
function* scriptsIn(tok: Token): Generator<Script> {
  const word = tok.kind === "word" ? tok : tok.kind === "redir" ? tok.target : null;
  if (word) yield* scriptsInWord(word);
}

function* scriptsInWord(w: Word): Generator<Script> {
  yield* w.subs;
  if (w.array) for (const a of w.array) yield* scriptsInWord(a);
}

/** Comments of a script and of its nested scripts. */
export function commentsOf(script: Script): Comment[] {
  const out: Comment[] = [];
  for (const tok of script.tokens) {
    if (tok.kind === "comment") out.push(tok);
    for (const s of scriptsIn(tok)) out.push(...commentsOf(s));
  }
  return out;
}

/** Here-document bodies of a script and of its nested scripts. */
export function heredocsOf(script: Script): Range[] {
  const out: Range[] = [...script.heredocs];
  for (const tok of script.tokens) for (const s of scriptsIn(tok)) out.push(...heredocsOf(s));
  return out;
}

/** Shell assignment word `NAME=…` / `NAME+=…` (unquoted name). */
export function assignmentName(text: string, w: Word): string | null {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?\+?=/.exec(text.slice(w.start, w.end));
  return m ? m[1]! : null;
}
