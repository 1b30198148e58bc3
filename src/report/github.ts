// --format github: workflow commands for GitHub Actions.
//   - one annotation per finding (`::error` / `::warning` / `::notice`), and in a
//     dry run or --check one `::warning` per file that still needs migrating;
//     GitHub shows only 10 annotations of each kind per step, so at most 10 of
//     each are printed and the rest are counted in a log line;
//   - the diff in a collapsed log group, and the I/O errors, printed with
//     workflow commands off (`::stop-commands::<token>` … `::<token>::`): a line of
//     a flake such as ` ::add-mask::…` or `# ##[error]…` must not reach the runner
//     as a command. Every other line is ours; paths and messages in annotations
//     are escaped as the runner unescapes them. stderr gets only the summary line
//     (the runner reads both streams, in no fixed order relative to each other);

//   - a Markdown summary (counts, findings, the diff in <details>) appended to
//     $GITHUB_STEP_SUMMARY when it is set, kept under GitHub's 1 MiB limit.
import { appendFileSync, statSync } from "node:fs";
import { unifiedDiff } from "./diff.js";
import { firstChangedLine, needsMigrationMessage, NEEDS_MIGRATION, type ReportData, type ReportIo } from "./data.js";
import { printable, printableLine, quotePath, withCommandsOff } from "./escape.js";
import type { Severity } from "../types.js";
import { VERIFY_RULES } from "../rules.js";
import { verifyMarkdown, verifyProblems } from "./verify.js";

export const MAX_ANNOTATIONS_PER_KIND = 10;
/** GitHub refuses step summaries over 1 MiB (1024 KiB); stay a little below. */
export const SUMMARY_LIMIT = 1024 * 1024 - 4096;

type Kind = "error" | "warning" | "notice";
const KIND: Record<Severity, Kind> = { error: "error", warning: "warning", note: "notice" };

/** Escaping of @actions/core's command.ts. */
function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export interface Annotation {
  kind: Kind;
  file: string;
  line: number;
  col?: number;
  endLine?: number;
  endColumn?: number;
  title: string;
  message: string;
}

/** One annotation (control characters escaped too: the runner may echo the line to the log). */
export function annotationCommand(a: Annotation): string {
  const props = [`file=${escapeProperty(printable(a.file))}`, `line=${a.line}`];
  if (a.col !== undefined) props.push(`col=${a.col}`);
  if (a.endLine !== undefined) props.push(`endLine=${a.endLine}`);
  if (a.endColumn !== undefined) props.push(`endColumn=${a.endColumn}`);
  props.push(`title=${escapeProperty(printable(a.title))}`);
  return `::${a.kind} ${props.join(",")}::${escapeData(printable(a.message))}`;
}

export function annotations(data: ReportData): Annotation[] {
  const out: Annotation[] = [];
  if (data.mode !== "write") {
    for (const f of data.files) {
      if (!f.changed) continue;
      out.push({ kind: "warning", file: f.path, line: firstChangedLine(f.before ?? "", f.after), title: NEEDS_MIGRATION.id, message: needsMigrationMessage(f.path) });
    }
  }
  for (const f of data.findings) {
    out.push({
      kind: KIND[f.severity],
      file: f.path,
      line: f.start.line,
      col: f.start.column,
      endLine: f.end.line,
      endColumn: f.end.column,
      title: f.rule,
      message: f.message,
    });
  }
  for (const e of data.errors) out.push({ kind: "error", file: e.path, line: 1, title: "nixgen-migrate", message: `${e.path}: ${e.message}` });
  for (const p of data.verify ? verifyProblems(data.verify, data.written) : []) {
    out.push({ kind: VERIFY_RULES[p.rule].severity, file: p.file, line: p.line, title: p.rule, message: p.message });
  }
  return out;
}

export function reportGithub(data: ReportData, io: ReportIo): void {
  const diffs = data.mode === "write" ? [] : data.files.filter((f) => f.changed).map((f) => unifiedDiff(f.path, f.before, f.after));
  if (diffs.length) {
    io.stdout(`::group::nixgen-migrate: diff of ${plural(diffs.length, "file")}\n`);
    // the flake's own lines: commands off (and its control characters escaped for the log)
    io.stdout(withCommandsOff(diffs.join("").split("\n").map(printableLine).join("\n")));
    io.stdout("::endgroup::\n");
  }
  if (data.errors.length) io.stdout(withCommandsOff(data.errors.map((e) => `${quotePath(e.path)}: ${printable(e.message)}\n`).join("")));
  const shown: Record<Kind, number> = { error: 0, warning: 0, notice: 0 };
  const hidden: Record<Kind, number> = { error: 0, warning: 0, notice: 0 };
  for (const a of annotations(data)) {
    if (shown[a.kind] >= MAX_ANNOTATIONS_PER_KIND) {
      hidden[a.kind]++;
      continue;
    }
    shown[a.kind]++;
    io.stdout(annotationCommand(a) + "\n");
  }
  for (const kind of ["error", "warning", "notice"] as const) {
    if (hidden[kind]) {
      io.stdout(`nixgen-migrate: ${plural(hidden[kind], `more ${kind}`)} not shown as annotations (GitHub shows ${MAX_ANNOTATIONS_PER_KIND} per kind and step); see the job summary\n`);
    }
  }
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) {
    let used = 0;
    try {
      used = statSync(summaryFile).size;
    } catch {
      // not there yet
    }
    try {
      appendFileSync(summaryFile, stepSummary(data, diffs, SUMMARY_LIMIT - used));
    } catch (e) {
      io.stderr(`nixgen-migrate: cannot write the step summary ${summaryFile}: ${(e as Error).message}\n`);
    }
  }
}

