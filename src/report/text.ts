// Human-readable findings and the one-line summary.
import type { Finding, Severity } from "../types.js";
import { printable, quotePath } from "./escape.js";

export interface TextColors {
  error(s: string): string;
  warning(s: string): string;
  note(s: string): string;
  path(s: string): string;
  dim(s: string): string;
}

const plain: TextColors = { error: (s) => s, warning: (s) => s, note: (s) => s, path: (s) => s, dim: (s) => s };

/** `file:line:col severity rule-id message` (one line per finding; the path quoted and the message escaped as needed). */
export function formatFinding(f: Finding, colors: TextColors = plain): string {
  const sev = colors[f.severity](f.severity);
  return `${colors.path(`${quotePath(f.path)}:${f.start.line}:${f.start.column}`)} ${sev} ${colors.dim(f.rule)} ${printable(f.message)}`;
}

export interface Summary {
  files: number;
  changed: number;
  written: number;
  refused: number;
  /** files that could not be read or written */
  failed: number;
  bySeverity: Record<Severity, number>;
  dryRun: boolean;
}

export function formatSummary(s: Summary): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  const parts: string[] = [];
  if (s.dryRun) parts.push(`${plural(s.changed, "file")} to migrate`);
  else parts.push(`${plural(s.written, "file")} migrated`);
  parts.push(`${Math.max(0, s.files - s.changed - s.refused - s.failed)} unchanged`);
  if (s.refused) parts.push(`${s.refused} refused`);
  if (s.failed) parts.push(`${s.failed} failed`);
  const sev = [
    s.bySeverity.error ? plural(s.bySeverity.error, "error") : "",
    s.bySeverity.warning ? plural(s.bySeverity.warning, "warning") : "",
    s.bySeverity.note ? plural(s.bySeverity.note, "note") : "",
  ].filter(Boolean);
  let line = parts.join(", ");
  if (sev.length) line += ` (${sev.join(", ")})`;
  if (s.dryRun && s.changed) line += "; run with --write to apply";
  return line;
}
