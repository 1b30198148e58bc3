#!/usr/bin/env node
// npm run bench: both benches, figures printed (no pass/fail).
import { spawnSync } from "node:child_process";
const dir = new URL(".", import.meta.url).pathname;
for (const b of ["check-tree.mjs", "write-many.mjs"]) {
  const r = spawnSync(process.execPath, [dir + b, ...process.argv.slice(2)], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
