// The V8 code cache the bin loads the CLI bundle with (src/cli/compile-cache.ts):
// a cache is written after a run and used by the next, and every way it can
// fail (damaged, truncated, for other source or other V8 flags, unwritable or
// unsafe directory, turned off) leaves a normal load with the same result.
// Every load runs in a new process (the built dist/bundle/compile-cache.cjs):
// within one process V8 would reuse its own compilation of the same source
// and never look at the cached data.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import { DISABLE_ENV, cacheDirectory } from "../src/cli/compile-cache.js";
import { cli, tempProjects } from "./helpers/cli.js";

const EXAMPLE = readFileSync(join(import.meta.dirname, "..", "examples", "flake.nix"), "utf8");
const MODULE = join(import.meta.dirname, "..", "dist", "bundle", "compile-cache.cjs");
const project = tempProjects();

/** A little CommonJS package: an entry that requires a chunk and a builtin. */
function library(): string {
  const dir = project({
    "lib/main.cjs": `const { add } = require("./chunk.cjs");\nconst { sep } = require("node:path");\nexports.answer = add(40, 2);\nexports.sep = sep;\nexports.file = __filename;\n`,
    "lib/chunk.cjs": `exports.add = (a, b) => a + b;\n`,
  });
  return join(dir, "lib", "main.cjs");
}

const DRIVER = `
const { openCompileCache } = require(process.env.T_MODULE);
const cache = openCompileCache(JSON.parse(process.env.T_ENV), module.constructor);
const exports = cache.load(process.env.T_FILE);
if (process.env.T_SAVE) cache.save(process.env.T_SAVE === "complete");
console.log(JSON.stringify({ exports, states: cache.states().map((s) => s.state) }));
`;

/** Loads `file` in a new process with the cache in `dir` (null: turned off), then saves ("complete"/"partial") or not. */
function load(dir: string | null, file: string, save: "complete" | "partial" | "" = "complete", nodeArgs: string[] = []) {
  const env = dir ? { XDG_CACHE_HOME: dir } : { [DISABLE_ENV]: "1" };
  const r = spawnSync(process.execPath, [...nodeArgs, "-e", DRIVER], {
    encoding: "utf8",
    env: { ...process.env, T_MODULE: MODULE, T_ENV: JSON.stringify(env), T_FILE: file, T_SAVE: save },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { exports: { answer: number; sep: string; file: string }; states: string[] };
}

const statMode = (path: string) => statSync(path).mode & 0o777;

const cacheFiles = (xdg: string) => {
  const dir = join(xdg, "nixgen-migrate");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".v8cache")).map((f) => join(dir, f)) : [];
};

