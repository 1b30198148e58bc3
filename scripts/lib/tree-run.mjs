// @ts-check
// One repository tree through the tool, the way a new user would run it:
// a git repository holding the tree, `nixgen-migrate --write .`, a second
// `--write .` (must change nothing), then a dry run `--format json .`.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { audit, auditKind } from "./leftovers.mjs";

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd: string, timeoutMs?: number, env?: NodeJS.ProcessEnv }} options
 * @returns {Promise<{ exit: number | null, signal: string | null, stdout: string, stderr: string, seconds: number, timedOut: boolean }>}
 */
export function run(cmd, args, options) {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 300_000);
    child.on("close", (exit, signal) => {
      clearTimeout(timer);
      resolvePromise({ exit, signal, stdout, stderr, seconds: (Date.now() - started) / 1000, timedOut });
    });
  });
}

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "real-repos",
  GIT_AUTHOR_EMAIL: "real-repos@localhost",
  GIT_COMMITTER_NAME: "real-repos",
  GIT_COMMITTER_EMAIL: "real-repos@localhost",
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: process.env.HOME ?? "/tmp",
};

/** @param {string} cwd @param {string[]} args */
function git(cwd, args) {
  const r = spawnSync("git", ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", ...args], {
    cwd,
    env: GIT_ENV,
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Paths git tracks in `cwd` (the walk's view: .gitignore applied by `git add -A`), symlinks left out. */
function trackedFiles(/** @type {string} */ cwd) {
  return git(cwd, ["ls-files", "-z"])
    .split("\0")
    .filter(Boolean)
    .filter((p) => {
      try {
        return lstatSync(join(cwd, p)).isFile();
      } catch {
        return false;
      }
    });
}

/** Files whose text the audit reads, with their texts. */
function auditFiles(/** @type {string} */ cwd) {
  /** @type {{ path: string, text: string }[]} */
  const out = [];
  for (const p of trackedFiles(cwd)) {
    const base = p.slice(p.lastIndexOf("/") + 1);
    // cheap name test first; extension-less files need their first line
    let text;
    if (auditKind(p, "") === null && base.includes(".")) continue;
    try {
      const buf = readFileSync(join(cwd, p));
      if (buf.length > 4 << 20 || buf.includes(0)) continue;
      text = buf.toString("utf8");
    } catch {
      continue;
    }
    if (auditKind(p, text) !== null) out.push({ path: p, text });
  }
  return out;
}

/** @param {string} cwd @param {string} file */
function parses(cwd, file) {
  const r = spawnSync("nix-instantiate", ["--parse", file], { cwd, encoding: "utf8", env: { ...process.env, GC_DONT_GC: "1" } });
  return r.status === 0 ? null : (r.stderr.split("\n").find((l) => l.includes("error")) ?? r.stderr.trim()).slice(0, 300);
}

/**
 * A crash: exit 2 with an internal error or a JavaScript stack trace, or a signal.
 * @param {{ exit: number | null, signal: string | null, stderr: string, stdout: string, timedOut: boolean }} r
 */
export function isCrash(r) {
  if (r.timedOut || r.signal) return true;
  if (r.exit === null || r.exit > 2) return true;
  const out = r.stderr + r.stdout;
  return r.exit === 2 && (/internal-error/.test(out) || /\n\s+at .+\(.+:\d+:\d+\)/.test(out));
}

/**
 * @param {{ name: string, dir: string }} tree
 * @param {{ bin: string, toolArgs?: string[], workDir: string, timeoutMs?: number, keepNew?: string }} options
 *   keepNew: copy the migrated tree (without .git) there, for the evaluation
 */
export async function runTree(tree, options) {
  const repo = join(options.workDir, "repo");
  mkdirSync(options.workDir, { recursive: true });
  cpSync(tree.dir, repo, { recursive: true, verbatimSymlinks: true });
  rmSync(join(repo, ".git"), { recursive: true, force: true });
  git(repo, ["init", "-q", "-b", "main"]);
  git(repo, ["add", "-A"]);
  git(repo, ["commit", "-q", "--allow-empty", "-m", "tree"]);
  const before = new Map(auditFiles(repo).map((f) => [f.path, f.text]));
  const bin = ["--no-warnings", options.bin, ...(options.toolArgs ?? [])];
  const env = { ...process.env, NO_COLOR: "1" };
  const timeoutMs = options.timeoutMs ?? 300_000;

  const write1 = await run("node", [...bin, "--write", "."], { cwd: repo, timeoutMs, env });
  git(repo, ["add", "-A"]);
  const changed = git(repo, ["diff", "--cached", "--name-status", "-z"])
    .split("\0")
    .filter(Boolean)
    .reduce((/** @type {{ status: string, path: string }[]} */ acc, x, i, all) => {
      if (i % 2 === 0) acc.push({ status: x, path: all[i + 1] ?? "" });
      return acc;
    }, []);
  const diff = git(repo, ["diff", "--cached", "--no-color", "--no-ext-diff"]);
  git(repo, ["commit", "-q", "--allow-empty", "-m", "write 1"]);

  /** @type {{ file: string, error: string, parsedBefore: boolean }[]} */
  const parseFailures = [];
  for (const c of changed) {
    if (!c.path.endsWith(".nix") || c.status === "D") continue;
    const err = parses(repo, c.path);
    if (err) {
      // did the original parse? (a tree that never parsed is not the tool's doing)
      const orig = join(tree.dir, c.path);
      const parsedBefore = existsSync(orig) ? parses(tree.dir, c.path) === null : true;
      parseFailures.push({ file: c.path, error: err, parsedBefore });
    }
  }

  const write2 = await run("node", [...bin, "--write", "."], { cwd: repo, timeoutMs, env });
  git(repo, ["add", "-A"]);
  const secondDiff = git(repo, ["diff", "--cached", "--no-color", "--no-ext-diff"]);
  if (secondDiff) git(repo, ["commit", "-q", "-m", "write 2"]);

  const dry = await run("node", [...bin, "--format", "json", "."], { cwd: repo, timeoutMs, env });
  /** @type {any[]} */
  let report = [];
  let reportError = null;
  try {
    report = JSON.parse(dry.stdout || "[]");
  } catch (e) {
    reportError = String(e);
  }

  const after = auditFiles(repo);
  const leftovers = audit(after, report);
  // references the run left exactly where they were (the file did not change) vs. in files it touched
  const untouched = new Set([...before.keys()].filter((p) => !changed.some((c) => c.path === p)));

  if (options.keepNew) {
    cpSync(repo, options.keepNew, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith("/.git") });
  }

  return {
    write1: { exit: write1.exit, seconds: write1.seconds, crash: isCrash(write1), stdout: write1.stdout.slice(-20000), stderr: write1.stderr.slice(-8000) },
    write2: { exit: write2.exit, seconds: write2.seconds, crash: isCrash(write2), stderr: write2.stderr.slice(-4000) },
    dry: { exit: dry.exit, seconds: dry.seconds, crash: isCrash(dry), stderr: dry.stderr.slice(-4000), reportError },
    changed,
    diff,
    parseFailures,
    idempotent: secondDiff === "",
    secondDiff: secondDiff.slice(0, 20000),
    report: report.map((f) => ({ path: f.path, changed: f.changed, refused: f.refused, error: f.error, findings: f.findings })),
    leftovers: {
      inputNames: leftovers.inputNames,
      references: leftovers.references.length,
      pointed: leftovers.pointed.map((v) => ({ ...v.reference, pointedBy: v.pointedBy })),
      silent: leftovers.silent.map((r) => ({ ...r, fileUntouched: untouched.has(r.file) })),
      nonCode: leftovers.nonCode,
    },
  };
}
