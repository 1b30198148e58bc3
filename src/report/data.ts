// What every reporter gets: the outcome of a whole run.
import type { FileResult } from "../engine.js";
import type { Finding } from "../types.js";
import { nixgenMigrateCommand } from "./escape.js";
import type { VerifyReport } from "../verify/types.js";

export interface ReportData {
  /** Files looked at (given, or found by the walk and not skipped by the prefilter) and files changed on their behalf; sorted by path. */
  readonly files: FileResult[];
  /** Sorted by path and position. */
  readonly findings: Finding[];
  /** Files that could not be read or written (exit code 2). Not yet printed anywhere (each format prints them its way). */
  readonly errors: { path: string; message: string }[];
  readonly mode: "dry" | "check" | "write";
  /** Paths written by --write. */
  readonly written: Set<string>;
  /** Files considered, including the ones the prefilter skipped. */
  readonly checked: number;
  /** The tool's version (package.json is read only by a reporter that prints it: sarif). */
  readonly version: () => string;
  /** Paths are relative to this directory, with forward slashes. */
  readonly cwd: string;
  /** --verify: each flake's outputs before and after migration. */
  readonly verify?: VerifyReport;
}

/** Findings grouped by path (a finding may be about a file that did not change). */
export function findingsByPath(findings: readonly Finding[]): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const f of findings) {
    let l = m.get(f.path);
    if (!l) m.set(f.path, (l = []));
    l.push(f);
  }
  return m;
}

/** Every path a report mentions, in order: files, then files only findings or errors refer to. */
export function reportPaths(data: ReportData): string[] {
  const paths = new Set<string>(data.files.map((f) => f.path));
  for (const f of data.findings) paths.add(f.path);
  for (const e of data.errors) paths.add(e.path);
  return [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The part of the CLI's Io a reporter may use. */
export interface ReportIo {
  stdout(s: string): void;
  stderr(s: string): void;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Not a finding of a pass: the report's own "this file still needs migrating"
 * (dry run and --check), one per changed file, for annotations and SARIF.
 */
export const NEEDS_MIGRATION = {
  id: "needs-migration",
  summary: "The file still uses nixos-generators; nixgen-migrate --write migrates it.",
} as const;

export function needsMigrationMessage(path: string): string {
  return `${path} still uses nixos-generators; run \`${nixgenMigrateCommand("--write", path)}\` to migrate it (or apply the diff in the job summary)`;
}

/** 1-based line of the first difference between two texts (in `before`). */
export function firstChangedLine(before: string, after: string): number {
  const n = Math.min(before.length, after.length);
  let i = 0;
  while (i < n && before.charCodeAt(i) === after.charCodeAt(i)) i++;
  let line = 1;
  for (let k = before.indexOf("\n"); k >= 0 && k < i; k = before.indexOf("\n", k + 1)) line++;
  return line;
}

/**
 * JSON text in which no line holds a GitHub Actions workflow command: `##[` is
 * read as one anywhere in a line (a JSON line never starts with `::`), and in
 * JSON it can only stand in a string, where `\u0023` is the same `#`.
 */
export function inertJson(json: string): string {
  return json.includes("##[") ? json.replaceAll("##[", "#\\u0023[") : json;
}
