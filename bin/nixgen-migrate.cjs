#!/usr/bin/env node
"use strict";
// Launcher. CommonJS, like the CLI bundle it loads: Node 20 then never starts
// its ESM loader, and the bundle is compiled with a V8 code cache
// (src/cli/compile-cache.ts; NIXGEN_MIGRATE_NO_COMPILE_CACHE=1 turns it off).
// Baseline compiler only: the process is short, and without this V8 spends
// ~65 ms tiering up the parser's wasm that the exit then waits for
// (docs/performance.md).
require("node:v8").setFlagsFromString("--liftoff-only");

process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

const { join } = require("node:path");
const { openCompileCache } = require("../dist/bundle/compile-cache.cjs");
// module.constructor: node:module without loading it (it pulls in the ESM loader)
const cache = openCompileCache(process.env, module.constructor);
const { run } = cache.load(join(__dirname, "..", "dist", "bundle", "cli.cjs"));
const argv = process.argv.slice(2);
const chunks = [];
run(argv, {
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
  // after the run, so that the cache holds what V8 compiled lazily; a run that
  // only printed something (or failed on its arguments) compiled little of it
  cache.save(code !== 2 && !argv.some((a) => a === "--version" || a === "--help" || a === "-h" || a === "--list-formats"));
});