const bytes = (s: string) => Buffer.byteLength(s, "utf8");
// (report/text.ts has the same one-liner; importing it here would split text.ts into a chunk of its own that start-up loads)
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;

function fence(text: string): string {
  let longest = 2;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return "`".repeat(longest + 1);
}

function escapeHtml(s: string): string {
  return s.replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!);
}

/** Markdown text on one line: `<`, `>` and `&` escaped outside `code spans` (GitHub would drop `<image>` as a tag). */
function mdText(s: string): string {
  const line = s.replace(/\r?\n/g, " ");
  const parts = line.split("`");
  if (parts.length % 2 === 0) return escapeHtml(line); // unbalanced backticks: no code spans
  return parts.map((p, i) => (i % 2 ? p : escapeHtml(p))).join("`");
}

function mdCodeSpan(s: string): string {
  return `<code>${escapeHtml(s)}</code>`;
}

/** The Markdown for $GITHUB_STEP_SUMMARY, at most `budget` bytes (the diff is cut first). */
export function stepSummary(data: ReportData, diffs: string[], budget: number): string {
  const changed = data.files.filter((f) => f.changed);
  const sev = { error: 0, warning: 0, note: 0 };
  for (const f of data.findings) sev[f.severity]++;
  const head: string[] = ["## nixgen-migrate", ""];
  const what = data.mode === "write" ? `${plural(data.written.size, "file")} migrated` : `**${plural(changed.length, "file")} to migrate**`;
  head.push(`${what} of ${plural(data.checked, "file")} checked · ${plural(sev.error, "error")}, ${plural(sev.warning, "warning")}, ${plural(sev.note, "note")}${data.errors.length ? ` · ${plural(data.errors.length, "file")} with I/O errors` : ""}`, "");
  if (changed.length && data.mode !== "write") {
    head.push("Apply it with `nixgen-migrate --write`, or `git apply` the diff below (flake.lock is pruned in the same diff).", "");
  }
  const findingLines = data.findings.map((f) => `- ${mdCodeSpan(`${f.path}:${f.start.line}:${f.start.column}`)} **${f.severity}** ${mdCodeSpan(f.rule)} ${mdText(f.message)}`);
  const errorLines = data.errors.map((e) => `- ${mdCodeSpan(e.path)} ${mdText(e.message)}`);
  let out = head.join("\n") + "\n";
  const add = (block: string[], title: string, open: boolean): void => {
    if (!block.length) return;
    const start = `<details${open ? " open" : ""}><summary>${title}</summary>\n\n`;
    const end = "\n\n</details>\n\n";
    const room = budget - bytes(out) - bytes(start) - bytes(end) - 2048; // keep room for the diff header
    let body = "";
    let n = 0;
    for (const l of block) {
      if (bytes(body) + bytes(l) + 1 > room) break;
      body += l + "\n";
      n++;
    }
    if (n < block.length) body += `- … ${block.length - n} more not shown (the summary is limited to 1 MiB)\n`;
    out += start + body.trimEnd() + end;
  };
  if (data.verify) out += verifyMarkdown(data.verify, data.mode === "write");
  add(errorLines, `I/O errors (${errorLines.length})`, true);
  add(findingLines, `Findings (${findingLines.length})`, sev.error > 0);
  if (diffs.length) {
    const all = diffs.join("");
    const f = fence(all);
    const start = `<details><summary>Diff (${plural(diffs.length, "file")})</summary>\n\n${f}diff\n`;
    const end = `${f}\n\n</details>\n`;
    const room = budget - bytes(out) - bytes(start) - bytes(end) - 512;
    let shown = all;
    let note = "";
    if (bytes(all) > room) {
      // cut at a line boundary within the budget (bytes, not characters)
      const buf = Buffer.from(all, "utf8").subarray(0, Math.max(0, room));
      let cut = buf.toString("utf8");
      if (cut.endsWith("\uFFFD")) cut = cut.slice(0, -1);
      const nl = cut.lastIndexOf("\n");
      shown = nl >= 0 ? cut.slice(0, nl + 1) : "";
      note = `\n> The diff was truncated to ${bytes(shown)} of ${bytes(all)} bytes (GitHub limits a step summary to 1 MiB). Run \`nixgen-migrate\` locally for the full diff.\n`;
    }
    out += start + shown + end + note;
  }
  return out;
}
