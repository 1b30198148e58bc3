// Tried as an attacker and as a careless user would (issue 14), through the
// real bin: symbolic links out of the repository, oversized and swapped files,
// signals during --write, -j, ownership and hard links, paths with newlines,
// terminal escapes in what a flake holds, and file names that look like options.
import { afterEach, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import {
  chownSync,
  closeSync,
  cpSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  appendFileSync,
  fstatSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { BIN, cli, tempProject } from "./helpers/cli.js";
import { isOpenedAt, readFileInside, Boundary, MAX_FILE_BYTES } from "../src/cli/files.js";
import { prefilter } from "../src/cli/work.js";
import { FileError } from "../src/decode.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const EXAMPLE = readFileSync(join(FIXTURES, "nixos-generate-call", "readme-example", "input.nix"), "utf8");
const MIGRATED = readFileSync(join(FIXTURES, "nixos-generate-call", "readme-example", "output.nix"), "utf8");
const NESTED = join(FIXTURES, "image-only-options", "nested-imports");
const TMP = /\.nixgen-migrate-\d+-[a-z0-9]+\.tmp$/;

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function project(files: Record<string, string | Buffer> = {}): string {
  const p = tempProject(files);
  cleanups.push(p.cleanup);
  return p.dir;
}

/** Every file below `dir` (links as `-> target`), for before/after comparisons. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(join(dir, r))}`;
      else if (st.isDirectory()) walk(r);
      else out[r] = readFileSync(join(dir, r), "utf8");
    }
  };
  walk("");
  return out;
}

/** The nested-imports fixture (a flake whose modules hold proxmox options) in a git repository. */
function nestedRepo(): string {
  const dir = project();
  cpSync(join(NESTED, "input"), dir, { recursive: true });
  mkdirSync(join(dir, ".git"));
  return dir;
}

describe("symbolic links out of the repository (1)", () => {
  it("--write flake.nix: a module that is a link to a file outside is neither read nor written; a warning names it", () => {
    const dir = nestedRepo();
    const outside = project({ "hardware.nix": readFileSync(join(dir, "hosts/pve/hardware.nix"), "utf8") });
    const before = tree(outside);
    rmSync(join(dir, "hosts/pve/hardware.nix"));
    symlinkSync(join(outside, "hardware.nix"), join(dir, "hosts/pve/hardware.nix"));
    const r = cli(["--write", "flake.nix"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(tree(outside)).toEqual(before);
    expect(r.stdout).toMatch(new RegExp(`^hosts/pve/hardware\\.nix:1:1 warning outside-repository hosts/pve/hardware\\.nix leads to ${outside}/hardware\\.nix through a symbolic link`, "m"));
    // the module inside the repository is migrated as before, and the link is still a link
    expect(readFileSync(join(dir, "modules/vm.nix"), "utf8")).toBe(readFileSync(join(NESTED, "output/modules/vm.nix"), "utf8"));
    expect(lstatSync(join(dir, "hosts/pve/hardware.nix")).isSymbolicLink()).toBe(true);
  });

  it("--write .: a linked directory of modules stays outside; a linked flake.lock refuses the flake, nothing is written", () => {
    const dir = nestedRepo();
    const outside = project();
    cpSync(join(dir, "modules"), join(outside, "modules"), { recursive: true });
    writeFileSync(join(outside, "flake.lock"), JSON.stringify({ nodes: { root: { inputs: {} } }, root: "root", version: 7 }));
    const before = tree(outside);
    rmSync(join(dir, "modules"), { recursive: true });
    symlinkSync(join(outside, "modules"), join(dir, "modules"));
    const r = cli(["--write", "."], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(tree(outside)).toEqual(before);
    expect(r.stdout).toMatch(/^modules:1:1 warning outside-repository /m);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(readFileSync(join(NESTED, "output/flake.nix"), "utf8"));

    const locked = nestedRepo();
    symlinkSync(join(outside, "flake.lock"), join(locked, "flake.lock"));
    const inside = tree(locked);
    const l = cli(["--write", "."], { cwd: locked });
    expect(l.code).toBe(2);
    expect(l.stdout).toMatch(new RegExp(`^flake\\.nix:1:1 error file-unreadable flake\\.lock: leads to ${outside}/flake\\.lock through a symbolic link, outside the repository \\(${locked}\\); not read`, "m"));
    expect(l.stdout).toMatch(/^hosts\/pve\/hardware\.nix:1:1 error flake-not-migrated left as it was/m);
    expect(tree(locked)).toEqual(inside);
    expect(tree(outside)).toEqual(before);
  });

  it("a link that stays inside the repository is followed, and its target written", () => {
    const dir = nestedRepo();
    renameSync(join(dir, "modules/vm.nix"), join(dir, "vm-real.nix"));
    symlinkSync("../vm-real.nix", join(dir, "modules/vm.nix"));
    const r = cli(["--write", "flake.nix"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "vm-real.nix"), "utf8")).toBe(readFileSync(join(NESTED, "output/modules/vm.nix"), "utf8"));
    expect(readlinkSync(join(dir, "modules/vm.nix"))).toBe("../vm-real.nix");
    expect(r.stdout).not.toContain("outside-repository");
  });

  it("a file opened for reading is checked to be the one at its path (a swap is seen)", () => {
    const dir = project({ "a.nix": "{ a = 1; }\n", "b.nix": "{ b = 2; }\n" });
    const fd = openSync(join(dir, "a.nix"), "r");
    try {
      expect(isOpenedAt(fd, join(dir, "a.nix"), fstatSync(fd))).toBe(true);
      renameSync(join(dir, "b.nix"), join(dir, "a.nix"));
      expect(isOpenedAt(fd, join(dir, "a.nix"), fstatSync(fd))).toBe(false);
    } finally {
      closeSync(fd);
    }
    // through a link out of the boundary: an error, not "absent"; a missing file: undefined
    const outside = project({ "x.nix": "{ }\n" });
    symlinkSync(join(outside, "x.nix"), join(dir, "x.nix"));
    const boundary = Boundary.of([dir]);
    expect(() => readFileInside("x.nix", join(dir, "x.nix"), boundary)).toThrow(FileError);
    expect(readFileInside("none.nix", join(dir, "none.nix"), boundary)).toBeUndefined();
    expect(readFileInside("none.nix", join(dir, "a.nix", "none.nix"), boundary)).toBeUndefined();
  });
});

describe("oversized and swapped files (4)", () => {
  const BIG = MAX_FILE_BYTES + 1024 * 1024;

  it("a walked file over the size bound is an error only when it holds a needle; the flakes beside it are migrated", () => {
    const dir = project({ "a/flake.nix": EXAMPLE, "b/flake.nix": EXAMPLE });
    // sparse: no disk space, and nothing is held in memory to search it
    writeFileSync(join(dir, "README.md"), "");
    truncateSync(join(dir, "README.md"), BIG);
    appendFileSync(join(dir, "README.md"), "\nnixos-generate -f iso\n");
    writeFileSync(join(dir, "big.nix"), "");
    truncateSync(join(dir, "big.nix"), BIG);
    const r = cli(["--write", "."], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").filter((l) => l && !/^\d+ files? migrated/.test(l))).toEqual([
      "README.md: is 65 MB, more than the 64 MB nixgen-migrate reads, and mentions what it migrates: migrate it by hand",
    ]);
    expect(readFileSync(join(dir, "a/flake.nix"), "utf8")).toBe(MIGRATED);
    expect(readFileSync(join(dir, "b/flake.nix"), "utf8")).toBe(MIGRATED);
    // named on the command line: refused at once, not read
    const named = cli(["big.nix"], { cwd: dir });
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/^big\.nix: is 65 MB, more than the 64 MB nixgen-migrate reads; not read$/m);
  });

  it("a walked file swapped for a link to /dev/zero is skipped without reading it; named, it is refused", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    symlinkSync("/dev/zero", join(dir, "zero.nix"));
    // what the walk saw (a regular file) is now a link: the prefilter opens without following it
    const r = prefilter([{ path: "zero.nix", abs: join(dir, "zero.nix") }, { path: "flake.nix", abs: join(dir, "flake.nix") }], true);
    expect(r).toMatchObject({ hits: ["flake.nix"], errors: [] });
    const named = cli(["zero.nix", "flake.nix"], { cwd: dir });
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/^zero\.nix: is not a regular file \(a FIFO, socket or device\); not read$/m);
    expect(named.stdout).toContain("diff --git a/flake.nix b/flake.nix");
  });
});