describe("compile cache (module)", () => {
  it("writes a cache after the run and uses it in the next; the exports are the same", () => {
    const file = library();
    const xdg = project({});
    const first = load(xdg, file);
    expect(first.states).toEqual(["missing", "missing"]);
    expect(first.exports).toEqual({ answer: 42, sep: join("a", "b")[1], file });
    expect(cacheFiles(xdg)).toHaveLength(2);
    const second = load(xdg, file);
    expect(second.states).toEqual(["accepted", "accepted"]);
    expect(second.exports).toEqual(first.exports);
    expect(cacheFiles(xdg)).toHaveLength(2);
  });

  it("the caches of files that are gone from the directory (chunks renamed by a rebuild) are removed", () => {
    const file = library();
    const xdg = project({});
    load(xdg, file);
    expect(cacheFiles(xdg)).toHaveLength(2);
    const dir = join(file, "..");
    writeFileSync(join(dir, "chunk-new.cjs"), readFileSync(join(dir, "chunk.cjs")));
    unlinkSync(join(dir, "chunk.cjs"));
    writeFileSync(file, readFileSync(file, "utf8").replace("./chunk.cjs", "./chunk-new.cjs"));
    expect(load(xdg, file).states).toEqual(["missing", "missing"]);
    expect(cacheFiles(xdg).map((f) => f.slice(join(xdg, "nixgen-migrate").length + 1).split(".")[0]).sort()).toEqual(["chunk-new", "main"]);
  });

  it("a cache made by an incomplete run (--version) is used, and replaced by the next complete run", () => {
    const file = library();
    const xdg = project({});
    load(xdg, file, "partial");
    expect(load(xdg, file, "partial").states).toEqual(["partial", "partial"]);
    expect(load(xdg, file, "complete").states).toEqual(["partial", "partial"]);
    expect(load(xdg, file).states).toEqual(["accepted", "accepted"]);
  });

  it("falls back to a normal compile on damaged, truncated or foreign cache files, and rewrites them", () => {
    const file = library();
    const xdg = project({});
    load(xdg, file);
    const [a, b] = cacheFiles(xdg);
    const good = readFileSync(a);
    const headerLength = good.readUInt32LE(0);
    const flip = (buf: Buffer, at: number) => {
      const c = Buffer.from(buf);
      for (let i = at; i < Math.min(at + 64, c.length); i++) c[i] ^= 0x55;
      return c;
    };
    const damages: [string, (buf: Buffer) => Buffer][] = [
      ["garbage", () => Buffer.from("not a cache at all")],
      ["empty", () => Buffer.alloc(0)],
      ["zeros", (buf) => Buffer.alloc(buf.length)],
      ["truncated", (buf) => buf.subarray(0, buf.length - 10)],
      ["longer", (buf) => Buffer.concat([buf, Buffer.from("x")])],
      ["header length past the end", (buf) => Buffer.concat([Buffer.from([255, 255, 255, 127]), buf.subarray(4)])],
      ["header not JSON", (buf) => Buffer.concat([buf.subarray(0, 4), Buffer.from("{".padEnd(headerLength, " ")), buf.subarray(4 + headerLength)])],
      ["another file's cache", () => readFileSync(b)],
      // V8 checks neither of these itself: without the CRC the process would crash
      ["V8's header", (buf) => flip(buf, 4 + headerLength)],
      ["V8's data", (buf) => flip(buf, 4 + headerLength + ((buf.length - 4 - headerLength) >> 1))],
    ];
    for (const [what, damage] of damages) {
      writeFileSync(a, damage(good));
      const r = load(xdg, file);
      expect(r.exports.answer, what).toBe(42);
      expect(r.states.filter((s) => s === "rejected"), what).toHaveLength(1);
      expect(load(xdg, file, "").states, what).toEqual(["accepted", "accepted"]);
    }
  });

  it("data that V8 refuses (made with other V8 flags) is replaced", () => {
    const file = library();
    const xdg = project({});
    load(xdg, file);
    const other = load(xdg, file, "complete", ["--no-opt"]);
    expect(other.states).toEqual(["rejected", "rejected"]);
    expect(other.exports.answer).toBe(42);
    expect(load(xdg, file, "", ["--no-opt"]).states).toEqual(["accepted", "accepted"]);
  });

  it("a changed source file gets a new cache, not the old one", () => {
    const file = library();
    const xdg = project({});
    const stamp = new Date(2020, 1, 1);
    utimesSync(file, stamp, stamp);
    load(xdg, file);
    // same length, same mtime: the ctime (and the content) differ
    writeFileSync(file, readFileSync(file, "utf8").replace("add(40, 2)", "add(40, 3)"));
    utimesSync(file, stamp, stamp);
    const r = load(xdg, file);
    expect(r.exports.answer).toBe(43);
    expect(r.states).toEqual(["missing", "accepted"]);
    // the cache of the old version is gone
    expect(cacheFiles(xdg)).toHaveLength(2);
  });

  it("an unwritable cache directory only means no cache", () => {
    const file = library();
    const blocker = join(project({ "a-file": "" }), "a-file");
    const r = load(blocker, file);
    expect(r.exports.answer).toBe(42);
    expect(r.states).toEqual(["off", "off"]);
    const readOnly = project({});
    mkdirSync(join(readOnly, "nixgen-migrate"), { mode: 0o500 });
    expect(load(readOnly, file).exports.answer).toBe(42);
  });

  it.skipIf(process.platform === "win32")("does not use a directory others can write to (a shared /tmp), nor a symlink", () => {
    const file = library();
    const xdg = project({});
    mkdirSync(join(xdg, "nixgen-migrate"));
    chmodSync(join(xdg, "nixgen-migrate"), 0o777);
    const r = load(xdg, file);
    expect(r.states).toEqual(["off", "off"]);
    expect(r.exports.answer).toBe(42);
    expect(cacheFiles(xdg)).toEqual([]);
    const linked = project({});
    mkdirSync(join(linked, "elsewhere"), { mode: 0o700 });
    spawnSync("ln", ["-s", "elsewhere", join(linked, "nixgen-migrate")]);
    expect(load(linked, file).states).toEqual(["off", "off"]);
    expect(readdirSync(join(linked, "elsewhere"))).toEqual([]);
  });

  it.skipIf(process.platform === "win32")("creates its directory and files for their owner only", () => {
    const file = library();
    const xdg = project({});
    load(xdg, file);
    expect(statMode(join(xdg, "nixgen-migrate"))).toBe(0o700);
    for (const f of cacheFiles(xdg)) expect(statMode(f)).toBe(0o600);
  });

  it("where the cache lives, and the switch that turns it off", () => {
    expect(cacheDirectory({ XDG_CACHE_HOME: "/home/u/.cache" })).toBe(join("/home/u/.cache", "nixgen-migrate"));
    expect(cacheDirectory({ XDG_CACHE_HOME: "relative/ignored" })).toMatch(/nixgen-migrate(-\d+)?$/);
    expect(cacheDirectory({})).toMatch(/nixgen-migrate(-\d+)?$/);
    expect(cacheDirectory({ XDG_CACHE_HOME: "/x", [DISABLE_ENV]: "1" })).toBeNull();
    expect(cacheDirectory({ XDG_CACHE_HOME: "/x", [DISABLE_ENV]: "0" })).toBe(join("/x", "nixgen-migrate"));
    const file = library();
    const r = load(null, file);
    expect(r.exports.answer).toBe(42);
    expect(r.states).toEqual([]);
  });
});

