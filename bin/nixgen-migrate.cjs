#!/usr/bin/env node
"use strict";
// Launcher. CommonJS, like the CLI bundle it loads: Node 20 then never starts
// its ESM loader.
// Baseline compiler only: the process is short, and without this V8 spends
// ~65 ms tiering up the parser's wasm that the exit then waits for
// (../shared/reference/engine-measurements.md §2).
require("node:v8").setFlagsFromString("--liftoff-only");

process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

const { run } = require("../dist/bundle/cli.cjs");
const chunks = [];
run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: async () => {
    for await (const c of process.stdin) chunks.push(c);
    return new Uint8Array(Buffer.concat(chunks));
  },
  isTTY: !!process.stdout.isTTY,
  stderrIsTTY: !!process.stderr.isTTY,
  env: process.env,
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
