// Bad input through the real bin: every case gets one clear line on stderr
// (plus the summary), the documented exit code (0 nothing to do / all written,
// 1 changes needed or unmigratable, 2 usage, parse or I/O error), and nothing
// on disk changes but what the run is meant to write (a snapshot of the whole
// directory before and after). Missing files, syntax errors and non-UTF-8
// text named on the command line are also in cli.test.ts / repo-mode.test.ts;
// here they are checked against the snapshot too.
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, cli, tempProject, type CliResult } from "./helpers/cli.js";
import { init } from "../src/index.js";
import { checkParseOracleFiles } from "./helpers/oracle.js";
import { nixParse } from "./helpers/nix.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example");
const EXAMPLE = readFileSync(join(FIXTURES, "input.nix"), "utf8");
const MIGRATED = readFileSync(join(FIXTURES, "output.nix"), "utf8");
const HOOK = join(import.meta.dirname, "helpers", "change-before-write.mjs");

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});
function project(files: Record<string, string | Buffer>): string {
  const p = tempProject(files);
  cleanups.push(() => {
    // give back what a test took away, so that the directory can be removed
    spawnSync("chmod", ["-R", "u+rwx", p.dir]);
    p.cleanup();
  });
  return p.dir;
}

/** Everything under `dir`, without following links: path -> type, mode and content (or link target). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const full = join(dir, rel);
    const st = lstatSync(full);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.set(rel, `link -> ${readlinkSync(full)}`);
    else if (st.isDirectory()) {
      out.set(rel, `dir ${mode}`);
      // a directory this process cannot list is restored by the test before the snapshot
      for (const n of readdirSync(full).sort()) walk(rel ? `${rel}/${n}` : n);
    } else if (st.isFile()) {
      let content: string;
      try {
        content = readFileSync(full).toString("base64");
      } catch {
        content = "(unreadable)";
      }
      out.set(rel, `file ${mode} ${content}`);
    } else out.set(rel, `special ${mode}`);
  };
  walk("");
  return out;
}

/** What changed between two snapshots: path -> [before, after] (undefined: absent). */
function changes(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) if (a.get(k) !== b.get(k)) out.push(k);
  return out.sort();
}

const SUMMARY = /^\d+ files? (to migrate|migrated),/;

/** The lines on stderr that are not the summary. */
const messages = (r: CliResult) => r.stderr.split("\n").filter((l) => l && !SUMMARY.test(l));

/** Runs the bin, snapshots the project around it, and returns the paths that changed. */
function run(dir: string, args: string[], opts: { env?: Record<string, string>; as?: "unprivileged" } = {}): CliResult & { changed: string[] } {
  const before = snapshot(dir);
  const r = opts.as === "unprivileged" ? cliUnprivileged(args, dir) : cli(args, { cwd: dir, env: opts.env });
  const after = snapshot(dir);
  return { ...r, changed: changes(before, after) };
}

// Tests run as root in CI containers, where permissions do not stop reads and
// writes. The permission cases then run the bin as `nobody` (setpriv), for real.
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const canDropPrivileges = isRoot && spawnSync("setpriv", ["--reuid", String(NOBODY), "--regid", String(NOBODY), "--clear-groups", "true"]).status === 0;