describe("signals during --write (6)", () => {
  const HOOK = join(import.meta.dirname, "helpers", "signal-during-write.mjs");
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    it(`${signal} while temp files exist: they are removed, exit ${code}, every file old or new`, async () => {
      const files: Record<string, string> = {};
      // more files than one batch of writes: the signal comes while the second batch waits for its fsync
      const N = 150;
      for (let i = 0; i < N; i++) files[`f${i}/flake.nix`] = EXAMPLE.replace("# for the lab", `# lab ${i}`);
      const dir = project(files);
      const seen = join(project(), "temps.txt");
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, "--write", "-j", "1", "."], {
          cwd: dir,
          env: { ...process.env, NO_COLOR: "1", CI: "1", NODE_OPTIONS: `--import=${HOOK}`, NIXGEN_TEST_SIGNAL: signal, NIXGEN_TEST_SIGNAL_AT: "140", NIXGEN_TEST_TEMPS_SEEN: seen },
        });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        child.on("exit", (c) => resolve({ code: c, stderr }));
      });
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`^nixgen-migrate: ${signal}: stopped \\(\\d+ temp files? removed\\); every file is as it was or fully migrated$`, "m"));
      // temp files existed when the signal came, and none is left
      expect(readFileSync(seen, "utf8")).toMatch(TMP);
      let migrated = 0;
      for (let i = 0; i < N; i++) {
        expect(readdirSync(join(dir, `f${i}`))).toEqual(["flake.nix"]);
        const text = readFileSync(join(dir, `f${i}/flake.nix`), "utf8");
        if (text !== files[`f${i}/flake.nix`]) {
          expect(text).toBe(MIGRATED.replace("# for the lab", `# lab ${i}`));
          migrated++;
        }
      }
      expect(migrated).toBeGreaterThan(0);
      expect(migrated).toBeLessThan(N);
    });
  }
});

