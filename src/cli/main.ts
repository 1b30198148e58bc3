// The command line: arguments -> files (walked, prefiltered, grouped by flake)
// -> core (in process or in worker threads) -> diff/findings/report or atomic
// writes -> one exit code. Knows nothing about Nix syntax.
import pc from "picocolors";
import { availableParallelism, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { init, migrate, isValidHostName } from "../index.js";
import { formatTable } from "../formats.js";
import type { DiffColors } from "../report/diff.js";
import { formatFinding, formatSummary, type TextColors } from "../report/text.js";
import type { ReportData } from "../report/data.js";
import type { Finding, MigrateOptions } from "../types.js";
import type { FileResult } from "../engine.js";
import { decodeText, displayPath, isDirectory, writeFileAtomic } from "./files.js";
import { parseCommandLine } from "./args.js";
import type { WalkEntry, WalkResult } from "./walk.js";
import { candidateName, partition, prefilter, runJob, type FilterResult, type JobResult } from "./work.js";
import type { Pool, Request as PoolRequest } from "./pool.js";

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

type Format = "text" | "json" | "github" | "sarif";

interface Args {
  paths: string[];
  write: boolean;
  check: boolean;
  stdin: boolean;
  stdinFilepath?: string;
  host?: string;
  parity: boolean;
  allowOldNixpkgs: boolean;
  listFormats: boolean;
  color?: boolean;
  format: Format;
  /** Worker threads; "auto" decides by the amount of work. */
  jobs: number | "auto";
  ignorePaths: string[];
  gitignore: boolean;
}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<Uint8Array>;
  /** stdout is a terminal (colours). */
  isTTY: boolean;
  /** stderr is a terminal (progress line). */
  stderrIsTTY?: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

let cachedVersion: string | undefined;
/** Our package.json's version, found upwards from this module (bundled or not); read once, and only when asked for. */
function version(): string {
  return (cachedVersion ??= readVersion());
}

function readVersion(): string {
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { name?: string; version: string };
      if (pkg.name === "nixgen-migrate") return pkg.version;
    } catch {
      // not here
    }
    if (dir.pathname === "/" || new URL("..", dir).href === dir.href) return "unknown";
  }
}

async function parseArgs(argv: string[], io: Io): Promise<Args | number> {
  const outcome = await parseCommandLine(argv, version);
  if (outcome.kind === "output") {
    io.stdout(outcome.text);
    return EXIT_OK;
  }
  if (outcome.kind === "usage-error") {
    io.stderr(`nixgen-migrate: ${outcome.message}\nRun nixgen-migrate --help for usage.\n`);
    return EXIT_ERROR;
  }
  const a = outcome.args;
  let jobs: number | "auto" = "auto";
  if (a.jobs !== undefined && a.jobs !== "auto") {
    if (!/^[1-9][0-9]{0,3}$/.test(a.jobs)) {
      io.stderr(`nixgen-migrate: --jobs ${JSON.stringify(a.jobs)} must be a positive number or auto\nRun nixgen-migrate --help for usage.\n`);
      return EXIT_ERROR;
    }
    jobs = Number(a.jobs);
  }
  return {
    paths: a.paths,
    write: !!a.write,
    check: !!a.check,
    stdin: !!a.stdin || a.paths.includes("-"),
    stdinFilepath: a["stdin-filepath"],
    host: a.host,
    parity: !!a.parity,
    allowOldNixpkgs: !!a["allow-old-nixpkgs"],
    listFormats: !!a["list-formats"],
    color: a["no-color"] ? false : a.color ? true : undefined,
    format: (a.format ?? "text") as Format,
    jobs,
    ignorePaths: a["ignore-path"] ?? [],
    gitignore: !a["no-gitignore"],
  };
}

function useColor(args: Args, io: Io): boolean {
  if (args.color !== undefined) return args.color;
  if ("NO_COLOR" in io.env && io.env.NO_COLOR !== "") return false;
  if ("FORCE_COLOR" in io.env) return io.env.FORCE_COLOR !== "0";
  return io.isTTY;
}

function palettes(on: boolean): { diff: DiffColors; text: TextColors } {
  const c = pc.createColors(on);
  return {
    diff: { header: c.bold, hunk: c.cyan, added: c.green, removed: c.red },
    text: { error: (s) => c.bold(c.red(s)), warning: c.yellow, note: c.blue, path: c.bold, dim: c.dim },
  };
}

