// The exit codes, and the user-facing errors: each kind with its exit code and
// the one-line hint printed after its message. Usage and internal errors end
// the run; a file that cannot be read or written does not: it is listed in the
// report (its message says what to do) and the run ends with the kind's code.
import { printable } from "../report/escape.js";

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export type FailureKind = "usage" | "file" | "internal";

export const FAILURES: Record<FailureKind, { readonly exit: number; readonly hint: string }> = {
  /** A bad command line. */
  usage: { exit: EXIT_ERROR, hint: "Run nixgen-migrate --help for usage." },
  /** A file that cannot be read or written (each message carries its own advice). */
  file: { exit: EXIT_ERROR, hint: "" },
  /** A bug, or a worker thread that died: never exit 1 ("changes needed") for that. */
  internal: { exit: EXIT_ERROR, hint: "Please report this at the project's issue tracker." },
};

/** An error that ends the run: `nixgen-migrate: <message>` and the kind's hint, then its exit code. */
export class CliError extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
  }
}

/** The lines a failure prints on stderr. */
export function failureText(kind: FailureKind, message: string): string {
  const hint = FAILURES[kind].hint;
  const lines = message.split("\n").map(printable).join("\n");
  return `nixgen-migrate: ${lines}\n${hint ? hint + "\n" : ""}`;
}
