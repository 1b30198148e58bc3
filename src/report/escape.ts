// What text from the user's files may look like when it is printed. Every
// path and message a report prints goes through here: control characters
// (ESC, OSC, BEL, C1, bidi overrides …) are escaped so that a flake cannot
// drive the terminal, paths are quoted the way git quotes them (a path with a
// newline cannot pose as two lines), and in GitHub Actions a line that the
// runner would read as a workflow command is printed where commands are off.
// No Node APIs: the web playground prints findings and diffs with it too.

/** Characters a terminal acts on, or that reorder what is shown: C0 and C1 controls, DEL, line/paragraph separators, bidi controls. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_TEST = new RegExp(UNSAFE.source);

const hex4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * A message with its control characters escaped as in JSON (`\u001b`, `\n`,
 * `\t`), which is how the syntax-error excerpt shows the text it quotes.
 */
export function printable(s: string): string {
  if (!UNSAFE_TEST.test(s)) return s;
  return s.replace(UNSAFE, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : c === "\r" ? "\\r" : hex4(c)));
}

/** The same for one line of a file shown whole (a diff line): tabs stay, and a CRLF line's final \r. */
export function printableLine(s: string): string {
  if (!UNSAFE_TEST.test(s)) return s;
  const cr = s.endsWith("\r") ? "\r" : "";
  return s.slice(0, s.length - cr.length).replace(UNSAFE, (c) => (c === "\t" ? c : c === "\r" ? "\\r" : hex4(c))) + cr;
}

const utf8 = new TextEncoder();
const GIT_ESCAPES: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\" };
const NEEDS_QUOTES = new RegExp(`["\\\\]|${UNSAFE.source}`);
const QUOTED = new RegExp(`["\\\\]|${UNSAFE.source}`, "g");

/**
 * A path as git prints it (core.quotePath=false): unchanged unless it holds a
 * `"`, a `\` or a control character; then in double quotes, with C escapes
 * (`\n`, `\t`, `\"`) and the UTF-8 bytes of the other control characters in
 * octal (`\033`). Non-ASCII letters stay readable. `git apply` reads it back.
 */
export function quotePath(path: string): string {
  if (!NEEDS_QUOTES.test(path)) return path;
  const body = path.replace(QUOTED, (c) => GIT_ESCAPES[c] ?? [...utf8.encode(c)].map((b) => `\\${b.toString(8).padStart(3, "0")}`).join(""));
  return `"${body}"`;
}

/** A path as one shell word (`'my flake/flake.nix'`). */
export function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** `nixgen-migrate <args> <path>` as a command to paste: `--` before a path that looks like an option. */
export function nixgenMigrateCommand(args: string, path: string): string {
  return ["nixgen-migrate", args, path.startsWith("-") ? "--" : "", shellWord(path)].filter(Boolean).join(" ");
}

/**
 * Would the GitHub Actions runner read a line of this text as a workflow
 * command? It trims the start of each line and takes `::name …::` there, and
 * takes `##[name …]` anywhere in a line; lines end at \n, \r\n or \r.
 */
export function hasWorkflowCommand(text: string): boolean {
  for (const line of text.split(/\r\n|\r|\n/)) if (line.trimStart().startsWith("::") || line.includes("##[")) return true;
  return false;
}

/**
 * Text that may hold workflow commands, printed with commands off: between
 * `::stop-commands::<token>` and `::<token>::`, with a token the text cannot
 * know (made after it was read).
 */
export function withCommandsOff(text: string): string {
  const token = `nixgen-migrate-${globalThis.crypto.randomUUID()}`;
  return `::stop-commands::${token}\n${text}${text.endsWith("\n") || text === "" ? "" : "\n"}::${token}::\n`;
}

/** In GitHub Actions, `text` with commands off when the runner would find one in it; elsewhere as it is. */
export function inertInActions(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return env.GITHUB_ACTIONS === "true" && hasWorkflowCommand(text) ? withCommandsOff(text) : text;
}
