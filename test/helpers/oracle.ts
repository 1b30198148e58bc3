// The parse oracle as a check any test can run on the texts it has or the files
// it produced: our parser must agree with `nix-instantiate --parse` (Nix 2.8) on
// every input unless the text is a documented known gap
// (test/parse-oracle-known-gaps.json), and Nix must accept every output the
// tool produced. Needs `await init()` (our parser) in the calling test.
import { readFileSync } from "node:fs";
import { parseNix } from "../../src/parse.js";
import { knownGap } from "./known-gaps.js";
import { errorWithoutPaths, nixParseAsync, requireNix, staticErrorIsConclusive, type NixParseResult } from "./nix.js";

export interface OracleText {
  /** Shown in problems: `<case>: input flake.nix`. */
  readonly label: string;
  readonly text: string;
  /**
   * For a text the tool produced: the text it was made from. Nix must accept
   * the output (or reject it for the same static reason as the input, e.g. an
   * undefined variable the input already had).
   */
  readonly from?: string;
}

export interface OracleReport {
  /** Everything that is wrong, one line each (empty: all good). */
  readonly problems: string[];
  /** Texts checked (inputs and outputs, distinct). */
  readonly checked: number;
  readonly inputs: number;
  readonly outputs: number;
  /** Inputs where parsers disagree but the text is a documented known gap: reason -> count. */
  readonly excused: Map<string, number>;
  /** Nix stopped at a name defined twice and our parser found a syntax error, or both an output and its input have one: cannot tell who is right. */
  readonly inconclusive: number;
  /** Inputs Nix accepts / rejects for syntax / rejects for a static reason. */
  readonly verdicts: { ok: number; syntax: number; static: number };
}

/**
 * A leading BOM is a documented gap (Nix 2.8 rejects it, tree-sitter skips it,
 * the tool keeps it): it is removed before anything is compared, so the rest
 * of the text is still checked.
 */
const stripBom = (t: string) => (t.charCodeAt(0) === 0xfeff ? t.slice(1) : t);

/** A static error without names and positions: `attribute '…' already defined at …`. */
const staticClass = (e: string) => errorWithoutPaths(e).replace(/'[^']*'/g, "'…'");

const short = (r: NixParseResult) => (r.ok ? "ok" : `${r.error}${r.at ? ` (${r.at.line}:${r.at.column})` : ""}`);

/** Runs the oracle on `texts` (inputs and outputs) and reports every disagreement. */
export async function checkParseOracle(texts: readonly OracleText[]): Promise<OracleReport> {
  requireNix();
  const distinct = new Map<string, number>();
  const add = (t: string) => {
    const s = stripBom(t);
    if (!distinct.has(s)) distinct.set(s, distinct.size);
    return distinct.get(s)!;
  };
  const jobs = texts.map((t) => ({ t, self: add(t.text), from: t.from === undefined ? null : add(t.from) }));
  const all = [...distinct.keys()];
  const nix = await nixParseAsync(all);
  const ours = new Map<number, boolean>();
  const oursOk = (i: number) => {
    if (!ours.has(i)) ours.set(i, parseNix(all[i]!).error === null);
    return ours.get(i)!;
  };

  const problems: string[] = [];
  const excused = new Map<string, number>();
  let inconclusive = 0;
  const verdicts = { ok: 0, syntax: 0, static: 0 };
  const comparedInputs = new Set<number>();
  const compareInput = (i: number, label: string) => {
    if (comparedInputs.has(i)) return;
    comparedInputs.add(i);
    const v = nix[i]!;
    verdicts[v.kind]++;
    const mine = oursOk(i);
    if (!mine && v.kind === "static" && !staticErrorIsConclusive(v)) {
      inconclusive++;
      return;
    }
    const theirs = v.kind !== "syntax";
    if (mine === theirs) return;
    const gap = knownGap(all[i]!);
    if (gap) {
      excused.set(gap, (excused.get(gap) ?? 0) + 1);
      return;
    }
    problems.push(`${label}: our parser says ${mine ? "ok" : `error (${parseNix(all[i]!).error!.message})`}, Nix says ${short(v)}`);
  };

  let outputs = 0;
  for (const { t, self, from } of jobs) {
    if (from === null) {
      compareInput(self, t.label);
      continue;
    }
    outputs++;
    compareInput(from, `${t.label} (its input)`);
    if (!oursOk(self)) problems.push(`${t.label}: our parser rejects the tool's output (${parseNix(all[self]!).error!.message})`);
    const out = nix[self]!;
    if (out.ok) continue;
    const input = nix[from]!;
    if (out.kind === "static" && input.kind === "static" && errorWithoutPaths(out.error) === errorWithoutPaths(input.error)) continue;
    // Both stop at a name defined twice (Nix reports only the first it meets):
    // when the input already had one, the output's may be the same one or another
    // the input also had; Nix cannot tell us which.
    if (out.kind === "static" && input.kind === "static" && !staticErrorIsConclusive(out) && !staticErrorIsConclusive(input) && staticClass(out.error) === staticClass(input.error)) {
      inconclusive++;
      continue;
    }
    // The input stopped at a name defined twice, so Nix never checked its variables: an
    // undefined variable in the output is the tool's only if the tool wrote the name.
    const undefinedName = out.kind === "static" && input.kind === "static" && !staticErrorIsConclusive(input) ? /^undefined variable '([^']*)'/.exec(out.error)?.[1] : undefined;
    if (undefinedName !== undefined && new RegExp(`(^|[^\\w'-])${undefinedName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w'-])`).test(all[from]!)) {
      inconclusive++;
      continue;
    }
    // a gap the input already had may carry over into the output; one the tool introduced may not
    const gap = knownGap(all[self]!);
    if (gap && gap === knownGap(all[from]!) && input.kind === "syntax") {
      excused.set(gap, (excused.get(gap) ?? 0) + 1);
      continue;
    }
    problems.push(`${t.label}: Nix rejects the tool's output: ${short(out)}; the input: ${short(input)}`);
  }
  return { problems, checked: all.length, inputs: comparedInputs.size, outputs, excused, inconclusive, verdicts };
}

/** The oracle on files on disk: `outputs` maps a produced file to the text it was made from. */
export async function checkParseOracleFiles(files: readonly { path: string; label?: string; from?: string }[]): Promise<OracleReport> {
  return checkParseOracle(files.map((f) => ({ label: f.label ?? f.path, text: readFileSync(f.path, "utf8"), ...(f.from !== undefined ? { from: f.from } : {}) })));
}

/** One line per excused gap, for test logs. */
export function describeReport(name: string, r: OracleReport): string {
  const gaps = [...r.excused].map(([reason, n]) => `${n}× ${reason.split(":")[0]}`).join("; ");
  return `${name}: parse oracle on ${r.checked} texts (${r.inputs} inputs: ${r.verdicts.ok} ok, ${r.verdicts.syntax} syntax errors, ${r.verdicts.static} static errors; ${r.outputs} outputs), ` +
    `${r.problems.length} problems, ${r.inconclusive} inconclusive${gaps ? `, known gaps: ${gaps}` : ""}`;
}
