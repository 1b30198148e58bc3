#!/usr/bin/env node
// `nixgen-migrate --check` over a real repository checkout you point it at (a
// nixpkgs checkout is the big case: ~45k files, thousands of prefilter hits
// for `outputs = [ … ]` and `pkgs.formats.*`, all under one root flake.nix, so
// one job), against `rg -l nixos-generators`. Prints wall time and peak RSS;
// asserts nothing. Not part of `npm run bench`: it needs a checkout.
//
//   node bench/real-repo.mjs PATH [--runs 3]
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { builtBin, interleaved, machine, summarize, which } from "./lib/measure.mjs";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: "string", default: "3" } } });
const dir = positionals[0];
if (!dir || !existsSync(dir)) {
  console.error("usage: node bench/real-repo.mjs PATH [--runs 3]   (PATH: a repository checkout, e.g. nixpkgs)");
  process.exit(2);
}
const bin = builtBin();
const commands = [{ name: "nixgen-migrate --check .", cmd: process.execPath, args: [bin, "--check", "."], cwd: dir }];
const rg = which("rg");
if (rg) commands.push({ name: "rg -l nixos-generators .", cmd: rg, args: ["-l", "nixos-generators", "."], cwd: dir });
console.log(`real-repo: ${dir}; ${values.runs} interleaved runs after a warm-up (median wall)`);
console.log(`machine: ${machine()}`);
for (const [name, samples] of interleaved(commands, Number(values.runs))) {
  const r = summarize(samples);
  console.log(`  ${name.padEnd(28)} ${r.wall.toFixed(2)} s wall (min ${r.minWall.toFixed(2)}), ${r.cpu.toFixed(2)} s CPU, peak RSS ${r.rssMB.toFixed(0)} MB`);
}
