// --format json: a JSON array with one object per file, one file per line:
//   [
//   {"path":"flake.nix","changed":true,"written":false,"findings":[…],"diff":"diff --git …"},
//   …
//   ]
// Files are the ones the run looked at (given, or found by the walk and not
// skipped by the prefilter), files changed on their behalf, and files that
// findings or errors are about. Positions are 1-based; columns count code points.
import { unifiedDiff } from "./diff.js";
import { findingsByPath, reportPaths, inertJson, type ReportData, type ReportIo } from "./data.js";
import type { Finding } from "../types.js";
import { verifyJson } from "./verify.js";

export interface JsonFinding {
  rule: string;
  severity: Finding["severity"];
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface JsonFile {
  path: string;
  /** The migration changes this file (with --write: and it was written unless `error` says otherwise). */
  changed: boolean;
  written: boolean;
  /** Why the file was not migrated at all (syntax error, internal error, conflicting changes). */
  refused: string | null;
  /** An I/O error (cannot read or write). */
  error: string | null;
  findings: JsonFinding[];
  /** Unified diff (a/ b/ headers, as the text format prints it); null when nothing changes. */
  diff: string | null;
  /** --verify, on a flake.nix it verified: the outputs before and after (src/report/verify.ts). */
  verify?: object;
}

export function jsonFiles(data: ReportData): JsonFile[] {
  const files = new Map(data.files.map((f) => [f.path, f]));
  const findings = findingsByPath(data.findings);
  const errors = new Map<string, string>();
  for (const e of data.errors) errors.set(e.path, errors.has(e.path) ? `${errors.get(e.path)}; ${e.message}` : e.message);
  const verified = new Map((data.verify?.flakes ?? []).map((v) => [v.flake, verifyJson(v, data.verify!.nixVersion)]));
  return reportPaths(data).map((path) => {
    const f = files.get(path);
    const changed = !!f?.changed;
    const verify = verified.get(path);
    return {
      path,
      changed,
      written: data.written.has(path),
      refused: f?.refused ? f.refused.message : null,
      error: errors.get(path) ?? null,
      findings: (findings.get(path) ?? []).map((x) => ({
        rule: x.rule,
        severity: x.severity,
        message: x.message,
        line: x.start.line,
        column: x.start.column,
        endLine: x.end.line,
        endColumn: x.end.column,
      })),
      diff: changed && f ? unifiedDiff(path, f.before, f.after) : null,
      ...(verify ? { verify } : {}),
    };
  });
}

export function reportJson(data: ReportData, io: ReportIo): void {
  const files = jsonFiles(data);
  io.stdout(files.length ? `[\n${files.map((f) => inertJson(JSON.stringify(f))).join(",\n")}\n]\n` : "[]\n");
}
