// Stage 6 of a run: the report in the chosen format, the summary line, and
// the exit code. Paths are quoted and messages escaped (report/escape.ts);
// in GitHub Actions a text report that would hold a workflow command is
// printed with commands off.
import type { DiffColors } from "../report/diff.js";
import { formatFinding, formatSummary, type TextColors } from "../report/text.js";
import { inertInActions, printable, printableLine, quotePath } from "../report/escape.js";
import type { ReportData } from "../report/data.js";
import { EXIT_FINDINGS, EXIT_OK, FAILURES } from "./errors.js";
import type { Args, Format } from "./args.js";
import { mayWrite } from "../verify/types.js";

export interface ReportIo {
  stdout(s: string): void;
  stderr(s: string): void;
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export interface Palettes {
  readonly diff: DiffColors;
  readonly text: TextColors;
}

/** Prints the report in the chosen format; returns the exit code. */
export async function report(data: ReportData, args: Args, io: ReportIo, colors: Palettes): Promise<number> {
  // Each part is written at once: a write per line was a system call per line (thousands on a big tree).
  const write = (stream: (s: string) => void, parts: string[]) => void (parts.length && stream(inertInActions(parts.join(""), io.env)));
  // --format github prints them itself, on the stream its workflow commands go to
  if (args.format !== "github") write(io.stderr, data.errors.map((e) => `${quotePath(e.path)}: ${printable(e.message)}\n`));

  const changed = data.files.filter((f) => f.changed);
  if (args.format === "text") {
    if (args.check) {
      // -z: the paths as they are, for xargs -0; otherwise quoted like git (a newline cannot split one)
      if (args.nulSeparated) changed.length && io.stdout(changed.map((f) => `${f.path}\0`).join(""));
      else write(io.stdout, changed.map((f) => `${quotePath(f.path)}\n`));
    } else if (!args.write && changed.length) {
      // the diff library is loaded only when a diff is printed; a terminal gets the lines' control characters escaped
      const { unifiedDiff } = await import("../report/diff.js");
      const show = io.isTTY ? printableLine : undefined;
      write(io.stdout, changed.map((f) => unifiedDiff(f.path, f.before, f.after, colors.diff, show)));
    }
    // --check: stdout is only the list of paths (for xargs); errors and warnings go to stderr, notes are left out
    const shown = data.findings.filter((f) => !args.check || f.severity !== "note");
    write(args.check ? io.stderr : io.stdout, shown.map((f) => formatFinding(f, colors.text) + "\n"));
    if (data.verify) {
      const { verifyText } = await import("../report/verify.js");
      write(args.check ? io.stderr : io.stdout, [verifyText(data.verify, args.write, colors.text)]);
    }
  } else {
    const reporter = await loadReporter(args.format);
    await reporter(data, io);
  }
  io.stderr(summaryLine(data, args) + "\n");
  return exitCode(data, args);
}

function summaryLine(data: ReportData, args: Args): string {
  const changed = data.files.filter((f) => f.changed);
  const changedPaths = new Set(changed.map((f) => f.path));
  const bySeverity = { error: 0, warning: 0, note: 0 };
  for (const f of data.findings) bySeverity[f.severity]++;
  const primaries = data.files.filter((f) => f.primary).length;
  // module files and flake.lock changed by a flake's migration count as files too
  const secondaries = data.files.filter((f) => !f.primary && (f.changed || f.refused)).length;
  return formatSummary({
    files: Math.max(primaries, data.checked) + secondaries,
    failed: new Set(data.errors.map((e) => e.path).filter((p) => !changedPaths.has(p))).size,
    changed: changed.length,
    written: data.written.size,
    refused: data.files.filter((f) => f.refused && f.refused.kind !== "unparsed").length,
    bySeverity,
    dryRun: !args.write,
  });
}

/**
 * 2 for files that could not be read, written or parsed (a refusal other than
 * "withheld": that one's finding gives 1; "unparsed", a file without
 * nixos-generators in it, fails nothing); 1 for changes still needed or
 * errors in findings; else 0.
 */
function exitCode(data: ReportData, args: Args): number {
  if (data.errors.length || data.files.some((f) => f.refused && f.refused.kind !== "withheld" && f.refused.kind !== "unparsed")) return FAILURES.file.exit;
  if (!args.write && data.files.some((f) => f.changed)) return EXIT_FINDINGS;
  if (data.findings.some((f) => f.severity === "error")) return EXIT_FINDINGS;
  // --verify: an output that fails after migration, or a flake that could not be evaluated (not written)
  if (data.verify?.flakes.some((f) => !mayWrite(f))) return EXIT_FINDINGS;
  return EXIT_OK;
}

/** Reporters other than text are loaded only when asked for (start-up time). */
async function loadReporter(format: Exclude<Format, "text">): Promise<(data: ReportData, io: ReportIo) => void | Promise<void>> {
  switch (format) {
    case "json":
      return (await import("../report/json.js")).reportJson;
    case "github":
      return (await import("../report/github.js")).reportGithub;
    case "sarif":
      return (await import("../report/sarif.js")).reportSarif;
  }
}
