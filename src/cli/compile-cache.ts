// A V8 code cache for the CommonJS CLI bundle (Node 20 has no
// module.enableCompileCache()). bin/nixgen-migrate.cjs loads dist/bundle/cli.cjs
// through this: every .cjs file the bundle requires (its lazy chunks and
// web-tree-sitter.cjs) is compiled with vm.Script and the cached data of an
// earlier run, and the data is written after a run that had none. It is made
// after the run, so it also holds the functions V8 compiled lazily while
// migrating (README.md, "Start-up", has the numbers).
//
// Everything here is best effort: a cache that is missing, unreadable,
// corrupt, made for other source, another Node or other V8 flags, or a
// directory that cannot be written, only means a normal compile.
// NIXGEN_MIGRATE_NO_COMPILE_CACHE=1 turns it off (the bundle is then
// require()d as usual).
//
// Where: $XDG_CACHE_HOME/nixgen-migrate, else <os.tmpdir()>/nixgen-migrate-<uid>.
// The directory must be ours and writable by nobody else (a shared /tmp):
// whoever can write code cache can run code in this process. V8 checks its
// version, flags and the source length, but not the rest of the data (a
// damaged file crashes the process), so every file carries a CRC-32 of it;
// without zlib.crc32 (Node < 20.15) there is no cache.
//
// Bundled on its own into dist/bundle/compile-cache.cjs (scripts/bundle.mjs):
// it must not be part of what it loads. It imports neither node:module (that
// loads Node's ESM loader, ~0.5 ms; the caller passes createRequire, which a
// CommonJS file has as module.constructor.createRequire) nor node:zlib (loaded
// only when there is a cache directory).
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { Script, constants as vmConstants } from "node:vm";

/** Set (to anything but "" or "0") to turn the cache off. */
export const DISABLE_ENV = "NIXGEN_MIGRATE_NO_COMPILE_CACHE";

/** Bump when the file layout or the key changes. */
const FORMAT = 2;
const SUFFIX = ".v8cache";

/**
 * What happened to a file's cache: `accepted` (V8 used it), `partial`
 * (used, but made by a run that compiled little: see save()), `missing`,
 * `rejected` (unreadable, damaged, or refused by V8), `off` (no usable directory).
 */
export type CacheState = "accepted" | "partial" | "missing" | "rejected" | "off";

/** What the cache needs from node:module. */
export interface ModuleApi {
  createRequire(filename: string): NodeJS.Require;
}

interface Entry {
  filename: string;
  script: Script;
  /** The cache file, or null without a usable directory. */
  path: string | null;
  key: string;
  state: CacheState;
  /**
   * Package names this file required -> the file Node resolved them to, kept
   * in the cache file: resolving web-tree-sitter through its package.json
   * "exports" costs ~3 ms. Used while that file exists; a reinstall of our
   * package changes the requiring file's inode and ctime, hence its key.
   */
  resolved: Record<string, string>;
}

interface CacheFile {
  data: Buffer;
  complete: boolean;
  resolved: Record<string, string>;
}

interface Header {
  key: string;
  complete: boolean;
  length: number;
  crc: number;
  resolved: Record<string, string>;
}

interface CjsModule {
  id: string;
  filename: string;
  loaded: boolean;
  exports: unknown;
}

type Crc32 = (data: Uint8Array) => number;

/** The cache directory for this environment, or null when the cache is turned off. */
export function cacheDirectory(env: NodeJS.ProcessEnv): string | null {
  const off = env[DISABLE_ENV];
  if (off && off !== "0") return null;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "nixgen-migrate");
  const uid = process.getuid?.();
  return join(tmpdir(), uid === undefined ? "nixgen-migrate" : `nixgen-migrate-${uid}`);
}

/** 32-bit FNV-1a, hex: short, stable file names (the key itself is checked in the file). */
function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** Ours, a real directory (not a symlink), writable by nobody else. */
function safeDirectory(dir: string): boolean {
  const st = lstatSync(dir);
  if (!st.isDirectory()) return false;
  if (process.getuid && st.uid !== process.getuid()) return false;
  return process.platform === "win32" || (st.mode & 0o022) === 0;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * A cache file: uint32 LE header length, the header (JSON, see Header), then
 * V8's data. The key pins Node and the source file (path, size, mtime, ctime,
 * inode); null for anything that does not match or add up.
 */