describe("-j (7)", () => {
  it("is capped at the number of CPUs, said once", () => {
    const dir = project({ "a/flake.nix": EXAMPLE, "b/flake.nix": EXAMPLE });
    const r = cli(["--check", "-j", "9999", "."], { cwd: dir });
    expect(r.code).toBe(1);
    const cpus = availableParallelism();
    const notes = r.stderr.split("\n").filter((l) => l.includes("more than the"));
    expect(notes).toEqual([`nixgen-migrate: -j 9999 is more than the ${cpus} CPU${cpus === 1 ? "" : "s"} of this machine; using ${cpus}`]);
    expect(r.stdout).toBe("a/flake.nix\nb/flake.nix\n");
    expect(cli(["--check", "-j", String(cpus), "."], { cwd: dir }).stderr).not.toContain("more than the");
  });
});

describe("ownership and hard links (8)", () => {
  it.runIf(process.getuid?.() === 0)("a root run keeps another user's owner and group", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    chownSync(join(dir, "flake.nix"), 65534, 65533);
    const r = cli(["--write", "flake.nix"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(MIGRATED);
    const st = statSync(join(dir, "flake.nix"));
    expect([st.uid, st.gid]).toEqual([65534, 65533]);
  });

  it("a file with several hard links is reported and not written (the links stay one file)", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    linkSync(join(dir, "flake.nix"), join(dir, "other-name.nix"));
    const r = cli(["--write", "flake.nix"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^flake\.nix: has 2 hard links, which replacing it would break; not written/m);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(EXAMPLE);
    expect(statSync(join(dir, "flake.nix")).ino).toBe(statSync(join(dir, "other-name.nix")).ino);
    expect(readdirSync(dir).sort()).toEqual(["flake.nix", "other-name.nix"]);
  });
});

describe("paths with newlines and control characters (9)", () => {
  it("are quoted like git in --check, findings and errors; -z prints them as they are, NUL-terminated", () => {
    const dir = project({ "evil\nflake.nix/flake.nix": EXAMPLE, "flake.nix": MIGRATED, "tab\tbad/flake.nix": "{ a = ; } # nixosGenerate\n" });
    const r = cli(["--check", "."], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('"evil\\nflake.nix/flake.nix"\n');
    expect(r.stderr).toMatch(/^"tab\\tbad\/flake\.nix":1:\d+ error syntax-error /m);
    // what `--check . | xargs -d '\n' nixgen-migrate --write` gets is one name, of no file: nothing is written
    // (the raw output would have split it into `evil` and `flake.nix/flake.nix`)
    const before = tree(dir);
    const w = cli(["--write", ...r.stdout.split("\n").filter(Boolean)], { cwd: dir });
    expect(w.stderr).toMatch(/^0 files migrated/m);
    expect(tree(dir)).toEqual(before);
    const z = cli(["--check", "-z", "."], { cwd: dir });
    expect(z.stdout).toBe("evil\nflake.nix/flake.nix\0");
    const diff = cli(["evil\nflake.nix/flake.nix"], { cwd: dir });
    expect(diff.stdout).toMatch(/^diff --git "a\/evil\\nflake\.nix\/flake\.nix" "b\/evil\\nflake\.nix\/flake\.nix"$/m);
    expect(diff.stdout).toMatch(/^"evil\\nflake\.nix\/flake\.nix":9:16 note migrated-call /m);
    expect(cli(["-z", "."], { cwd: dir }).stderr).toMatch(/^nixgen-migrate: -z\/--null applies to --check's list of paths$/m);
  });
});

describe("terminal escapes from the flake (10)", () => {
  it("ESC, OSC and BEL that a finding quotes from the flake or a script are escaped in text findings", () => {
    const osc = "\x1b]0;pwned\x07";
    const flake = EXAMPLE.replace('format = "qcow";', `format = "qcow${osc}";`);
    const dir = project({ "flake.nix": flake, "build.sh": "#!/bin/sh\nnixos-generate --bogus-\x1b[2J -c ./c.nix\n" });
    const r = cli(["flake.nix", "build.sh"], { cwd: dir });
    const findings = r.stdout.split("\n").filter((l) => /^(flake\.nix|build\.sh):\d+:\d+ /.test(l));
    expect(findings.some((l) => l.includes("qcow\\u001b]0;pwned\\u0007"))).toBe(true);
    expect(findings.some((l) => l.includes("`--bogus-\\u001b[2J`"))).toBe(true);
    for (const l of findings) expect(l).not.toMatch(/[\x07\x1b]/);
    expect(r.stderr).not.toMatch(/[\x07\x1b]/);
    // the message itself holds the raw characters (JSON keeps them, as JSON escapes): the text report escaped them
    const json = JSON.parse(cli(["--format", "json", "build.sh"], { cwd: dir }).stdout) as { findings: { message: string }[] }[];
    expect(json[0]!.findings.some((f) => f.message.includes("--bogus-\x1b[2J"))).toBe(true);
  });

  it("a terminal gets the diff's control characters escaped; a pipe gets the exact patch", () => {
    const dir = project({ "flake.nix": EXAMPLE.replace("# for the lab", "# for the \x1b[2Jlab") });
    expect(cli([], { cwd: dir }).stdout).toContain("\x1b[2J");
    const inPty = spawnSync("script", ["-qec", `"${process.execPath}" "${BIN}" --no-color`, "/dev/null"], { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "1" } });
    expect(inPty.stdout).toContain("\\u001b[2J");
    expect(inPty.stdout).not.toContain("\x1b[2J");
  });
});

describe("file names that look like options (11)", () => {
  it("`--` before file names takes `-x.nix` as a file, and the hints say so", () => {
    const dir = project({ "-x.nix": EXAMPLE.replace("{\n", "{ # nixosGenerate\n") });
    const bad = cli(["--check", "-x.nix"], { cwd: dir });
    expect(bad.code).toBe(2);
    const r = cli(["--format", "github", "--", "-x.nix"], { cwd: dir, env: { GITHUB_STEP_SUMMARY: undefined } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("run `nixgen-migrate --write -- -x.nix` to migrate it");
    const broken = cli(["--", "-x.nix"], { cwd: project({ "-x.nix": "{ a = ; } # nixos-generators\n" }) });
    expect(broken.stdout).toContain("`nix-instantiate --parse ./-x.nix`");
  });
});
