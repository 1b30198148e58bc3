#!/usr/bin/env node
// `nixgen-migrate --write .` over 1,000 flakes that all need rewriting
// (each with its configuration.nix): files written per second
// (goal: at least 300 on 2 cores). Each run gets a fresh copy of the tree.
//
//   node bench/write-many.mjs [--flakes 1000] [--runs 3]
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateFlakes } from "./lib/tree.mjs";
import { machine, median, timeOnce, builtBin } from "./lib/measure.mjs";

const { values } = parseArgs({ options: { flakes: { type: "string", default: "1000" }, runs: { type: "string", default: "3" } } });
const n = Number(values.flakes);
const runs = Number(values.runs);
const bin = builtBin();

const base = join(tmpdir(), `nixgen-bench-flakes-${n}`);
rmSync(base, { recursive: true, force: true });
mkdirSync(base, { recursive: true });
generateFlakes(base, n);
const work = join(tmpdir(), `nixgen-bench-flakes-${n}-work`);

console.log(`write-many: ${n} flakes that all need rewriting (+ ${n} module files that do not); ${runs} runs (median)`);
console.log(`machine: ${machine()}`);
for (const jobs of ["auto", "1", "2"]) {
  const walls = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    rmSync(work, { recursive: true, force: true });
    cpSync(base, work, { recursive: true });
    const r = timeOnce(process.execPath, [bin, "--write", "-j", jobs, "."], { cwd: work });
    if (!new RegExp(`^${n} files migrated`, "m").test(r.stderr)) throw new Error(`unexpected result: ${r.stderr.slice(-500)}`);
    walls.push(r.wall);
    rss = Math.max(rss, r.rssMB);
  }
  const wall = median(walls);
  console.log(`  -j ${jobs.padEnd(4)} ${wall.toFixed(2)} s wall, ${(n / wall).toFixed(0)} files written/s (goal >= 300), peak RSS ${rss.toFixed(0)} MB`);
}
rmSync(work, { recursive: true, force: true });
