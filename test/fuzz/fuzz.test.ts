// Property tests on mutated fixtures (see generate.ts, properties.ts): a few
// hundred cases here; `npm run fuzz` runs 10,000 and every big input.
// FUZZ_SEED, FUZZ_CASES, FUZZ_CASE (one case, printed in full), FUZZ_ORACLE_EVERY,
// FUZZ_BIG=none|quick|all, FUZZ_SHRINK=1 (print the first failing case shrunk).
import { beforeAll, expect, it } from "vitest";
import { init } from "../../src/index.js";
import { formatStats, runFuzz, shrinkCase } from "./runner.js";

const env = process.env;
const count = Number(env.FUZZ_CASES ?? 300);

beforeAll(async () => {
  await init();
});

it(`${count} mutated fixtures and the big inputs: no exception, valid idempotent output or a clean refusal, Nix agrees`, async () => {
  const stats = await runFuzz({
    seed: Number(env.FUZZ_SEED ?? 1),
    count,
    oracleEvery: Number(env.FUZZ_ORACLE_EVERY ?? 3),
    big: (env.FUZZ_BIG as "none" | "quick" | "all" | undefined) ?? "quick",
    ...(env.FUZZ_CASE !== undefined ? { only: Number(env.FUZZ_CASE) } : {}),
    progress: env.FUZZ_PROGRESS ? (d, t) => { if (d % 500 === 0) process.stderr.write(`fuzz: ${d}/${t}\n`); } : undefined,
  });
  console.log(formatStats(stats));
  const first = stats.failures.find((f) => f.id.startsWith("seed "));
  if (first && env.FUZZ_SHRINK) {
    const [, seed, index] = /^seed (\d+) case (\d+)/.exec(first.id)!;
    console.log(`${first.id} shrunk:\n${await shrinkCase(Number(seed), Number(index))}`);
  }
  expect(stats.cases).toBeGreaterThan(0);
  expect(stats.failures.map((f) => `${f.id}: ${f.what}: ${f.problems.join("; ")}`)).toEqual([]);
}, 3_600_000);
