// Crash safety: `--write` over 1,000 flakes is SIGKILLed at seeded random
// points; after every kill each file is exactly its old or its new text, and a
// later run neither reports nor trips over the temp files a killed run may leave.
// The run that completes cleans up stale temp files (of dead processes) next to
// the files it writes, and leaves those of live processes alone.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, cli, tempProject } from "./helpers/cli.js";
import { init, migrate } from "../src/index.js";
import { Rng } from "./fuzz/generate.js";

const N = 1000;
const EXAMPLE = readFileSync(join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example", "input.nix"), "utf8");
const TMP = /\.nixgen-migrate-\d+-[a-z0-9]+\.tmp$/;

let dir: string;
let cleanup: () => void;
const old: string[] = [];
const migrated: string[] = [];

beforeAll(async () => {
  await init();
  // every file different, so that a file cannot be "the new text of another one";
  // the numbers sit in comments, which the migration keeps as they are
  const template = EXAMPLE.replace("# for the lab", "# for lab @N@") + "# file @N@\n";
  const r = migrate(template, { path: "flake.nix" });
  expect(r.changed).toBe(true);
  expect(r.output.split("@N@")).toHaveLength(3);
  const files: Record<string, string> = {};
  for (let i = 0; i < N; i++) {
    old.push(template.replaceAll("@N@", String(i)));
    migrated.push(r.output.replaceAll("@N@", String(i)));
    files[`f${i}/flake.nix`] = old[i]!;
  }
  ({ dir, cleanup } = tempProject(files));
});
afterAll(() => cleanup?.());

/** Runs `--write .` and SIGKILLs it after `ms` (if it is still running). */
function killAfter(ms: number, args: string[]): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "--write", ...args, "."], { cwd: dir, env: { ...process.env, NO_COLOR: "1", CI: "1" }, stdio: "ignore" });
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.kill("SIGKILL");
    }, ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ killed, code });
    });
  });
}

/** Each file is its old or new text; returns how many are new, and the temp files found. */
function inspect(): { migratedCount: number; temps: string[] } {
  let migratedCount = 0;
  const temps: string[] = [];
  for (let i = 0; i < N; i++) {
    const d = join(dir, `f${i}`);
    const text = readFileSync(join(d, "flake.nix"), "utf8");
    if (text === migrated[i]) migratedCount++;
    else expect(text, `f${i}/flake.nix is neither its old nor its new text`).toBe(old[i]);
    for (const n of readdirSync(d)) {
      if (n === "flake.nix") continue;
      expect(n, `unexpected file in f${i}`).toMatch(TMP);
      temps.push(`f${i}/${n}`);
    }
  }
  return { migratedCount, temps };
}

/** A process id that is not in use (a child that has exited). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

it("SIGKILL at random points during --write leaves every file old or new; the next run finishes the job and cleans stale temp files", async () => {
  // stale temp files of a killed run (dead pid) and one of a live process (this one), planted up front
  const dead = deadPid();
  const planted = [0, 1, 2].map((i) => `f${i}/.flake.nix.nixgen-migrate-${dead}-stale${i}.tmp`);
  const live = `f3/.flake.nix.nixgen-migrate-${process.pid}-livewrit.tmp`;
  for (const p of [...planted, live]) writeFileSync(join(dir, p), "half a fla");

  const rng = new Rng(Number(process.env.CRASH_SEED ?? 20251125));
  const kills: string[] = [];
  let killedRuns = 0;
  let before = 0;
  for (let run = 0; run < 3; run++) {
    const ms = rng.range(150, 1500);
    const args = rng.chance(0.5) ? ["-j", "2"] : [];
    const r = await killAfter(ms, args);
    if (r.killed) killedRuns++;
    const { migratedCount, temps } = inspect();
    expect(migratedCount).toBeGreaterThanOrEqual(before); // nothing is ever un-migrated
    before = migratedCount;
    kills.push(`${ms} ms ${args.join(" ") || "-j auto"}: ${r.killed ? "killed" : `exited ${r.code}`}, ${migratedCount} migrated, ${temps.length} temp files`);
  }
  console.log(`crash safety: ${kills.join("; ")}`);
  expect(killedRuns).toBeGreaterThan(0); // the seed must kill at least one run mid-way

  // the run that completes walks past the temp files (they are not .nix files): none is named in its output
  const last = cli(["--write", "."], { cwd: dir });
  expect(last.code).toBe(0);
  expect(last.stdout + last.stderr).not.toContain(".tmp");
  expect(last.stderr).toMatch(new RegExp(`^${N - before} files migrated, ${before} unchanged`, "m"));
  const { migratedCount, temps } = inspect();
  expect(migratedCount).toBe(N);
  // only the live process's temp file is left
  expect(temps).toEqual([live]);
  const check = cli(["--check", "."], { cwd: dir });
  expect(check.code).toBe(0);
  expect(check.stdout).toBe("");
}, 60_000);