describe("compile cache (the bin)", () => {
  const flake = () => project({ "flake.nix": EXAMPLE });
  const mtimes = (xdg: string) => Object.fromEntries(cacheFiles(xdg).map((f) => [f, statSync(f).mtimeMs]));

  it("the second run uses the cache the first wrote; the output is the same, also with the cache off", () => {
    const cwd = flake();
    const xdg = project({});
    const cold = cli(["flake.nix"], { cwd, env: { XDG_CACHE_HOME: xdg } });
    expect(cold.code, cold.stderr).not.toBe(2);
    expect(cold.stdout).toContain("+++ b/flake.nix");
    const names = cacheFiles(xdg).map((f) => f.slice(join(xdg, "nixgen-migrate").length + 1));
    expect(names.some((n) => n.startsWith("cli.cjs."))).toBe(true);
    expect(names.some((n) => n.startsWith("web-tree-sitter.cjs."))).toBe(true);
    const written = mtimes(xdg);
    const warm = cli(["flake.nix"], { cwd, env: { XDG_CACHE_HOME: xdg } });
    expect(warm).toEqual(cold);
    // used, not replaced
    expect(mtimes(xdg)).toEqual(written);
    const offXdg = project({});
    const off = cli(["flake.nix"], { cwd, env: { XDG_CACHE_HOME: offXdg, [DISABLE_ENV]: "1" } });
    expect(off).toEqual(cold);
    expect(readdirSync(offXdg)).toEqual([]);
  });

  it("a run over 50+ flakes (it turns wasm tier-up on) leaves a cache that a one-flake run uses", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`h${i}/flake.nix`] = EXAMPLE;
    const many = project(files);
    const xdg = project({});
    expect(cli(["--check", "-j", "1", "."], { cwd: many, env: { XDG_CACHE_HOME: xdg } }).code).toBe(1);
    const cliCache = () => cacheFiles(xdg).filter((f) => f.includes(`${sep}cli.cjs.`));
    expect(cliCache()).toHaveLength(1);
    const written = statSync(cliCache()[0]!).mtimeMs;
    // refused data (other V8 flags) would be written again
    expect(cli(["flake.nix"], { cwd: flake(), env: { XDG_CACHE_HOME: xdg } }).code).toBe(1);
    expect(cliCache().map((f) => statSync(f).mtimeMs)).toEqual([written]);
  });

  it("damaged cache files and an unwritable cache directory do not change the result", () => {
    const cwd = flake();
    const xdg = project({});
    const cold = cli(["flake.nix"], { cwd, env: { XDG_CACHE_HOME: xdg } });
    const damaged = new Map<string, Buffer>();
    for (const f of cacheFiles(xdg)) {
      const buf = readFileSync(f);
      for (let i = buf.length >> 1; i < buf.length; i++) buf[i] ^= 0xff;
      writeFileSync(f, buf);
      damaged.set(f, buf);
    }
    expect(cli(["flake.nix"], { cwd, env: { XDG_CACHE_HOME: xdg } })).toEqual(cold);
    // replaced, and the new ones are used
    for (const [f, buf] of damaged) expect(readFileSync(f).equals(buf), f).toBe(false);
    const written = mtimes(xdg);
    expect(cli(["flake.nix"], { cwd, env: { XDG_CACHE_HOME: xdg } })).toEqual(cold);
    expect(mtimes(xdg)).toEqual(written);
    const blocker = join(project({ "a-file": "" }), "a-file");
    expect(cli(["flake.nix"], { cwd, env: { XDG_CACHE_HOME: blocker } })).toEqual(cold);
  });

  it("--version writes a cache that a real run then completes", () => {
    const cwd = flake();
    const xdg = project({});
    const version = cli(["--version"], { cwd, env: { XDG_CACHE_HOME: xdg } });
    expect(version.code).toBe(0);
    const header = () => {
      const buf = readFileSync(cacheFiles(xdg).find((f) => f.includes(`${sep}cli.cjs.`))!);
      return JSON.parse(buf.toString("utf8", 4, 4 + buf.readUInt32LE(0))) as { complete: boolean };
    };
    expect(header().complete).toBe(false);
    expect(cli(["--version"], { cwd, env: { XDG_CACHE_HOME: xdg } })).toEqual(version);
    expect(header().complete).toBe(false);
    expect(cli(["flake.nix"], { cwd, env: { XDG_CACHE_HOME: xdg } }).code).not.toBe(2);
    expect(header().complete).toBe(true);
  });
});
