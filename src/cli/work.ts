// The units of work of a run, shared by the main thread and the workers:
// the prefilter (read a file, ask the passes whether it can matter) and the
// migration of one job (the files of one flake, in one engine run).
import { closeSync, constants, existsSync, openSync, readSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { TRANSFORMS } from "../../transforms/index.js";
import { migrateFiles } from "../migrate.js";
import { needlePattern, type FileResult } from "../engine.js";
import type { Finding, MigrateOptions } from "../types.js";
import { decodeText, describe, gitRoot, isDirectory, isInside, readTextFileIfExists, readTextFileSync } from "./files.js";

/** Could a file of this name matter? `*.nix`, `flake.lock`, or anything a pass looks at. */
export function candidateName(path: string): boolean {
  if (path.endsWith(".nix")) return true;
  if (path === "flake.lock" || path.endsWith("/flake.lock")) return true;
  for (const t of TRANSFORMS) if (t.appliesTo(path)) return true;
  return false;
}

let buffer = Buffer.allocUnsafe(1 << 16);

/**
 * Reads a whole file into a shared buffer (valid until the next call); one
 * open/read/close for small files. Opened non-blocking: the walk saw a regular
 * file, but one swapped for a FIFO since must not hang the run (no fstat: one
 * system call less per file on a 20k-file tree).
 */
function readBytes(abs: string): Buffer {
  const fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    let n = 0;
    for (;;) {
      const r = readSync(fd, buffer, n, buffer.length - n, null);
      if (r === 0) break;
      n += r;
      if (n < buffer.length) {
        // a short read of a regular file is its end; confirm cheaply only when full
        break;
      }
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, n);
      buffer = bigger;
    }
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export interface FilterEntry {
  readonly path: string;
  readonly abs: string;
}

export interface FilterResult {
  /** Files some pass may change (in the order given). */
  readonly hits: string[];
  /** Their strictly decoded texts (only filled in the main thread, to avoid reading twice). */
  readonly texts?: Map<string, string>;
  readonly errors: { path: string; message: string }[];
}

/**
 * One regular expression per set of passes (a file's name decides which passes
 * look at it), searched in the file's bytes read as latin1: needles are ASCII,
 * latin1 maps each byte to one character, and an ASCII byte of UTF-8 is always
 * that character, so this finds what searching the decoded text would. One
 * regex over a latin1 string is ~6x cheaper than a Buffer.includes per needle
 * (20k files: ~35 ms against ~200 ms).
 */
const needleSearches = new Map<number, RegExp>();
/** `passes`: a bit per entry of TRANSFORMS. */
function needleSearch(passes: number): RegExp {
  let re = needleSearches.get(passes);
  if (!re) {
    re = needlePattern(new Set(TRANSFORMS.filter((_, i) => passes & (1 << i)).flatMap((t) => t.needles)));
    needleSearches.set(passes, re);
  }
  return re;
}

/**
 * The prefilter: a file matters when some pass both looks at its name and
 * finds one of its needles in the text. Nothing is parsed, and only hits are
 * decoded (see needleSearch).
 */
export function prefilter(entries: readonly FilterEntry[], keepTexts: boolean): FilterResult {
  const hits: string[] = [];
  const texts = keepTexts ? new Map<string, string>() : undefined;
  const errors: { path: string; message: string }[] = [];
  for (const e of entries) {
    let passes = 0;
    for (let i = 0; i < TRANSFORMS.length; i++) if (TRANSFORMS[i]!.appliesTo(e.path)) passes |= 1 << i;
    if (passes === 0) continue;
    let bytes: Buffer;
    try {
      bytes = readBytes(e.abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // deleted while we walked
      errors.push({ path: e.path, message: describe(err as NodeJS.ErrnoException) });
      continue;
    }
    if (!needleSearch(passes).test(bytes.toString("latin1"))) continue;
    if (texts) {
      try {
        texts.set(e.path, decodeText(e.path, bytes));
      } catch (err) {
        errors.push({ path: e.path, message: (err as Error).message });
        continue;
      }
    }
    hits.push(e.path);
  }
  return { hits, errors, ...(texts ? { texts } : {}) };
}

const flakeRoots = new Map<string, string | null>();

/**
 * The directory of the nearest flake.nix at or above the file's directory
 * (up to the repository root); null when the file belongs to no flake.
 */
export function flakeRootOf(abs: string): string | null {
  const start = dirname(abs);
  // a flake.nix is its own flake's root (the common case: no file system calls)
  if (basename(abs) === "flake.nix") {
    flakeRoots.set(start, start);
    return start;
  }
  const stop = gitRoot(start);
  const visited: string[] = [];
  let found: string | null = null;
  for (let d = start; ; d = dirname(d)) {
    const known = flakeRoots.get(d);
    if (known !== undefined) {
      found = known;
      break;
    }
    visited.push(d);
    if (existsSync(join(d, "flake.nix"))) {
      found = d;
      break;
    }
    if (d === stop || dirname(d) === d) break;
  }
  for (const d of visited) flakeRoots.set(d, found);
  return found;
}

/** Files of one flake go to one engine run: its pass may read and edit the flake's module files. */
export function partition(paths: readonly string[], cwd: string): string[][] {
  const groups = new Map<string, string[]>();
  const out: string[][] = [];
  for (const p of paths) {
    const root = flakeRootOf(resolve(cwd, p));
    if (root === null) {
      out.push([p]);
      continue;
    }
    let g = groups.get(root);
    if (!g) {
      g = [];
      groups.set(root, g);
      out.push(g);
    }
    g.push(p);
  }
  return out;
}

export interface JobResult {
  readonly files: FileResult[];
  readonly findings: Finding[];
  /** Primary files that could not be read. */
  readonly errors: { path: string; message: string }[];
}

/** The repository a file is in (gitRoot remembers it per directory), else its own directory. */
function projectRootOf(abs: string): string {
  const d = dirname(abs);
  return gitRoot(d) ?? d;
}

/**
 * Migrates one job. Paths are relative to `cwd` (forward slashes); findings
 * and results use them. `texts` holds files already read.
 */
export function runJob(paths: readonly string[], cwd: string, options: MigrateOptions, texts?: ReadonlyMap<string, string>): JobResult {
  const errors: { path: string; message: string }[] = [];
  const cache = new Map<string, string | undefined>();
  const ok: string[] = [];
  const abs = (p: string) => resolve(cwd, p);
  for (const p of paths) {
    const given = texts?.get(p);
    if (given !== undefined) {
      cache.set(p, given);
      ok.push(p);
      continue;
    }
    try {
      cache.set(p, readTextFileSync(abs(p)));
      ok.push(p);
    } catch (e) {
      errors.push({ path: p, message: (e as Error).message });
    }
  }
  const jobRoots = [...new Set(ok.map((p) => projectRootOf(abs(p))))];
  const host = {
    read: (p: string) => {
      if (cache.has(p)) return cache.get(p);
      let t: string | undefined;
      try {
        t = readTextFileIfExists(abs(p));
      } catch {
        t = undefined;
      }
      cache.set(p, t);
      return t;
    },
    isDirectory: (p: string) => isDirectory(abs(p)),
    inside: (p: string) => jobRoots.some((r) => isInside(r, abs(p))),
  };
  if (ok.length === 0) return { files: [], findings: [], errors };
  const r = migrateFiles(ok, host, options);
  return { files: r.files, findings: r.findings, errors };
}
