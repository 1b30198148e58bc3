// --verify in each format: a table per flake (text, and Markdown for the
// GitHub job summary), the same data in JSON, and one problem per regression
// for annotations and SARIF. Output names and Nix's messages come from the
// user's flake: they are printed through printable() like every message.
import type { FlakeVerification, OutputSide, VerifiedOutput, VerifyReport } from "../verify/types.js";
import type { VerifyRule } from "../rules.js";
import { printable, quotePath } from "./escape.js";
import type { TextColors } from "./text.js";


const plain: TextColors = { error: (s) => s, warning: (s) => s, note: (s) => s, path: (s) => s, dim: (s) => s };

const sideText = (s: OutputSide) => (s.state === "missing" ? "missing" : s.state);

/** What the reason column says: what the output replaces, then why it differs or fails. */
function reasonOf(o: VerifiedOutput): string {
  return [o.was ? `replaces ${o.was}` : "", o.reason ?? ""].filter(Boolean).join("; ");
}

function headline(f: FlakeVerification, nix: string, write: boolean): string {
  const counts = new Map<string, number>();
  for (const o of f.outputs) {
    const k = o.after.state !== "ok" && o.before.state === "ok" ? "fails" : o.image ?? (o.after.state === "ok" ? "evaluates" : `${sideText(o.before)} before and after`);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const verb: Record<string, [string, string]> = { fails: ["fails", "fail"], differs: ["differs", "differ"], evaluates: ["evaluates", "evaluate"] };
  const what = [...counts].map(([k, n]) => `${n} ${verb[k]?.[n === 1 ? 0 : 1] ?? k}`).join(", ");
  const blocked = write && (f.status === "fails" || f.status === "error") ? "; not written" : "";
  return `verify ${quotePath(f.flake)} (Nix ${nix}, ${f.seconds.toFixed(1)} s): ${f.status === "error" ? "could not be verified" : what || "no image output to compare"}${blocked}`;
}

/** The text report: per flake a headline and a table (output, before, after, image, system, reason). */
export function verifyText(report: VerifyReport, write: boolean, colors: TextColors = plain): string {
  let out = "";
  for (const f of report.flakes) {
    out += `${colors.path(printable(headline(f, report.nixVersion, write)))}\n`;
    if (f.error) out += `  ${colors.error("error")} ${printable(f.error)}\n`;
    if (f.outputs.length) {
      const rows = [["output", "before", "after", "image", "system", "reason"], ...f.outputs.map((o) => [o.output, sideText(o.before), sideText(o.after), o.image ?? "-", o.system ?? "-", reasonOf(o)].map(printable))];
      const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
      const pad = (s: string, w: number) => s + " ".repeat(Math.max(0, w - [...s].length));
      rows.forEach((r, i) => {
        const line = r.map((cell, c) => (c === r.length - 1 ? cell : pad(cell, widths[c]!))).join("  ").trimEnd();
        const o = f.outputs[i - 1];
        const paint = i === 0 ? colors.dim : o && o.before.state === "ok" && o.after.state !== "ok" ? colors.error : o?.image === "differs" ? colors.warning : (s: string) => s;
        out += `  ${paint(line)}\n`;
      });
    }
    for (const u of f.unlocated) out += `  ${colors.note("note")} ${printable(`${quotePath(u.file)}:${u.lineBefore}: an image the migration wrote here is no flake output --verify can find; it was not compared`)}\n`;
  }
  return out;
}

/** The JSON of one flake's verification (on the flake.nix's object of --format json). */
export function verifyJson(f: FlakeVerification, nix: string): object {
  return {
    status: f.status,
    error: f.error,
    nix,
    seconds: Math.round(f.seconds * 10) / 10,
    outputs: f.outputs.map((o) => ({
      output: o.output,
      was: o.was,
      file: o.file,
      line: o.lineBefore,
      lineAfter: o.lineAfter,
      before: o.before,
      after: o.after,
      image: o.image,
      system: o.system,
      reason: o.reason,
    })),
    unlocated: f.unlocated.map((u) => ({ file: u.file, line: u.lineBefore, lineAfter: u.lineAfter })),
  };
}

export interface VerifyProblem {
  readonly rule: VerifyRule;
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** One problem per output that fails after migration or evaluates to another image, and per flake that could not be evaluated. */
export function verifyProblems(report: VerifyReport, written: ReadonlySet<string>): VerifyProblem[] {
  const out: VerifyProblem[] = [];
  for (const f of report.flakes) {
    if (f.error) out.push({ rule: "verify-error", file: f.flake, line: 1, message: `${f.flake} could not be verified: ${f.error}` });
    for (const o of f.outputs) {
      const line = written.has(o.file) ? o.lineAfter : o.lineBefore;
      if (o.before.state === "ok" && o.after.state !== "ok") {
        out.push({ rule: "verify-fails", file: o.file, line, message: `${o.output} evaluated before the migration and ${o.after.state === "missing" ? "is missing" : "fails"} after it${o.after.error ? `: ${o.after.error}` : ""}` });
      } else if (o.image === "differs") {
        out.push({ rule: "verify-differs", file: o.file, line, message: `${o.output}${o.was ? ` (replacing ${o.was})` : ""} is another image after the migration (system ${o.system})${o.reason ? `: ${o.reason}` : ""}` });
      }
    }
  }
  return out;
}

/** Markdown table cell: one line, `|`, `<`, `>`, `&` escaped, control characters shown as escapes. */
function cell(s: string): string {
  return printable(s).replace(/[|<>&]/g, (c) => ({ "|": "\\|", "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!);
}

/** The job summary's section: a table per flake. */
export function verifyMarkdown(report: VerifyReport, write: boolean): string {
  let out = "### nixgen-migrate --verify\n\n";
  for (const f of report.flakes) {
    out += `**${cell(headline(f, report.nixVersion, write))}**\n\n`;
    if (f.error) out += `> ${cell(f.error)}\n\n`;
    if (f.outputs.length) {
      out += "| output | before | after | image | system | reason |\n|---|---|---|---|---|---|\n";
      for (const o of f.outputs) out += `| \`${cell(o.output).replace(/`/g, "'")}\` | ${sideText(o.before)} | ${sideText(o.after)} | ${o.image ?? "-"} | ${o.system ?? "-"} | ${cell(reasonOf(o))} |\n`;
      out += "\n";
    }
  }
  return out;
}
