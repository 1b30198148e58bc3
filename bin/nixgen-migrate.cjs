#!/usr/bin/env node
// Launcher. Baseline compiler only: the process is short, and without this V8
// spends ~65 ms tiering up the parser's wasm that the exit then waits for
// (../shared/reference/engine-measurements.md §2).
import v8 from "node:v8";
v8.setFlagsFromString("--liftoff-only");

process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

const { run } = await import("../dist/bundle/cli.js");
const chunks = [];
process.exitCode = await run(process.argv.slice(2), {
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
});
