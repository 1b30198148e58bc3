// This repository as others consume it: a git snapshot of the working tree,
// and commands run with a clean environment.
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const REPO = join(import.meta.dirname, "..", "..");

export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A git repository holding the working tree's tracked and untracked (not ignored) files, committed. */
export function snapshotRepo(into: string): { dir: string; rev: string } {
  const files = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO }).stdout.split("\0").filter(Boolean);
  const dir = join(into, "nixgen-migrate");
  for (const f of files) {
    const to = join(dir, f);
    mkdirSync(dirname(to), { recursive: true });
    try {
      copyFileSync(join(REPO, f), to);
    } catch {
      // deleted in the work tree
    }
  }
  const git = (...a: string[]) => run("git", ["-c", "user.email=test@example.org", "-c", "user.name=test", "-c", "commit.gpgsign=false", ...a], { cwd: dir });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "snapshot");
  return { dir, rev: git("rev-parse", "HEAD").stdout.trim() };
}

/** Environment for tools we spawn: no colour, CI set, no GitHub variables leaking in. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", CI: "1" };
  for (const k of Object.keys(env)) if (k.startsWith("GITHUB_") || k.startsWith("INPUT_") || k === "FORCE_COLOR") delete env[k];
  return { ...env, ...extra } as NodeJS.ProcessEnv;
}
