// The trees --verify evaluates: a temporary copy of the repository as it is
// and one as the migration leaves it, never the user's own tree. Each holds
// the files Nix would see in the user's tree (a Git work tree: its tracked
// files, as they are in the work tree; else every file of the directory) and
// is a Git repository of its own with those files staged on an empty commit of
// a fixed date, so that both sides are the same kind of flake source (same
// lastModified, no rev) and differ only in what the migration changed.
import { spawn } from "node:child_process";
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";

export interface CopyPlan {
  /** The repository (or the flake's directory, outside Git), absolute. */
  readonly root: string;
  /** Texts to put in place of the files' (absolute paths inside root): the migrated files, for the side after. */
  readonly replace: ReadonlyMap<string, string>;
}

/** Temp directories of this run, removed when it ends (also on a signal). */
const created = new Set<string>();

/** A new temp directory, removed with the copies. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

export function removeCopies(): void {
  for (const d of created) rmSync(d, { recursive: true, force: true });
  created.clear();
}

export function removeCopy(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  created.delete(dir);
}

/**
 * Git. In the copies (`isolated`) without the user's configuration: no hooks,
 * no signing, no templates. In the user's repository with it (safe.directory).
 */
function git(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, isolated: Record<string, string> | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const own = ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", "-c", "init.templateDir="];
    const p = spawn("git", [...(isolated ? own : []), ...args], {
      cwd,
      env: isolated ? { ...env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0", ...isolated } : { ...env, GIT_TERMINAL_PROMPT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on("data", (d: Buffer) => out.push(d));
    p.stderr.on("data", (d: Buffer) => err.push(d));
    p.on("error", (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === "ENOENT" ? "--verify needs git (Nix reads the temporary copies through it): git was not found on PATH" : e.message)),
    );
    p.on("close", (code) => (code === 0 ? resolve(Buffer.concat(out).toString("utf8")) : reject(new Error(`git ${args[0]} failed: ${Buffer.concat(err).toString("utf8").trim()}`))));
  });
}

/** The files Nix would see under `root`, relative to it: tracked files in a Git work tree, else all files. */
async function sourceFiles(root: string, env: NodeJS.ProcessEnv, inGit: boolean): Promise<string[]> {
  if (inGit) {
    const listed = await git(["ls-files", "-z", "--cached"], root, env, null);
    return listed.split("\0").filter((p) => p !== "");
  }
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === ".git") continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

/** Commit date of the user's HEAD (what their flake's lastModified is), else a fixed one. */
async function commitDate(root: string, env: NodeJS.ProcessEnv, inGit: boolean): Promise<string> {
  if (inGit) {
    try {
      const d = (await git(["log", "-1", "--format=%cI"], root, env, null)).trim();
      if (d) return d;
    } catch {
      // no commits yet
    }
  }
  return "1980-01-01T00:00:00Z";
}

export interface Copies {
  readonly before: string;
  readonly after: string;
}

/** Makes the two copies of a repository; `inGit`: root is a Git work tree's top. */
export async function makeCopies(plan: CopyPlan, inGit: boolean, env: NodeJS.ProcessEnv): Promise<Copies> {
  const files = await sourceFiles(plan.root, env, inGit);
  const date = await commitDate(plan.root, env, inGit);
  const one = async (replace: ReadonlyMap<string, string>): Promise<string> => {
    const dir = tempDir("nixgen-verify-");
    for (const rel of files) copyEntry(join(plan.root, rel), join(dir, rel));
    for (const [abs, text] of replace) {
      const target = join(dir, relative(plan.root, abs));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
    const at = { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_AUTHOR_NAME: "nixgen-migrate", GIT_AUTHOR_EMAIL: "verify@nixgen-migrate", GIT_COMMITTER_NAME: "nixgen-migrate", GIT_COMMITTER_EMAIL: "verify@nixgen-migrate" };
    await git(["init", "-q"], dir, env, {});
    await git(["commit", "-q", "--no-verify", "--allow-empty", "-m", "nixgen-migrate --verify"], dir, env, at);
    await git(["add", "-A", "-f", "--", "."], dir, env, {});
    return dir;
  };
  const before = await one(new Map());
  const after = await one(plan.replace);
  return { before, after };
}

/** One file of the source: a symbolic link stays one (Nix copies links as links); a directory here is a submodule (Nix leaves it out). */
function copyEntry(from: string, to: string): void {
  let st;
  try {
    st = lstatSync(from);
  } catch {
    return; // tracked but deleted in the work tree: Nix does not see it either
  }
  if (st.isDirectory()) return;
  mkdirSync(dirname(to), { recursive: true });
  if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else if (st.isFile()) copyFileSync(from, to);
}

/** `git+file:` URL of a flake at `flakeDir` inside a copy (percent-encoded, `?dir=` for a flake below the top). */
export function flakeUrl(copy: string, flakeDir: string): string {
  const enc = (p: string) => p.split(sep).map(encodeURIComponent).join("/");
  const dir = flakeDir === "" || flakeDir === "." ? "" : `?dir=${enc(flakeDir)}`;
  return `git+file://${enc(copy).startsWith("/") ? "" : "/"}${enc(copy)}${dir}`;
}
