#!/usr/bin/env node
// `nixgen-migrate --check` over a generated 20k-file Nix tree (300 flakes that
// use nixos-generators, the rest ordinary modules), against
//   - ripgrep:  rg -l nixos-generators            (goal: at most 2x its time)
//   - ast-grep: ast-grep run -l nix -p '$G.nixosGenerate $A'   (goal: at least 5x faster)
// and our peak RSS (goal: at most 150 MB). Prints figures; asserts nothing.
//
//   node bench/check-tree.mjs [--files 20000] [--flakes 300] [--runs 5]
//
// ripgrep comes from the system (Debian: apt-get install -y ripgrep); ast-grep
// (npm @ast-grep/cli) is installed into a temp directory at bench time, never
// as a project dependency. The tree is generated once under the temp directory.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { generateTree } from "./lib/tree.mjs";
import { interleaved, machine, summarize, which, builtBin } from "./lib/measure.mjs";

const { values } = parseArgs({ options: { files: { type: "string", default: "20000" }, flakes: { type: "string", default: "300" }, runs: { type: "string", default: "5" } } });
const files = Number(values.files);
const flakes = Number(values.flakes);
const runs = Number(values.runs);
const bin = builtBin();

const tree = join(tmpdir(), `nixgen-bench-tree-${files}-${flakes}`);
if (!existsSync(join(tree, ".done"))) {
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  generateTree(tree, { files, flakes });
  spawnSync("touch", [join(tree, ".done")]);
}

const rg = which("rg");
let astGrep = null;
const sgDir = join(tmpdir(), "nixgen-bench-ast-grep");
if (!existsSync(join(sgDir, "node_modules", ".bin", "ast-grep"))) {
  mkdirSync(sgDir, { recursive: true });
  spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--prefix", sgDir, "@ast-grep/cli"], { stdio: "ignore" });
}
if (existsSync(join(sgDir, "node_modules", ".bin", "ast-grep"))) astGrep = join(sgDir, "node_modules", ".bin", "ast-grep");

const expectFlakes = (r) => {
  const n = r.stdout.split("\n").filter((l) => l.endsWith("flake.nix")).length;
  if (n !== flakes) throw new Error(`expected ${flakes} flakes, got ${n}: ${r.stderr}`);
};
const commands = [
  { name: "nixgen-migrate --check (auto)", cmd: process.execPath, args: [bin, "--check", "."], cwd: tree, check: expectFlakes },
  { name: "nixgen-migrate --check -j 1", cmd: process.execPath, args: [bin, "--check", "-j", "1", "."], cwd: tree, check: expectFlakes },
  { name: "nixgen-migrate --check -j 2", cmd: process.execPath, args: [bin, "--check", "-j", "2", "."], cwd: tree, check: expectFlakes },
];
if (rg) commands.push({ name: "rg -l nixos-generators", cmd: rg, args: ["-l", "nixos-generators", "."], cwd: tree, check: (r) => { if (r.stdout.split("\n").filter(Boolean).length < flakes) throw new Error("rg found too little"); } });
if (astGrep) commands.push({ name: "ast-grep run -p '$G.nixosGenerate $A'", cmd: astGrep, args: ["run", "-l", "nix", "-p", "$G.nixosGenerate $A", "--json=stream", "."], cwd: tree });

console.log(`check-tree: ${files} files, ${flakes} flakes to migrate; ${runs} interleaved runs after a warm-up (median wall)`);
console.log(`machine: ${machine()}`);
const samples = interleaved(commands, runs);
const results = new Map([...samples].map(([k, v]) => [k, summarize(v)]));
const pad = (s, n) => String(s).padEnd(n);
for (const [name, r] of results) {
  console.log(`  ${pad(name, 44)} ${r.wall.toFixed(3)} s wall (min ${r.minWall.toFixed(3)}), ${r.cpu.toFixed(2)} s CPU, peak RSS ${r.rssMB.toFixed(0)} MB`);
}
const ours = results.get("nixgen-migrate --check (auto)");
if (rg) {
  const r = results.get("rg -l nixos-generators");
  console.log(`  vs ripgrep:  ${(ours.wall / r.wall).toFixed(2)}x its wall time (goal <= 2x)`);
}
if (astGrep) {
  const a = results.get("ast-grep run -p '$G.nixosGenerate $A'");
  console.log(`  vs ast-grep: ${(a.wall / ours.wall).toFixed(2)}x faster (goal >= 5x)`);
} else console.log("  ast-grep: could not be installed (npm @ast-grep/cli); skipped");
console.log(`  peak RSS:    ${ours.rssMB.toFixed(0)} MB (goal <= 150 MB)`);
