// Runs fuzz cases (test/fuzz/fuzz.test.ts with a few hundred, `npm run fuzz`
// with 10,000) and the big inputs, checks the properties of properties.ts on
// each and the parse oracle on a sample (or all) of their inputs and outputs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkParseOracle, describeReport, type OracleText } from "../helpers/oracle.js";
import { bigCases } from "./big.js";
import { makeCase } from "./generate.js";
import { checkProject, checkText, type CaseResult, type Outcome } from "./properties.js";
import { problemKey, shrink } from "./shrink.js";

export interface FuzzFailure {
  /** `seed 1 case 17` or the name of a big case. */
  readonly id: string;
  /** What the case was made of (base project and file, mutations). */
  readonly what: string;
  readonly problems: string[];
}

export interface FuzzStats {
  cases: number;
  migrated: number;
  refused: number;
  unchanged: number;
  /** Cases whose texts went through the parse oracle. */
  oracleCases: number;
  oracleSummary: string;
  failures: FuzzFailure[];
  /** Failures listed in known-failures.json. */
  excused: FuzzFailure[];
  ms: number;
}

const KNOWN: { what: RegExp; problem: RegExp; reason: string }[] = (
  JSON.parse(readFileSync(join(import.meta.dirname, "known-failures.json"), "utf8")).failures as { what: string; problem: string; reason: string }[]
).map((k) => ({ what: new RegExp(k.what), problem: new RegExp(k.problem), reason: k.reason }));

/** Is this failure one of the known ones (every one of its problems)? */
function known(f: FuzzFailure): boolean {
  return f.problems.every((p) => KNOWN.some((k) => k.what.test(f.what) && k.problem.test(p)));
}

export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  /** Every n-th case goes through the parse oracle (1: all). */
  readonly oracleEvery: number;
  /** Also the 10 MB file and the 100k-deep cases (all of them, or `quick` ones only). */
  readonly big: "none" | "quick" | "all";
  /** One case only (reproduction). */
  readonly only?: number;
  readonly progress?: (done: number, total: number) => void;
}

const ORACLE_BATCH = 2000;

export async function runFuzz(o: FuzzOptions): Promise<FuzzStats> {
  const t0 = Date.now();
  const stats: FuzzStats = { cases: 0, migrated: 0, refused: 0, unchanged: 0, oracleCases: 0, oracleSummary: "", failures: [], excused: [], ms: 0 };
  const count: Record<Outcome, number> = { migrated: 0, refused: 0, unchanged: 0 };
  let pending: OracleText[] = [];
  const labels = new Map<string, { id: string; what: string }>();
  const oracleProblems: string[] = [];
  const reports: string[] = [];
  const flush = async () => {
    if (!pending.length) return;
    const r = await checkParseOracle(pending);
    reports.push(describeReport("fuzz", r));
    oracleProblems.push(...r.problems);
    pending = [];
  };
  const record = async (id: string, what: string, r: CaseResult, oracle: boolean) => {
    stats.cases++;
    count[r.outcome]++;
    if (r.problems.length) stats.failures.push({ id, what, problems: r.problems });
    if (oracle) {
      stats.oracleCases++;
      for (const t of r.oracle) {
        // checkProject labels its texts with the case id; big cases with their name
        labels.set(t.label, { id, what });
        pending.push(t);
      }
      if (pending.length >= ORACLE_BATCH) await flush();
    }
  };

  const indices = o.only !== undefined ? [o.only] : Array.from({ length: o.count }, (_, i) => i);
  for (const i of indices) {
    const c = makeCase(o.seed, i);
    const id = `seed ${o.seed} case ${i}`;
    const what = `${c.base} <- ${c.mutations.join(", ") || "(no mutation)"}${Object.keys(c.options).length ? ` options ${JSON.stringify(c.options)}` : ""}`;
    let r: CaseResult;
    try {
      r = checkProject(id, c.files, c.primary, c.options);
    } catch (e) {
      // checkProject catches the tool's exceptions; this is the harness or a stack overflow in it
      r = { outcome: "refused", problems: [`exception in the check: ${(e as Error).message}`], oracle: [] };
    }
    await record(id, what, r, i % o.oracleEvery === 0);
    if (o.only !== undefined) console.log(describeCase(c, r));
    o.progress?.(stats.cases, indices.length);
  }

  if (o.big !== "none" && o.only === undefined) {
    for (const b of bigCases(o.big)) {
      let r: CaseResult;
      try {
        r = checkText(b.text, { label: b.name }, { determinism: false });
      } catch (e) {
        r = { outcome: "refused", problems: [`exception in the check: ${(e as Error).message}`], oracle: [] };
      }
      if (b.expect && r.outcome !== b.expect) r.problems.push(`expected ${b.expect}, got ${r.outcome}`);
      // Nix's own parser is recursive: it overflows on 100k-deep texts, so those skip the oracle
      await record(b.name, `${b.name} (${b.text.length} characters)`, r, b.oracle);
    }
  }
  await flush();

  for (const p of oracleProblems) {
    const label = [...labels.keys()].find((l) => p.startsWith(l));
    const owner = label ? labels.get(label)! : { id: "oracle", what: "" };
    stats.failures.push({ id: owner.id, what: owner.what, problems: [`parse oracle: ${p}`] });
  }
  stats.excused = stats.failures.filter(known);
  stats.failures = stats.failures.filter((f) => !known(f));
  stats.migrated = count.migrated;
  stats.refused = count.refused;
  stats.unchanged = count.unchanged;
  stats.oracleSummary = reports.join("\n");
  stats.ms = Date.now() - t0;
  return stats;
}

