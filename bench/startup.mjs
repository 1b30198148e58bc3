// Whole-process time of a dry run on one typical flake, against `node -e 0` on
// the same machine (goal: median <= 1.8x), and on a flake whose configuration
// has 5 module files the image-only-options pass follows (nested imports,
// options moved in two of them). Prints medians of N alternating runs.
//   node bench/startup.mjs [runs=30]
import { spawnSync } from "node:child_process";
import { mkdtempSync, copyFileSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtBin, median } from "./lib/measure.mjs";

const root = new URL("..", import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 30);
const dir = mkdtempSync(join(tmpdir(), "nixgen-bench-"));
copyFileSync(join(root, "examples", "flake.nix"), join(dir, "flake.nix"));
const modules = mkdtempSync(join(tmpdir(), "nixgen-bench-"));
cpSync(join(root, "fixtures", "image-only-options", "nested-imports", "input"), modules, { recursive: true });

const time = (args, cwd = dir, env = {}) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, stdio: "ignore", env: { ...process.env, NO_COLOR: "1", ...env } });
  if (r.status !== 0 && r.status !== 1) throw new Error(`exit ${r.status} for ${args.join(" ")}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
};

const bin = builtBin();
const base = [];
const tool = [];
const withModules = [];
const noCache = [];
const NO_CACHE = { NIXGEN_MIGRATE_NO_COMPILE_CACHE: "1" };
for (let i = 0; i < 3; i++) { time(["-e", "0"]); time([bin, "flake.nix"]); time([bin, "flake.nix"], modules); time([bin, "flake.nix"], dir, NO_CACHE); }
for (let i = 0; i < runs; i++) {
  base.push(time(["-e", "0"]));
  tool.push(time([bin, "flake.nix"]));
  withModules.push(time([bin, "flake.nix"], modules));
  noCache.push(time([bin, "flake.nix"], dir, NO_CACHE));
}
rmSync(dir, { recursive: true, force: true });
rmSync(modules, { recursive: true, force: true });
const b = median(base);
const t = median(tool);
const m = median(withModules);
console.log(`node -e 0                                median ${b.toFixed(1)} ms  (${runs} runs)`);
console.log(`nixgen-migrate flake.nix (dry)           median ${t.toFixed(1)} ms  ratio ${(t / b).toFixed(2)}x  (goal <= 1.80x)`);
console.log(`  the same, a flake with 5 module files  median ${m.toFixed(1)} ms  ratio ${(m / b).toFixed(2)}x`);
const n = median(noCache);
console.log(`  the same, compile cache off            median ${n.toFixed(1)} ms  ratio ${(n / b).toFixed(2)}x`);
