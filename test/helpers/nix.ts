// The parse oracle: Debian's nix-bin (Nix 2.8) `nix-instantiate --parse`.
//
// Nix accepts several files in one call (`nix-instantiate --parse f1 f2 …`)
// and parses them in order, stopping at the first that it rejects; the error
// names that file. So a batch costs one process plus one per rejected file
// (the next process starts after it), and a few batches run side by side.
// Hundreds of texts take well under a second when most parse.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

let available: boolean | undefined;

export function nixAvailable(): boolean {
  available ??= spawnSync("nix-instantiate", ["--version"]).status === 0;
  return available;
}

export interface NixParseResult {
  /** Nix accepts the file. */
  ok: boolean;
  /**
   * "ok"; "syntax": the text is not Nix; "static": a check Nix 2.8 makes while
   * parsing that is not about syntax (undefined variable, attribute or formal
   * defined twice, dynamic attribute in a let). Our parser does not make those
   * checks (by design: it never resolves names for validity), so "static"
   * counts as "parses" when comparing parsers, but not for the tool's outputs.
   */
  kind: "ok" | "syntax" | "static";
  /** Nix's message (first line) when it rejects the text, without "error: ". */
  error: string;
  /** 1-based line:col Nix reports, when it rejects the text. */
  at?: { line: number; column: number };
}

const STATIC_ERRORS = [/^undefined variable /, /^attribute .* already defined/, /^duplicate formal function argument /, /^dynamic attributes not allowed in let/, /^dynamic attributes not allowed in inherit/];

/**
 * Static errors abort parsing where they are found (apart from undefined
 * variables, which are checked after the whole file parsed): Nix might still
 * have found a syntax error further on.
 */
export function staticErrorIsConclusive(r: NixParseResult): boolean {
  return r.kind !== "static" || /^undefined variable /.test(r.error);
}

/** The message without file paths (they differ between a text and its copy). */
export function errorWithoutPaths(error: string): string {
  return error.replace(/ at \S+:\d+:\d+$/, "");
}

const NIX_ARGS = ["--store", "dummy://", "--parse"];
const NIX_ENV = () => ({ ...process.env, NIX_REMOTE: "dummy://" });
/** Files per process; a long command line is fine on Linux (ARG_MAX is 2 MB). */
const BATCH = 250;

interface Outcome {
  /** Index (into the batch) of the rejected file, or -1 when all parsed. */
  failed: number;
  result?: NixParseResult;
}

/** Reads one run's exit status and stderr. */
function interpret(files: string[], status: number | null, stdout: string, stderr: string): Outcome {
  if (status === 0) return { failed: -1 };
  // the position line names the rejected file: "       at /tmp/…/f12.nix:3:7:"
  const index = new Map(files.map((f, i) => [f, i]));
  let failed = -1;
  let at: NixParseResult["at"];
  for (const m of stderr.matchAll(/^\s+at (.+):(\d+):(\d+):$/gm)) {
    const i = index.get(m[1]!);
    if (i !== undefined) {
      failed = i;
      at = { line: Number(m[2]), column: Number(m[3]) };
      break;
    }
  }
  if (failed < 0) {
    // no position: every accepted file printed one line before the failure
    const printed = stdout === "" ? 0 : stdout.split("\n").length - 1;
    if (printed >= files.length) throw new Error(`nix-instantiate failed after parsing every file: ${stderr}`);
    failed = printed;
  }
  const first = stderr.split("\n").find((l) => l.startsWith("error:")) ?? stderr.split("\n").find((l) => l.includes("error")) ?? stderr;
  const error = first.replace(/^error:\s*/, "").trim();
  const kind = STATIC_ERRORS.some((re) => re.test(error)) ? "static" : "syntax";
  return { failed, result: { ok: false, kind, error, ...(at ? { at } : {}) } };
}

/** Parses `files` (paths) in batches; `run` executes one nix-instantiate. */
async function parseFiles(files: string[], jobs: number, run: (files: string[]) => Promise<Outcome>): Promise<NixParseResult[]> {
  const results: NixParseResult[] = new Array(files.length);
  const batches: [number, number][] = [];
  for (let i = 0; i < files.length; i += BATCH) batches.push([i, Math.min(files.length, i + BATCH)]);
  const worker = async () => {
    for (let b = batches.shift(); b; b = batches.shift()) {
      let [from] = b;
      const to = b[1];
      while (from < to) {
        const out = await run(files.slice(from, to));
        const stop = out.failed < 0 ? to : from + out.failed;
        for (let i = from; i < stop; i++) results[i] = { ok: true, kind: "ok", error: "" };
        if (out.failed < 0) break;
        results[stop] = out.result!;
        from = stop + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return results;
}

function runAsync(files: string[]): Promise<Outcome> {
  return new Promise((ok, fail) => {
    const p = spawn("nix-instantiate", [...NIX_ARGS, ...files], { env: NIX_ENV(), stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on("data", (d: Buffer) => out.push(d));
    p.stderr.on("data", (d: Buffer) => err.push(d));
    p.on("error", fail);
    p.on("close", (status) => {
      try {
        ok(interpret(files, status, Buffer.concat(out).toString("utf8"), Buffer.concat(err).toString("utf8")));
      } catch (e) {
        fail(e);
      }
    });
  });
}

function runSync(files: string[]): Outcome {
  const r = spawnSync("nix-instantiate", [...NIX_ARGS, ...files], { encoding: "utf8", env: NIX_ENV(), maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  return interpret(files, r.status, r.stdout ?? "", r.stderr ?? "");
}

function withTexts<T>(texts: readonly string[], f: (files: string[]) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "nixgen-oracle-"));
  const files = texts.map((text, i) => {
    const file = join(dir, `f${i}.nix`);
    writeFileSync(file, text);
    return file;
  });
  let cleanupLater = false;
  try {
    const r = f(files);
    if (r instanceof Promise) {
      cleanupLater = true;
      return r.finally(() => rmSync(dir, { recursive: true, force: true })) as T;
    }
    return r;
  } finally {
    if (!cleanupLater) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Parses each text with `nix-instantiate --parse` (no store: `--store dummy://`),
 * batched, in this process's thread (one nix process at a time).
 */
export function nixParse(texts: readonly string[]): NixParseResult[] {
  return withTexts(texts, (files) => {
    const results: NixParseResult[] = new Array(files.length);
    for (let i = 0; i < files.length; i += BATCH) {
      let from = i;
      const to = Math.min(files.length, i + BATCH);
      while (from < to) {
        const out = runSync(files.slice(from, to));
        const stop = out.failed < 0 ? to : from + out.failed;
        for (let k = from; k < stop; k++) results[k] = { ok: true, kind: "ok", error: "" };
        if (out.failed < 0) break;
        results[stop] = out.result!;
        from = stop + 1;
      }
    }
    return results;
  });
}

/** Like nixParse, with `jobs` nix processes side by side (default 4). */
export function nixParseAsync(texts: readonly string[], jobs = 4): Promise<NixParseResult[]> {
  return withTexts(texts, (files) => parseFiles(files, jobs, runAsync));
}

/** Parses files that exist on disk (e.g. what the CLI wrote). */
export function nixParseFiles(paths: readonly string[], jobs = 4): Promise<NixParseResult[]> {
  return parseFiles(paths.map((p) => resolve(p)), jobs, runAsync);
}

export function requireNix(): void {
  if (!nixAvailable()) {
    throw new Error("nix-instantiate not found: install Debian's nix-bin (apt-get install -y nix-bin); .ci/run does this");
  }
}