export function formatStats(s: FuzzStats): string {
  const lines = [
    `fuzz: ${s.cases} cases, ${s.migrated} migrated, ${s.refused} refused, ${s.unchanged} unchanged, ${s.failures.length} failed${s.excused.length ? ` (+${s.excused.length} known, test/fuzz/known-failures.json)` : ""}; ` +
      `${s.oracleCases} through the parse oracle; ${(s.ms / 1000).toFixed(1)} s`,
  ];
  if (s.oracleSummary) lines.push(s.oracleSummary);
  for (const f of s.failures.slice(0, 20)) lines.push(`FAIL ${f.id}: ${f.what}\n  ${f.problems.slice(0, 5).join("\n  ")}`);
  if (s.failures.length > 20) lines.push(`… and ${s.failures.length - 20} more failures`);
  return lines.join("\n");
}

/** One case in full (FUZZ_CASE=n): what it was made of, its mutated file before and after, its findings. */
function describeCase(c: ReturnType<typeof makeCase>, r: CaseResult): string {
  const after = r.result?.files.find((f) => f.path === c.mutated)?.after;
  const findings = r.result?.findings.map((f) => `${f.path}:${f.start.line}:${f.start.column} ${f.severity} ${f.rule} ${f.message}`) ?? [];
  return [`${c.base} <- ${c.mutations.join(", ")} options ${JSON.stringify(c.options)} -> ${r.outcome}`, `=== input ${c.mutated}`, c.files.get(c.mutated), `=== output`, after ?? "(none)", `=== findings`, ...findings, `=== problems`, ...r.problems].join("\n");
}

/**
 * The smallest version of case `index`'s mutated file that still fails the
 * same way (the first problem, numbers and details left out): FUZZ_SHRINK=1.
 */
export function shrinkCase(seed: number, index: number): Promise<string> {
  const c = makeCase(seed, index);
  const key = (files: Map<string, string>) => {
    const r = checkProject("shrink", files, c.primary, c.options);
    return r.problems[0] === undefined ? null : problemKey(r.problems[0]);
  };
  const want = key(c.files);
  if (want === null) return Promise.resolve(c.files.get(c.mutated)!);
  return shrink(c.files.get(c.mutated)!, (t) => key(new Map(c.files).set(c.mutated, t)) === want);
}