export async function run(argv: string[], io: Io): Promise<number> {
  try {
    return await runUnguarded(argv, io);
  } catch (e) {
    // a bug, or a worker thread that died: never exit 1 ("changes needed") for that
    io.stderr(`nixgen-migrate: internal error: ${(e as Error).stack ?? String(e)}\nPlease report this at the project's issue tracker.\n`);
    return EXIT_ERROR;
  }
}

async function runUnguarded(argv: string[], io: Io): Promise<number> {
  const parsed = await parseArgs(argv, io);
  if (typeof parsed === "number") return parsed;
  const args = parsed;
  if (args.listFormats) {
    io.stdout(formatTable());
    return EXIT_OK;
  }
  if (args.host !== undefined && !isValidHostName(args.host)) {
    io.stderr(`nixgen-migrate: --host ${JSON.stringify(args.host)} is not a valid Nix attribute name (letters, digits, _ ' -; not starting with a digit)\n`);
    return EXIT_ERROR;
  }
  const colors = palettes(useColor(args, io));
  const options: MigrateOptions = { host: args.host, parity: args.parity, allowOldNixpkgs: args.allowOldNixpkgs };
  if (args.stdin) return runStdin(args, io, options, colors);

  const progress = new Progress(io);
  const timing = io.env.NIXGEN_MIGRATE_TIMING ? (what: string) => io.stderr(`timing: ${what} ${(performance.now() | 0)} ms\n`) : () => {};
  timing("start");

  let pool: Pool | null = null;
  let PoolClass: typeof Pool | null = null;
  // the main thread takes part in the pool's work; texts it read are kept for its jobs
  const localTexts = new Map<string, string>();
  const local = (req: PoolRequest): unknown => {
    if (req.kind === "filter") {
      const r = prefilter(req.entries, true);
      for (const [k, v] of r.texts!) localTexts.set(k, v);
      return { hits: r.hits, errors: r.errors };
    }
    return runJob(req.paths, io.cwd, options, localTexts);
  };
  let parserReady: Promise<void> | null = null;
  const newPool = (n: number) => {
    if (n < 2 || pool || !PoolClass) return;
    optimiseParser();
    pool = new PoolClass(n, { cwd: io.cwd, options }, local);
    parserReady = init();
  };

  // 1. walk. On a big tree the workers start while the walk goes on (a thread
  // boots in parallel) and get prefilter chunks as soon as there are some.
  const chunks: Promise<FilterResult>[] = [];
  let pending: WalkEntry[] = [];
  let walkedCount = 0;
  let filteredCount = 0;
  let poolDecided = false;
  const dispatch = () => {
    const c = pending;
    pending = [];
    chunks.push(
      (pool as Pool).run<FilterResult>({ kind: "filter", entries: c.map((e) => ({ path: e.path, abs: e.abs })) }).then((r) => {
        filteredCount += c.length;
        progress.update("reading", filteredCount, walkedCount);
        return r;
      }),
    );
  };
  const onWalked = (e: WalkEntry) => {
    walkedCount++;
    pending.push(e);
    if (!poolDecided && (args.jobs === "auto" ? walkedCount >= AUTO_MIN_FILES : args.jobs > 1 && walkedCount >= 2 * FILTER_CHUNK)) {
      poolDecided = true;
      newPool(args.jobs === "auto" ? freeCores() : args.jobs);
    }
    if (pool && pending.length >= FILTER_CHUNK) dispatch();
  };
  try {
    // no paths: ./flake.nix (its module files and flake.lock come with it); `.` walks the repository
    const listed: WalkResult =
      args.paths.length || existsSync(resolve(io.cwd, "flake.nix"))
        ? await expand(args.paths.length ? args.paths : ["./flake.nix"], args, io.cwd, onWalked, async () => {
            if (args.jobs !== 1) PoolClass = (await import("./pool.js")).Pool;
          })
        : { entries: [], errors: [{ path: "flake.nix", message: "no such file (give the files to migrate, or `.` for the whole repository)" }] };
    const errors = [...listed.errors];
    const explicit = listed.entries.filter((e) => e.explicit);
    const walked = listed.entries.filter((e) => !e.explicit);
    timing(`walked ${walked.length} files${pool ? `, pool of ${(pool as Pool).size} threads started` : ""}`);

    // 2. prefilter what the walk found (explicit files are always processed)
    let filtered: FilterResult;
    if (pool) {
      if (pending.length) dispatch();
      const parts = await Promise.all(chunks);
      filtered = { hits: parts.flatMap((p) => p.hits), errors: parts.flatMap((p) => p.errors), texts: localTexts };
    } else {
      progress.update("reading", 0, walked.length);
      filtered = prefilter(walked, true);
    }
    timing(`prefiltered: ${filtered.hits.length} hits`);
    errors.push(...filtered.errors);
    const texts = filtered.texts ?? new Map<string, string>();
    // explicit files skip the prefilter, but not the passes' choice of files: a
    // file no pass looks at (README.txt handed over by a hook) is not even read
    const todo = [...new Set([...explicit.filter((e) => candidateName(e.path)).map((e) => e.path), ...filtered.hits])].sort(byPath);

    // 3. migrate, one engine run per flake; with --write, files are written as their job finishes
    const jobs = partition(todo, io.cwd);
    if (!pool && jobs.length > 1 && (args.jobs === "auto" ? jobs.length >= AUTO_MIN_JOBS : args.jobs > 1)) {
      PoolClass ??= (await import("./pool.js")).Pool;
      newPool(args.jobs === "auto" ? freeCores() : Math.min(args.jobs, jobs.length));
    }
    let chars = 0;
    for (const p of todo) chars += texts.get(p)?.length ?? 0;
    if (jobs.length >= OPTIMISE_PARSER_JOBS || chars >= OPTIMISE_PARSER_CHARS) optimiseParser();
    // nothing to migrate (a tree without flakes, a hook given only other files): no parser to load
    if (jobs.length) await (parserReady ?? init());
    timing(`${jobs.length} jobs, ${pool ? (pool as Pool).size : 1} threads`);
    const collector = new Collector(jobs, args.write, io.cwd);
    await runJobs(jobs, pool, io.cwd, options, texts, progress, (i, r) => collector.add(i, r));
    timing("migrated");
    progress.done();
    const merged = await collector.finish();
    timing("written");
    errors.push(...merged.errors);
    const data: ReportData = {
      files: merged.files,
      findings: merged.findings,
      errors: errors.sort((a, b) => byPath(a.path, b.path)),
      mode: args.write ? "write" : args.check ? "check" : "dry",
      written: merged.written,
      checked: explicit.length + walked.length,
      version,
      cwd: io.cwd,
    };
    const code = await finish(data, args, io, colors);
    timing("reported");
    return code;
  } finally {
    progress.done();
    await (pool as Pool | null)?.close();
    restoreLaunchFlags();
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
  return { entries, errors: [] };
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
function restoreLaunchFlags(): void {
  if (!parserOptimised) return;
  parserOptimised = false;
  setFlagsFromString("--liftoff-only");
}
const OPTIMISE_PARSER_JOBS = 50;
/**
 * Or this much text in a few jobs (a repository with one flake.nix at its root is one job):
 * the baseline code parses ~3x slower (nixpkgs' 3,370 prefilter hits, 22 MB: 14 s -> 4 s of
 * parsing), which outweighs the ~65 ms of optimising above ~100 KB parsed two or three times.
 */
const OPTIMISE_PARSER_CHARS = 128 * 1024;

/** Below these, worker threads cost more than they save (bench/check-tree.mjs, bench/write-many.mjs). */
const AUTO_MIN_FILES = 10_000;
const AUTO_MIN_JOBS = 100;
const FILTER_CHUNK = 512;

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function runJobs(
  jobs: string[][],
  pool: Pool | null,
  cwd: string,
  options: MigrateOptions,
  texts: ReadonlyMap<string, string>,
  progress: Progress,
  onResult: (job: number, r: JobResult) => void,
): Promise<void> {
  let done = 0;
  if (!pool) {
    for (let i = 0; i < jobs.length; i++) {
      progress.update("migrating", done++, jobs.length, jobs[i]![0]);
      onResult(i, runJob(jobs[i]!, cwd, options, texts));
      // let the writes of finished jobs proceed (their I/O overlaps the next job)
      await new Promise<void>((r) => setImmediate(r));
    }
    return;
  }
  await Promise.all(
    jobs.map(async (j, i) => {
      const r = await pool.run<JobResult>({ kind: "migrate", paths: j });
      progress.update("migrating", ++done, jobs.length, j[0]);
      onResult(i, r);
    }),
  );
}

type Problem = { path: string; message: string };

/**
 * Collects job results (in any order) into one result per path. With
 * --write, a job's changes to its own files are written at once (a few
 * writes at a time: each one fsyncs), overlapping the jobs still running.
 * A file that some other flake's migration changes too (a shared module) is
 * settled at the end, deterministically: the job whose own file it is wins,
 * else the first job in path order; a different change from another job is
 * reported and not applied (running again applies it on top).
 */
class Collector {
  private readonly owner = new Map<string, number>();
  private readonly changes = new Map<string, { job: number; file: FileResult }[]>();
  private readonly unchanged = new Map<string, FileResult>();
  private readonly findings: Finding[] = [];
  private readonly seen = new Set<string>();
  private readonly errors: Problem[] = [];
  private readonly written = new Set<string>();
  private readonly queue: FileResult[] = [];
  private active = 0;
  private idle: (() => void) | null = null;

  constructor(private readonly jobs: string[][], private readonly write: boolean, private readonly cwd: string) {
    jobs.forEach((paths, i) => paths.forEach((p) => this.owner.set(p, i)));
  }

  add(job: number, r: JobResult) {
    this.errors.push(...r.errors);
    for (const f of r.files) {
      if (!f.changed) {
        const prev = this.unchanged.get(f.path);
        if (!prev || (f.primary && !prev.primary)) this.unchanged.set(f.path, f);
        continue;
      }
      let list = this.changes.get(f.path);
      if (!list) this.changes.set(f.path, (list = []));
      list.push({ job, file: f });
      if (this.write && this.owner.get(f.path) === job) this.enqueue(f);
    }
    for (const f of r.findings) {
      const key = `${f.path}\0${f.offset}\0${f.endOffset}\0${f.rule}\0${f.message}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.findings.push(f);
    }
  }

  async finish(): Promise<{ files: FileResult[]; findings: Finding[]; errors: Problem[]; written: Set<string> }> {
    const files = new Map<string, FileResult>(this.unchanged);
    for (const [path, list] of this.changes) {
      const own = this.owner.get(path);
      list.sort((a, b) => (a.job === own ? -1 : b.job === own ? 1 : a.job - b.job));
      const winner = list[0]!;
      const primary = own !== undefined;
      files.set(path, { ...winner.file, primary });
      if (this.write && own !== winner.job) this.enqueue(winner.file);
      const name = (j: number) => this.jobs[j]![0]!;
      for (const other of list.slice(1)) {
        if (other.file.after === winner.file.after) continue;
        this.errors.push({
          path,
          message: `is changed differently by the migrations of ${name(winner.job)} and ${name(other.job)}; only the change for ${name(winner.job)} is ${this.write ? "written" : "shown"} (run again after writing it for the other)`,
        });
      }
    }
    if (this.active || this.queue.length) await new Promise<void>((r) => (this.idle = r));
    this.findings.sort((a, b) => byPath(a.path, b.path) || a.offset - b.offset);
    return {
      files: [...files.values()].sort((a, b) => byPath(a.path, b.path)),
      findings: this.findings,
      errors: this.errors,
      written: this.written,
    };
  }

  private enqueue(f: FileResult) {
    this.queue.push(f);
    this.pump();
  }

  private pump() {
    while (this.active < WRITE_CONCURRENCY && this.queue.length) {
      const f = this.queue.shift()!;
      this.active++;
      writeFileAtomic(resolve(this.cwd, f.path), f.after, f.before)
        .then(
          () => void this.written.add(f.path),
          (e: Error) => void this.errors.push({ path: f.path, message: e.message }),
        )
        .finally(() => {
          this.active--;
          this.pump();
          if (!this.active && !this.queue.length && this.idle) this.idle();
        });
    }
  }
}

/** Writes in flight at once: each one ends with an fsync, and the disk batches concurrent ones. */
const WRITE_CONCURRENCY = 16;

async function runStdin(args: Args, io: Io, options: MigrateOptions, colors: ReturnType<typeof palettes>): Promise<number> {
  if (args.paths.some((p) => p !== "-")) {
    io.stderr("nixgen-migrate: `-`/--stdin cannot be combined with file paths\n");
    return EXIT_ERROR;
  }
  if (args.write) {
    io.stderr("nixgen-migrate: --write cannot be used with stdin; the result is printed\n");
    return EXIT_ERROR;
  }
  if (args.format !== "text") {
    io.stderr(`nixgen-migrate: --format ${args.format} cannot be used with stdin; stdout carries the migrated text\n`);
    return EXIT_ERROR;
  }
  await init();
  const path = args.stdinFilepath ?? "flake.nix";
  let text: string;
  try {
    text = decodeText(path, await io.readStdin());
  } catch (e) {
    io.stderr(`${path}: ${(e as Error).message}\n`);
    return EXIT_ERROR;
  }
  const r = migrate(text, { ...options, path });
  io.stdout(r.output);
  for (const f of r.findings) io.stderr(formatFinding(f, colors.text) + "\n");
  if (r.refused) return EXIT_ERROR;
  return r.findings.some((f) => f.severity === "error") ? EXIT_FINDINGS : EXIT_OK;
}

/** Prints the report in the chosen format; returns the exit code. */
async function finish(data: ReportData, args: Args, io: Io, colors: ReturnType<typeof palettes>): Promise<number> {
  const changed = data.files.filter((f) => f.changed);
  const changedPaths = new Set(changed.map((f) => f.path));
  const refused = data.files.filter((f) => f.refused);
  // (with --write, the collector has written the changed files already)
  // Each part is written at once: a write per line was a system call per line (thousands on a big tree).
  const write = (stream: (s: string) => void, parts: string[]) => void (parts.length && stream(parts.join("")));
  write(io.stderr, data.errors.map((e) => `${e.path}: ${e.message}\n`));

  if (args.format === "text") {
    if (args.check) {
      write(io.stdout, changed.map((f) => `${f.path}\n`));
    } else if (!args.write && changed.length) {
      // the diff library is loaded only when a diff is printed
      const { unifiedDiff } = await import("../report/diff.js");
      write(io.stdout, changed.map((f) => unifiedDiff(f.path, f.before, f.after, colors.diff)));
    }
    // --check: stdout is only the list of paths (for xargs); errors and warnings go to stderr, notes are left out
    const shown = data.findings.filter((f) => !args.check || f.severity !== "note");
    write(args.check ? io.stderr : io.stdout, shown.map((f) => formatFinding(f, colors.text) + "\n"));
  } else {
    const reporter = await loadReporter(args.format);
    await reporter(data, io);
  }

  const bySeverity = { error: 0, warning: 0, note: 0 };
  for (const f of data.findings) bySeverity[f.severity]++;
  const primaries = data.files.filter((f) => f.primary).length;
  // module files and flake.lock changed by a flake's migration count as files too
  const secondaries = data.files.filter((f) => !f.primary && (f.changed || f.refused)).length;
  io.stderr(
    formatSummary({
      files: Math.max(primaries, data.checked) + secondaries,
      failed: new Set(data.errors.map((e) => e.path).filter((p) => !changedPaths.has(p))).size,
      changed: changed.length,
      written: data.written.size,
      refused: refused.length,
      bySeverity,
      dryRun: !args.write,
    }) + "\n",
  );
  if (data.errors.length || refused.length) return EXIT_ERROR;
  if (!args.write && changed.length) return EXIT_FINDINGS;
  if (bySeverity.error) return EXIT_FINDINGS;
  return EXIT_OK;
}

/** Reporters other than text are loaded only when asked for (start-up time). */
async function loadReporter(format: Exclude<Format, "text">): Promise<(data: ReportData, io: Io) => void | Promise<void>> {
  switch (format) {
    case "json":
      return (await import("../report/json.js")).reportJson;
    case "github":
      return (await import("../report/github.js")).reportGithub;
    case "sarif":
      return (await import("../report/sarif.js")).reportSarif;
  }
}

/** A clearable status line on stderr, only on a terminal outside CI. */
class Progress {
  private readonly on: boolean;
  private last = 0;
  private shown = false;
  constructor(private readonly io: Io) {
    this.on = !!io.stderrIsTTY && !io.env.CI;
  }
  update(phase: string, done: number, total: number, path?: string) {
    if (!this.on || total < 50) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const cols = Number(this.io.env.COLUMNS) || 80;
    const line = `${phase} ${done}/${total}${path ? ` ${path}` : ""}`;
    this.io.stderr(`\r\x1b[K${line.slice(0, cols - 1)}`);
    this.shown = true;
  }
  done() {
    if (this.shown) this.io.stderr("\r\x1b[K");
    this.shown = false;
  }
}
