// Stage 1 of a run: which files, in which jobs, on how many threads. Walks
// the paths given (a directory's files; named files as they are), prefilters
// what the walk found (the passes' needles, in the file's bytes), groups the
// files by flake into jobs, and decides the worker threads and the parser's
// V8 tier. Reads no file twice: the texts the prefilter read in this thread
// go to the jobs that run here.
import { availableParallelism, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { init } from "../index.js";
import { displayPath, isDirectory, realDir } from "./files.js";
import { candidateName, partition, prefilter, runJob, type FilterResult, type JobSetup } from "./work.js";
import type { Args } from "./args.js";
import type { Progress } from "./progress.js";
import type { WalkEntry, WalkResult } from "./walk.js";
import type { Pool, Request as PoolRequest } from "./pool.js";

export interface Job {
  /** Paths relative to the working directory: a flake and the files below it, or one file of no flake. */
  readonly paths: string[];
  /** Those of them named on the command line (read and written where they lead, links followed). */
  readonly explicit: string[];
}

export interface Plan {
  readonly jobs: Job[];
  /** Texts read by the prefilter in this thread (for the jobs that run here). */
  readonly texts: ReadonlyMap<string, string>;
  /** Paths that do not exist or cannot be read. */
  readonly errors: { path: string; message: string }[];
  /** Files considered, including the ones the prefilter skipped. */
  readonly checked: number;
  /** Directories the walk skipped: copies of nixos-generators itself. */
  readonly vendored: readonly string[];
  readonly setup: JobSetup;
  /** Worker threads (with the main thread), or null to run every job here. */
  readonly pool: Pool | null;
}

export interface PlanContext {
  readonly args: Args;
  readonly cwd: string;
  readonly setup: JobSetup;
  readonly progress: Progress;
  readonly timing: (what: string) => void;
}

/** Below these, worker threads cost more than they save (bench/check-tree.mjs, bench/write-many.mjs). */
const AUTO_MIN_FILES = 10_000;
const AUTO_MIN_JOBS = 100;
const FILTER_CHUNK = 512;
const OPTIMISE_PARSER_JOBS = 50;
/**
 * Or this much text in a few jobs (a repository with one flake.nix at its root is one job):
 * the baseline code parses ~3x slower (nixpkgs' 3,370 prefilter hits, 22 MB: 14 s -> 4 s of
 * parsing), which outweighs the ~65 ms of optimising above ~100 KB parsed two or three times.
 */
const OPTIMISE_PARSER_CHARS = 128 * 1024;

/** Directories named on the command line, as real paths (walked files below them are inside the run). */
export function namedDirs(paths: readonly string[], cwd: string): string[] {
  return paths.map((p) => resolve(cwd, p)).filter(isDirectory).map(realDir);
}

export async function plan(ctx: PlanContext): Promise<Plan> {
  const { args, cwd, progress, timing } = ctx;
  const threads = new Threads(ctx);
  // 1. walk. On a big tree the workers start while the walk goes on (a thread
  // boots in parallel) and get prefilter chunks as soon as there are some.
  const chunks: Promise<FilterResult>[] = [];
  let pending: WalkEntry[] = [];
  let walkedCount = 0;
  let filteredCount = 0;
  const dispatch = () => {
    const c = pending;
    pending = [];
    chunks.push(
      threads.pool!.run<FilterResult>({ kind: "filter", entries: c.map((e) => ({ path: e.path, abs: e.abs })) }).then((r) => {
        filteredCount += c.length;
        progress.update("reading", filteredCount, walkedCount);
        return r;
      }),
    );
  };
  const onWalked = (e: WalkEntry) => {
    walkedCount++;
    pending.push(e);
    threads.whileWalking(walkedCount);
    if (threads.pool && pending.length >= FILTER_CHUNK) dispatch();
  };
  // no paths: ./flake.nix (its module files and flake.lock come with it); `.` walks the repository
  const listed: WalkResult =
    args.paths.length || existsSync(resolve(cwd, "flake.nix"))
      ? await expand(args.paths.length ? args.paths : ["./flake.nix"], args, cwd, onWalked, () => threads.loadPool())
      : { entries: [], errors: [{ path: "flake.nix", message: "no such file (give the files to migrate, or `.` for the whole repository)" }], vendored: [] };
  const errors = [...listed.errors];
  const explicit = listed.entries.filter((e) => e.explicit);
  const walked = listed.entries.filter((e) => !e.explicit);
  timing(`walked ${walked.length} files${threads.pool ? `, pool of ${threads.pool.size} threads started` : ""}`);

  // 2. prefilter what the walk found (explicit files are always processed)
  let filtered: FilterResult;
  if (threads.pool) {
    if (pending.length) dispatch();
    const parts = await Promise.all(chunks);
    filtered = { hits: parts.flatMap((p) => p.hits), errors: parts.flatMap((p) => p.errors), texts: threads.localTexts };
  } else {
    progress.update("reading", 0, walked.length);
    filtered = prefilter(walked, true);
  }
  timing(`prefiltered: ${filtered.hits.length} hits`);
  errors.push(...filtered.errors);
  const texts = filtered.texts ?? new Map<string, string>();
  // explicit files skip the prefilter, but not the passes' choice of files: a
  // file no pass looks at (README.txt handed over by a hook) is not even read
  const named = new Set(explicit.filter((e) => candidateName(e.path)).map((e) => e.path));
  const todo = [...new Set([...named, ...filtered.hits])].sort(byPath);

  // 3. jobs: one engine run per flake
  const jobs = partition(todo, cwd).map((paths) => ({ paths, explicit: paths.filter((p) => named.has(p)) }));
  await threads.forJobs(jobs.length, todo.reduce((n, p) => n + (texts.get(p)?.length ?? 0), 0));
  timing(`${jobs.length} jobs, ${threads.pool?.size ?? 1} threads`);
  return { jobs, texts, errors, checked: explicit.length + walked.length, vendored: listed.vendored, setup: ctx.setup, pool: threads.pool };
}

/**
 * The worker pool and the parser's tier, decided as the plan learns how much
 * work there is: by the files walked (the pool can start during the walk), then
 * by the jobs and the text they hold.
 */
class Threads {
  pool: Pool | null = null;
  /** The main thread takes part in the pool's work; texts it read are kept for its jobs. */
  readonly localTexts = new Map<string, string>();
  private PoolClass: typeof Pool | null = null;
  private decided = false;
  private parserReady: Promise<void> | null = null;

  constructor(private readonly ctx: PlanContext) {}

  /** Loads the pool's code before a walk (a thread boots while the walk goes on). */
  async loadPool(): Promise<void> {
    if (this.ctx.args.jobs !== 1) this.PoolClass = (await import("./pool.js")).Pool;
  }

  whileWalking(walked: number): void {
    const jobs = this.ctx.args.jobs;
    if (this.decided || !(jobs === "auto" ? walked >= AUTO_MIN_FILES : jobs > 1 && walked >= 2 * FILTER_CHUNK)) return;
    this.decided = true;
    this.start(jobs === "auto" ? freeCores() : jobs);
  }

  /** After the walk: threads for many jobs, the optimising compiler for much text; the parser loaded. */
  async forJobs(jobs: number, chars: number): Promise<void> {
    const wanted = this.ctx.args.jobs;
    if (!this.pool && jobs > 1 && (wanted === "auto" ? jobs >= AUTO_MIN_JOBS : wanted > 1)) {
      this.PoolClass ??= (await import("./pool.js")).Pool;
      this.start(wanted === "auto" ? freeCores() : Math.min(wanted, jobs));
    }
    if (jobs >= OPTIMISE_PARSER_JOBS || chars >= OPTIMISE_PARSER_CHARS) optimiseParser();
    // nothing to migrate (a tree without flakes, a hook given only other files): no parser to load
    if (jobs) await (this.parserReady ?? init());
  }

  private start(n: number): void {
    if (n < 2 || this.pool || !this.PoolClass) return;
    optimiseParser();
    const { setup } = this.ctx;
    const local = (req: PoolRequest): unknown => {
      if (req.kind === "filter") {
        const r = prefilter(req.entries, true);
        for (const [k, v] of r.texts!) this.localTexts.set(k, v);
        return { hits: r.hits, errors: r.errors };
      }
      return runJob(req.paths, req.explicit, setup, this.localTexts);
    };
    this.pool = new this.PoolClass(n, setup, local);
    this.parserReady = init();
  }
}

/**
 * The files to look at. Only file names (what pre-commit and lint-staged
 * pass): no walking, and the ignore machinery is not even loaded.
 */
async function expand(paths: string[], args: Args, cwd: string, onWalked: (e: WalkEntry) => void, beforeWalk: () => Promise<void>): Promise<WalkResult> {
  if (paths.some((p) => isDirectory(resolve(cwd, p))) || args.ignorePaths.length) {
    const { walk } = await import("./walk.js");
    await beforeWalk();
    return walk(paths, { cwd, gitignore: args.gitignore, ignorePaths: args.ignorePaths, candidateName, onWalked });
  }
  const seen = new Set<string>();
  const entries: WalkEntry[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (seen.has(abs)) continue;
    seen.add(abs);
    entries.push({ path: displayPath(cwd, abs), abs, explicit: true });
  }
  return { entries, errors: [], vendored: [] };
}

/**
 * Threads for -j auto: the cores that are not busy already (1-minute load
 * average, like `make -l`), at most 8. Every worker costs CPU of its own (an
 * isolate that loads the bundle, compiles the parser and warms up its JIT), which
 * pays off only on idle cores: on a busy machine (the benches ran on 2 cores
 * at load 5-10) -j 2 was 20-25% slower than -j 1. Windows reports no load (0).
 */
function freeCores(): number {
  const free = Math.round(availableParallelism() - loadavg()[0]!);
  return Math.max(1, Math.min(8, free));
}

/**
 * The launcher keeps V8 on wasm's baseline compiler (bin/: a one-flake run would
 * wait ~65 ms at exit for optimised parser code it never uses). A run over many
 * flakes spends most of its time in the parser, where the optimised code is
 * faster (bench/check-tree.mjs: -0.3 s on 300 flakes); this must happen before
 * the parser is compiled (init(), or the pool's workers).
 */
let parserOptimised = false;
function optimiseParser(): void {
  if (parserOptimised) return;
  parserOptimised = true;
  // --liftoff-only also turned tier-up off (V8 flag implications): turn it back on, or
  // the code stays on the baseline compiler (measured: 40% slower than either setting)
  setFlagsFromString("--no-liftoff-only");
  setFlagsFromString("--wasm-tier-up");
  setFlagsFromString("--wasm-dynamic-tiering");
}

/**
 * Back to the launcher's flags once the run is over: the bin then saves its V8
 * code cache, and V8 refuses cached data made under other flags (the next
 * one-flake run would find it refused and write it again).
 */
export function restoreLaunchFlags(): void {
  if (!parserOptimised) return;
  parserOptimised = false;
  setFlagsFromString("--liftoff-only");
}

export function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