function readCacheFile(path: string, key: string, crc32: Crc32): CacheFile | null {
  const buf = readFileSync(path);
  if (buf.length < 4) return null;
  const n = buf.readUInt32LE(0);
  if (n > buf.length - 4) return null;
  const header = JSON.parse(buf.toString("utf8", 4, 4 + n)) as Partial<Header> | null;
  const data = buf.subarray(4 + n);
  if (header?.key !== key || header.length !== data.length || data.length === 0 || header.crc !== crc32(data)) return null;
  const resolved: Record<string, string> = {};
  if (header.resolved && typeof header.resolved === "object") {
    for (const [k, v] of Object.entries(header.resolved)) if (typeof v === "string" && isAbsolute(v)) resolved[k] = v;
  }
  return { data, complete: header.complete === true, resolved };
}

export class CompileCache {
  private readonly entries: Entry[] = [];
  private readonly modules = new Map<string, CjsModule>();
  /** undefined: not looked at yet; "absent": may be created by save(). */
  private dirState: "usable" | "absent" | "unusable" | undefined;
  private crc32: Crc32 | undefined;

  /** `dir` null: turned off, load() is a plain require(). */
  constructor(
    readonly dir: string | null,
    private readonly modApi: ModuleApi,
  ) {}

  /** Loads a CommonJS file (and the .cjs files it requires) with the cache; returns its exports. */
  load(file: string): unknown {
    const filename = resolve(file);
    if (!this.dir) return this.modApi.createRequire(filename)(filename);
    const known = this.modules.get(filename);
    if (known) return known.exports;
    const source = readFileSync(filename, "utf8");
    let path: string | null = null;
    let key = "";
    let state: CacheState = "off";
    let cached: CacheFile | null = null;
    try {
      if (this.usable(filename)) {
        const st = statSync(filename);
        key = [FORMAT, process.version, process.arch, filename, st.size, st.mtimeMs, st.ctimeMs, st.ino].join("\n");
        // <file name>.<hash of its directory>.<hash of the key>: prune() finds a directory's files by name
        path = join(this.dir, `${basename(filename)}.${fnv(dirname(filename))}.${fnv(key)}${SUFFIX}`);
        state = "missing";
        try {
          cached = readCacheFile(path, key, this.crc32!);
          if (!cached) state = "rejected";
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") state = "rejected";
        }
      }
    } catch {
      path = null;
      state = "off";
    }
    // what Module.wrap() does; import() (unused by the bundle) as in a required file
    const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, {
      filename,
      cachedData: cached?.data,
      importModuleDynamically: vmConstants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (cached) state = script.cachedDataRejected ? "rejected" : cached.complete ? "accepted" : "partial";
    const entry: Entry = { filename, script, path, key, state, resolved: cached?.resolved ?? {} };
    this.entries.push(entry);
    const fn = script.runInThisContext() as (...args: unknown[]) => void;
    const mod: CjsModule = { id: filename, filename, loaded: false, exports: {} };
    this.modules.set(filename, mod);
    fn.call(mod.exports, mod.exports, this.requireFrom(entry), mod, filename, dirname(filename));
    mod.loaded = true;
    return mod.exports;
  }

  /** Per loaded file, what happened to its cache. */
  states(): { filename: string; state: CacheState }[] {
    return this.entries.map((e) => ({ filename: e.filename, state: e.state }));
  }

  /**
   * Writes the cache of every file loaded without one. Call it after the run,
   * so that the data holds what V8 compiled lazily. `complete`: the run did
   * the usual work (a --version or --help run compiles a small part of the
   * bundle; its cache is used until a complete run replaces it). Never throws.
   */
  save(complete: boolean): void {
    if (!this.dir) return;
    for (const e of this.entries) {
      if (!e.path || e.state === "accepted" || e.state === "off" || (e.state === "partial" && !complete)) continue;
      if (!this.prepareDirectory()) return;
      let tmp: string | null = null;
      try {
        const data = e.script.createCachedData();
        const header: Header = { key: e.key, complete, length: data.length, crc: this.crc32!(data), resolved: e.resolved };
        const json = Buffer.from(JSON.stringify(header));
        const n = Buffer.alloc(4);
        n.writeUInt32LE(json.length, 0);
        tmp = `${e.path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        writeFileSync(tmp, Buffer.concat([n, json, data]), { flag: "wx", mode: 0o600 });
        renameSync(tmp, e.path);
        tmp = null;
        this.prune(e);
      } catch {
        if (tmp) {
          try {
            unlinkSync(tmp);
          } catch {
            // gone already
          }
        }
      }
    }
  }

  /** A directory that is ours or can be made, and zlib.crc32. */
  private usable(filename: string): boolean {
    if (this.dirState === undefined) {
      try {
        this.dirState = safeDirectory(this.dir!) ? "usable" : "unusable";
      } catch (e) {
        this.dirState = (e as NodeJS.ErrnoException).code === "ENOENT" ? "absent" : "unusable";
      }
      if (this.dirState !== "unusable") {
        try {
          const zlib = this.modApi.createRequire(filename)("node:zlib") as { crc32?: Crc32 };
          if (typeof zlib.crc32 === "function") this.crc32 = zlib.crc32;
        } catch {
          // no zlib, no cache
        }
        if (!this.crc32) this.dirState = "unusable";
      }
    }
    return this.dirState !== "unusable";
  }

  private prepareDirectory(): boolean {
    if (this.dirState === "absent") {
      try {
        mkdirSync(this.dir!, { recursive: true, mode: 0o700 });
        this.dirState = safeDirectory(this.dir!) ? "usable" : "unusable";
      } catch {
        this.dirState = "unusable";
      }
    }
    return this.dirState === "usable";
  }

  /**
   * Removes the other caches of files in the same directory as this one: earlier
   * versions of it, and files that are gone (a rebuilt bundle or an upgraded
   * package names its chunks anew). Runs only when a cache is written.
   */
  private prune(e: Entry): void {
    const dir = dirname(e.filename);
    const mark = `.${fnv(dir)}.`;
    const keep = basename(e.path!);
    const own = basename(e.filename);
    for (const name of readdirSync(this.dir!)) {
      const at = name.indexOf(mark);
      if (at < 0 || name === keep || !name.endsWith(SUFFIX)) continue;
      const source = name.slice(0, at);
      if (source === own || !existsSync(join(dir, source))) {
        try {
          unlinkSync(join(this.dir!, name));
        } catch {
          // another process got there first
        }
      }
    }
  }

  /**
   * `require` for a loaded file: .cjs files through the cache (our chunks by
   * their relative path, web-tree-sitter.cjs by its package name), anything
   * else through Node.
   */
  private requireFrom(entry: Entry): NodeJS.Require {
    const dir = dirname(entry.filename);
    let base: NodeJS.Require | undefined;
    const nodeRequire = () => (base ??= this.modApi.createRequire(entry.filename));
    const req = ((id: string) => {
      if (id.startsWith("./") || id.startsWith("../")) {
        const target = resolve(dir, id);
        if (target.endsWith(".cjs") && isFile(target)) return this.load(target);
        return nodeRequire()(id);
      }
      if (id.startsWith("node:")) return nodeRequire()(id);
      let target = entry.resolved[id];
      if (!target || !isFile(target)) {
        target = nodeRequire().resolve(id); // a builtin resolves to its name
        if (isAbsolute(target)) entry.resolved[id] = target;
      }
      return target.endsWith(".cjs") ? this.load(target) : nodeRequire()(target);
    }) as NodeJS.Require;
    req.resolve = ((id: string, options?: { paths?: string[] }) => nodeRequire().resolve(id, options)) as NodeJS.RequireResolve;
    req.cache = {};
    req.extensions = {} as NodeJS.RequireExtensions;
    return req;
  }
}

/**
 * The cache for this environment (turned off by NIXGEN_MIGRATE_NO_COMPILE_CACHE).
 * `modApi`: node:module, or in a CommonJS file `module.constructor`.
 */
export function openCompileCache(env: NodeJS.ProcessEnv, modApi: ModuleApi): CompileCache {
  return new CompileCache(cacheDirectory(env), modApi);
}