function cliUnprivileged(args: string[], cwd: string): CliResult {
  if (!isRoot) return cli(args, { cwd });
  const env = { ...process.env, NO_COLOR: "1", CI: "1", HOME: "/nonexistent" };
  const r = spawnSync("setpriv", ["--reuid", String(NOBODY), "--regid", String(NOBODY), "--clear-groups", process.execPath, BIN, ...args], { cwd, encoding: "utf8", env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Makes `dir` usable by the unprivileged user: reachable, and `owned` paths belong to it. */
function handOver(dir: string, owned: string[]) {
  if (!isRoot) return;
  chmodSync(dir, 0o755);
  for (const p of owned) chownSync(join(dir, p), NOBODY, NOBODY);
}

describe("bad input through the CLI: one line, the documented exit code, nothing else changes on disk", () => {
  it("a missing file: exit 2", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    const r = run(dir, ["--write", "missing.nix"]);
    expect(r.code).toBe(2);
    expect(messages(r)).toEqual(["missing.nix: no such file"]);
    expect(r.changed).toEqual([]);
  });

  it("a directory without flakes: nothing to do, exit 0, even with --write", () => {
    const dir = project({ "notes/README.md": "# notes\n", "notes/a.nix": "{ a = 1; }\n", "notes/empty/.keep": "" });
    for (const args of [["notes"], ["--write", "notes"], ["--check", "notes"]]) {
      const r = run(dir, args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("");
      expect(messages(r)).toEqual([]);
      expect(r.stderr).toMatch(/^0 files (to migrate|migrated), \d+ unchanged\n$/);
      expect(r.changed).toEqual([]);
    }
  });

  it.runIf(!isRoot || canDropPrivileges)("an unreadable file (mode 000): exit 2, no other file touched", () => {
    const dir = project({ "flake.nix": EXAMPLE, "other/flake.nix": EXAMPLE });
    chmodSync(join(dir, "flake.nix"), 0o000);
    handOver(dir, ["flake.nix", "other", "other/flake.nix"]);
    const r = run(dir, ["--write", "flake.nix"], { as: "unprivileged" });
    expect(r.code).toBe(2);
    expect(messages(r)).toEqual(["flake.nix: permission denied"]);
    expect(r.changed).toEqual([]);
  });

  it.runIf(!isRoot || canDropPrivileges)("an unreadable file in a walked directory is one error; the other flakes are written", () => {
    const dir = project({ "a/flake.nix": EXAMPLE, "b/flake.nix": EXAMPLE });
    chmodSync(join(dir, "a", "flake.nix"), 0o000);
    handOver(dir, ["a", "a/flake.nix", "b", "b/flake.nix"]);
    const r = run(dir, ["--write", "."], { as: "unprivileged" });
    expect(r.code).toBe(2);
    expect(messages(r).filter((l) => l.startsWith("a/"))).toEqual(["a/flake.nix: permission denied"]);
    expect(r.changed).toEqual(["b/flake.nix"]);
    expect(readFileSync(join(dir, "b", "flake.nix"), "utf8")).toBe(MIGRATED);
  });

  it.runIf(!isRoot || canDropPrivileges)("a module file that is there but cannot be read is not taken for a missing one: the flake is refused, exit 2", () => {
    const flake = EXAMPLE.replace("modules = [ ./configuration.nix ];\n        format = \"vmware\"", "modules = [ ./vm.nix ];\n        format = \"vmware\"");
    expect(flake).not.toBe(EXAMPLE);
    const dir = project({ "flake.nix": flake, "vm.nix": "{ ... }: { virtualisation.vmware.guest.enable = true; }\n" });
    chmodSync(join(dir, "vm.nix"), 0o000);
    handOver(dir, ["flake.nix", "vm.nix"]);
    const r = run(dir, ["--write", "flake.nix"], { as: "unprivileged" });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^flake\.nix:1:1 error file-unreadable vm\.nix: permission denied: the migration needs this file, so nothing of it was migrated; make it readable and run again$/m);
    expect(r.stdout).not.toMatch(/migrated-call/);
    expect(r.changed).toEqual([]);
  });

  it("a module file that is not UTF-8 refuses the flake (it was read as missing before)", () => {
    const flake = EXAMPLE.replace("modules = [ ./configuration.nix ];\n        format = \"vmware\"", "modules = [ ./vm.nix ];\n        format = \"vmware\"");
    const dir = project({ "flake.nix": flake, "vm.nix": Buffer.from("# caf\xe9\n{ ... }: { }\n", "latin1") });
    const r = run(dir, ["--write", "flake.nix"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^flake\.nix:1:1 error file-unreadable vm\.nix: is not valid UTF-8 \(first bad byte at offset 5\)/m);
    expect(r.changed).toEqual([]);
  });

  it.runIf(!isRoot || canDropPrivileges)("a read-only directory: the write fails with exit 2, the file and the directory are as before, no temp file", () => {
    const dir = project({ "ro/flake.nix": EXAMPLE });
    handOver(dir, ["ro/flake.nix"]); // the file is writable by the user, its directory is not
    chmodSync(join(dir, "ro"), 0o555);
    const r = run(dir, ["--write", "ro/flake.nix"], { as: "unprivileged" });
    expect(r.code).toBe(2);
    expect(messages(r).filter((l) => !/^ro\/flake\.nix:\d+:\d+ /.test(l))).toEqual(["ro/flake.nix: cannot be written: permission denied"]);
    expect(r.changed).toEqual([]);
    expect(readdirSync(join(dir, "ro"))).toEqual(["flake.nix"]);
  });

  it("a keyword as a name (the grammar takes `inputs.with.url`, `{ pkgs, if }:`, Nix does not): exit 2 at the keyword, like nix-instantiate", () => {
    const cases = [
      [EXAMPLE.replace("inputs.nixpkgs.url", "inputs.with.url"), /^flake\.nix:2:10 error syntax-error .*the keyword "with" where a name belongs/m],
      [EXAMPLE.replace("modules = [ ./configuration.nix ];", "modules = [ ({ pkgs,if }: { }) ];"), /^flake\.nix:11:29 error syntax-error .*the keyword "if"/m],
      [EXAMPLE.replace("outputs = {", "x = { inherit (builtins) if; };\n  outputs = {"), /^flake\.nix:\d+:28 error syntax-error .*the keyword "if"/m],
    ] as const;
    expect(nixParse(cases.map(([text]) => text)).map((r) => r.kind)).toEqual(["syntax", "syntax", "syntax"]);
    for (const [text, at] of cases) {
      const dir = project({ "flake.nix": text });
      const r = run(dir, ["--write", "flake.nix"]);
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toMatch(at);
      expect(r.changed).toEqual([]);
    }
    // quoted, and `or` as an attribute name, Nix takes: so does the tool
    const quoted = EXAMPLE.replace("inputs.nixpkgs.url", 'inputs."with".url = "x"; inputs.or.url = "y"; inputs.nixpkgs.url');
    expect(nixParse([quoted]).map((r) => r.kind)).toEqual(["ok"]);
    expect(run(project({ "flake.nix": quoted }), ["flake.nix"]).code).toBe(1);
    // but not `or` as a variable at the head of an expression: with nixpkgs' URL on an input named `or`,
    // the configuration would be `or.lib.nixosSystem { … }`, which Nix rejects: refused, not written
    const orInput = EXAMPLE.replace("inputs.nixpkgs.url", "inputs.or.url");
    expect(nixParse([orInput, "let or = 1; in or.lib.x"]).map((r) => r.kind)).toEqual(["ok", "syntax"]);
    const r = run(project({ "flake.nix": orInput }), ["--write", "flake.nix"]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/internal-error .*would not parse \(the keyword "or" where a name belongs/);
    expect(r.changed).toEqual([]);
  });

  it("non-UTF-8 bytes: exit 2 with the offset of the first bad byte", () => {
    const dir = project({ "flake.nix": Buffer.concat([Buffer.from(EXAMPLE.slice(0, 40)), Buffer.from([0xc3, 0x28]), Buffer.from(EXAMPLE.slice(40))]) });
    const r = run(dir, ["--write", "flake.nix"]);
    expect(r.code).toBe(2);
    expect(messages(r)).toEqual(["flake.nix: is not valid UTF-8 (first bad byte at offset 40); convert it to UTF-8 first"]);
    expect(r.changed).toEqual([]);
  });

  it("non-UTF-8 at the end of a 10 MB file, and a sequence cut short by the end of the file: the offset, at once", () => {
    const big = Buffer.concat([Buffer.from(EXAMPLE), Buffer.alloc(10 * 1024 * 1024, "# padding\n"), Buffer.from([0xff, 0x0a])]);
    const dir = project({ "flake.nix": big, "cut.nix": Buffer.concat([Buffer.from("{ }\n# caf"), Buffer.from([0xc3])]) });
    const r = run(dir, ["--write", "flake.nix", "cut.nix"]);
    expect(r.code).toBe(2);
    expect(messages(r).sort()).toEqual([
      "cut.nix: is not valid UTF-8 (first bad byte at offset 9); convert it to UTF-8 first",
      `flake.nix: is not valid UTF-8 (first bad byte at offset ${big.length - 2}); convert it to UTF-8 first`,
    ]);
    expect(r.changed).toEqual([]);
  });

  it("a binary file: exit 2", () => {
    const dir = project({ "flake.nix": Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x6e, 0x69, 0x78, 0x6f, 0x73]) });
    const r = run(dir, ["--write", "flake.nix"]);
    expect(r.code).toBe(2);
    expect(messages(r)).toEqual(["flake.nix: is a binary file (it contains NUL bytes); not a Nix file"]);
    expect(r.changed).toEqual([]);
  });

  it("an empty file: nothing to do, exit 0", () => {
    const dir = project({ "flake.nix": "" });
    const r = run(dir, ["--write", "flake.nix"]);
    expect(r.code).toBe(0);
    expect(messages(r)).toEqual([]);
    expect(r.changed).toEqual([]);
  });

  it("a named FIFO is refused at once (reading it would wait for a writer forever): exit 2", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    expect(spawnSync("mkfifo", [join(dir, "pipe.nix")]).status).toBe(0);
    const r = run(dir, ["--write", "pipe.nix"]);
    expect(r.code).toBe(2);
    expect(messages(r)).toEqual(["pipe.nix: is not a regular file (a FIFO, socket or device); not read"]);
    expect(r.changed).toEqual([]);
  });

  it("a file that changes between read and write is not overwritten: exit 2, the new content stays, no temp file", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    // the hook appends to the file just before the write checks what is on disk
    const r = run(dir, ["--write", "flake.nix"], { env: { NODE_OPTIONS: `--import=${HOOK}`, NIXGEN_TEST_CHANGE_FILE: join(dir, "flake.nix") } });
    expect(r.code).toBe(2);
    expect(messages(r).filter((l) => !/^flake\.nix:\d+:\d+ /.test(l))).toEqual(["flake.nix: changed on disk while it was being migrated; not written (run again)"]);
    expect(r.changed).toEqual(["flake.nix"]);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(EXAMPLE + "# changed meanwhile\n");
    expect(readdirSync(dir)).toEqual(["flake.nix"]);
  });

  it("a symlink to a file: the target is written, the link stays a link", () => {
    const dir = project({ "real/flake.nix": EXAMPLE });
    symlinkSync("real/flake.nix", join(dir, "flake.nix"));
    const r = run(dir, ["--write", "flake.nix"]);
    expect(r.code).toBe(0);
    expect(messages(r)).toEqual([]);
    expect(r.changed).toEqual(["real/flake.nix"]);
    expect(lstatSync(join(dir, "flake.nix")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "flake.nix"))).toBe("real/flake.nix");
    expect(readFileSync(join(dir, "real", "flake.nix"), "utf8")).toBe(MIGRATED);
    expect(readdirSync(join(dir, "real"))).toEqual(["flake.nix"]);
  });

  it("a symlink loop: exit 2 when named, skipped when walked", () => {
    const dir = project({});
    symlinkSync("b.nix", join(dir, "a.nix"));
    symlinkSync("a.nix", join(dir, "b.nix"));
    const r = run(dir, ["--write", "a.nix"]);
    expect(r.code).toBe(2);
    expect(messages(r)).toEqual(["a.nix: symbolic link loop"]);
    expect(r.changed).toEqual([]);
    const walked = run(dir, ["--write", "."]);
    expect(walked.code).toBe(0);
    expect(messages(walked)).toEqual([]);
    expect(walked.changed).toEqual([]);
  });

  it("a 100k-deep nested expression: no stack overflow, the call inside is migrated, a second run has nothing to do", async () => {
    const D = 100_000;
    const deep = EXAMPLE.replace(/(vmware = )(nixos-generators\.nixosGenerate \{[\s\S]*?\n {6}\});/, (_m, a: string, call: string) => `${a}${"(".repeat(D)}${call}${")".repeat(D)};`);
    expect(deep.length).toBeGreaterThan(2 * D);
    const dir = project({ "flake.nix": deep });
    const r = run(dir, ["--write", "flake.nix"]);
    expect(r.stderr).not.toMatch(/Maximum call stack|RangeError|internal/i);
    expect(r.code).toBe(0);
    expect(r.changed).toEqual(["flake.nix"]);
    const out = readFileSync(join(dir, "flake.nix"), "utf8");
    expect(out).toContain(`${"(".repeat(D)}self.nixosConfigurations.nixos.config.system.build.images.vmware${")".repeat(D)};`);
    expect(out).not.toContain("nixosGenerate");
    const again = run(dir, ["--write", "flake.nix"]);
    expect(again.code).toBe(0);
    expect(again.changed).toEqual([]);
    // Nix's parser stops at 10,000 levels (bison stack): the oracle sees a 5,000-deep copy
    await init();
    const shallow = project({ "flake.nix": deep.replace("(".repeat(D), "(".repeat(5000)).replace(")".repeat(D), ")".repeat(5000)) });
    expect(run(shallow, ["--write", "flake.nix"]).code).toBe(0);
    const report = await checkParseOracleFiles([{ path: join(shallow, "flake.nix"), from: deep.replace("(".repeat(D), "(".repeat(5000)).replace(")".repeat(D), ")".repeat(5000)) }]);
    expect(report.problems).toEqual([]);
  });

  it("a path with spaces and unicode: findings and errors name it as given", () => {
    const name = "dir with spaces/ünïcødé 😀 flake.nix";
    const docker = EXAMPLE.replace('format = "vmware"', 'format = "docker"');
    const dir = project({ [name]: docker, "other dir/bad ü.nix": "{ nixosGenerate = ; }\n" });
    const r = run(dir, [name]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`--- a/${name}\n+++ b/${name}\n`);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+ error `, "m"));
    expect(r.changed).toEqual([]);
    const bad = run(dir, ["--write", "other dir/bad ü.nix"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).toMatch(/^other dir\/bad ü\.nix:1:\d+ error syntax-error /m);
    expect(bad.changed).toEqual([]);
  });
});

describe("a usage error changes nothing", () => {
  it("an unknown flag: exit 2, one line, nothing written even with --write", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    writeFileSync(join(dir, "keep.txt"), "x");
    mkdirSync(join(dir, "sub"));
    const r = run(dir, ["--write", "--frobnicate", "flake.nix"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("nixgen-migrate: Unknown argument: frobnicate");
    expect(r.stdout).toBe("");
    expect(r.changed).toEqual([]);
  });
});
