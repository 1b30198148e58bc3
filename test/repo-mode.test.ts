// Repository mode: directories are walked (ignore files, symlinks, .git,
// node_modules), a cheap prefilter skips files that cannot matter, files of
// one flake stay in one engine run, and -j N gives the same result.
import { describe, expect, it } from "vitest";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { BIN, cli, tempProjects } from "./helpers/cli.js";
import { TRANSFORMS } from "../transforms/index.js";
import { prefilter } from "../src/cli/work.js";

const EXAMPLE = readFileSync(join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example", "input.nix"), "utf8");
const MIGRATED = readFileSync(join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example", "output.nix"), "utf8");
const MODULE = "{ ... }: {\n  networking.hostName = \"lab\";\n}\n";
const DOCKER = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux.docker = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      format = "docker";
    };
  };
}
`;
/** Does not parse, and does not mention nixosGenerate. */
const BROKEN = "{ a = ; }\n";

const project = tempProjects();
/** The paths --check lists. */
function checked(args: string[], cwd: string, env?: Record<string, string | undefined>): string[] {
  const r = cli(["--check", ...args], { cwd, env });
  expect(r.code, r.stderr).toBeLessThan(2);
  return r.stdout.split("\n").filter(Boolean).sort();
}

describe("walking directories", () => {
  it("finds every flake below the directory", () => {
    const dir = project({ "a/flake.nix": EXAMPLE, "a/configuration.nix": MODULE, "b/c/flake.nix": EXAMPLE, "d/flake.nix": MIGRATED });
    expect(checked(["."], dir)).toEqual(["a/flake.nix", "b/c/flake.nix"]);
    const r = cli(["--write", "."], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^2 files migrated, 2 unchanged/m);
    expect(readFileSync(join(dir, "b/c/flake.nix"), "utf8")).toBe(MIGRATED);
    expect(cli(["."], { cwd: dir }).code).toBe(0);
  });

  it("without paths takes ./flake.nix (and says so when there is none)", () => {
    const dir = project({ "flake.nix": EXAMPLE, "sub/flake.nix": EXAMPLE });
    expect(checked([], dir)).toEqual(["flake.nix"]);
    const empty = project({ "x.nix": "{ }\n" });
    const r = cli([], { cwd: empty });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flake\.nix: no such file/);
  });

  it("respects .gitignore files (root, nested, negation) and .git/info/exclude", () => {
    const dir = project({
      ".git/info/exclude": "excluded/\n",
      ".gitignore": "build/\n*.gen.nix\n!keep.gen.nix\n",
      "build/flake.nix": EXAMPLE,
      "x.gen.nix": EXAMPLE,
      "keep.gen.nix": EXAMPLE,
      "excluded/flake.nix": EXAMPLE,
      "sub/.gitignore": "local.nix\n/anchored/\n",
      "sub/local.nix": EXAMPLE,
      "sub/anchored/flake.nix": EXAMPLE,
      "sub/deep/anchored/flake.nix": EXAMPLE,
      "sub/deep/.gitignore": "!local.nix\n",
      "sub/deep/local.nix": EXAMPLE,
      "ok/flake.nix": EXAMPLE,
    });
    expect(checked(["."], dir)).toEqual(["keep.gen.nix", "ok/flake.nix", "sub/deep/anchored/flake.nix", "sub/deep/local.nix"]);
    // --no-gitignore: everything (but still not .git)
    expect(checked([".", "--no-gitignore"], dir)).toHaveLength(9);
  });

  it("applies the .gitignore files above the walked directory", () => {
    const dir = project({ ".git/HEAD": "", ".gitignore": "gen/\n", "pkgs/gen/flake.nix": EXAMPLE, "pkgs/flake.nix": EXAMPLE });
    expect(checked(["pkgs"], dir)).toEqual(["pkgs/flake.nix"]);
    expect(checked(["."], join(dir, "pkgs"))).toEqual(["flake.nix"]);
  });

  it("processes files and walks directories that are named explicitly, even when ignored", () => {
    const dir = project({ ".gitignore": "build/\nvendored.nix\n", "build/flake.nix": EXAMPLE, "build/inner/flake.nix": EXAMPLE, "vendored.nix": EXAMPLE });
    expect(checked(["."], dir)).toEqual([]);
    expect(checked(["vendored.nix"], dir)).toEqual(["vendored.nix"]);
    expect(checked(["build"], dir)).toEqual(["build/flake.nix", "build/inner/flake.nix"]);
  });

  it("--ignore-path adds ignore files (repeatable, relative to their directory)", () => {
    const dir = project({ "conf/one.ignore": "/a/\n", "two.ignore": "b/\n", "a/flake.nix": EXAMPLE, "b/flake.nix": EXAMPLE, "conf/a/flake.nix": EXAMPLE, "c/flake.nix": EXAMPLE });
    expect(checked([".", "--ignore-path", "conf/one.ignore", "--ignore-path=two.ignore"], dir)).toEqual(["a/flake.nix", "c/flake.nix"]);
    const missing = cli([".", "--ignore-path", "nope"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^nope: cannot read this --ignore-path file$/m);
  });

  it("never enters .git or node_modules, and follows no symlinks (result, result-*, linked directories)", () => {
    const outside = project({ "flake.nix": EXAMPLE, "lib/flake.nix": EXAMPLE });
    const dir = project({ ".git/flake.nix": EXAMPLE, "node_modules/x/flake.nix": EXAMPLE, "real/flake.nix": EXAMPLE });
    symlinkSync(outside, join(dir, "result"));
    symlinkSync(join(outside, "lib"), join(dir, "result-lib"));
    symlinkSync(join(outside, "lib"), join(dir, "linked"));
    symlinkSync(join(outside, "flake.nix"), join(dir, "link.nix"));
    symlinkSync(join(dir, "real"), join(dir, "loop"));
    expect(checked(["."], dir)).toEqual(["real/flake.nix"]);
    // a symlink named explicitly is processed (its target is written)
    expect(cli(["--write", "link.nix"], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(outside, "flake.nix"), "utf8")).toBe(MIGRATED);
  });

  it("prints paths relative to the working directory, with forward slashes", () => {
    const dir = project({ "a/flake.nix": EXAMPLE, "b/x": "" });
    const r = cli(["--format", "json", "../a", join(dir, "a", "flake.nix")], { cwd: join(dir, "b") });
    expect(JSON.parse(r.stdout).map((f: { path: string }) => f.path)).toEqual(["../a/flake.nix"]);
    const t = cli(["../a"], { cwd: join(dir, "b") });
    expect(t.stdout).toMatch(/^diff --git a\/..\/a\/flake.nix b\/..\/a\/flake.nix$/m);
    expect(t.stdout).toMatch(/^\.\.\/a\/flake\.nix:9:16 note migrated-call/m);
  });
});

describe("the prefilter", () => {
  it("does not parse walked files that cannot matter, but always parses files named explicitly", () => {
    const dir = project({ "flake.nix": EXAMPLE, "broken.nix": BROKEN, "lib/broken.nix": BROKEN });
    const walked = cli(["--check", "."], { cwd: dir });
    expect(walked.code).toBe(1);
    expect(walked.stdout).toBe("flake.nix\n");
    expect(walked.stderr).toMatch(/1 file to migrate, 2 unchanged/);
    const named = cli(["--check", "broken.nix"], { cwd: dir });
    // it does not mention nixos-generators: a note (to stderr with --check? notes are left out), and no failure
    expect(named.code).toBe(0);
    expect(named.stdout).toBe("");
    const shown = cli(["broken.nix"], { cwd: dir });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^broken\.nix:1:\d+ note unparsed-file /m);
    const generators = project({ "flake.nix": EXAMPLE, "broken.nix": "{ a = nixosGenerate; b = ; }\n" });
    const refused = cli(["--check", "broken.nix"], { cwd: generators });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^broken\.nix:1:\d+ error syntax-error/m);
  });

  it("a walked file that mentions nixosGenerate but does not parse is refused (exit 2)", () => {
    const dir = project({ "flake.nix": EXAMPLE.replace('format = "qcow";', 'format = "qcow"') });
    const r = cli(["."], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^flake\.nix:\d+:\d+ error syntax-error/m);
  });

  it("binary and non-UTF-8 files: skipped when walked, an error when named", () => {
    const dir = project({ "bin.nix": Buffer.from([0, 1, 2, 0x6e, 0x69, 0x78]), "latin1.nix": Buffer.from("# caf\xe9\n{ }\n", "latin1"), "flake.nix": MIGRATED });
    expect(cli(["."], { cwd: dir }).code).toBe(0);
    const r = cli(["latin1.nix"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^latin1\.nix: is not valid UTF-8/m);
  });

  it("searches bytes: every pass's needles are ASCII, and a walked flake with non-ASCII text around them is found", () => {
    for (const t of TRANSFORMS) for (const n of t.needles) expect(n, `${t.id}: ${n}`).toMatch(/^[\x20-\x7e]+$/);
    const dir = project({ "hosts/café/flake.nix": EXAMPLE.replace("# for the lab", "# für das Labor — ünïcödé nixosGenerate") });
    const r = cli(["--check", "."], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("hosts/café/flake.nix\n");
  });

  it("the prefilter finds each pass's every needle, literally (one search for all of them)", () => {
    const names = ["flake.nix", "default.nix", "build.sh", "Makefile", ".github/workflows/ci.yml", "README.md"];
    const files: Record<string, string> = {};
    const expected: string[] = [];
    for (const t of TRANSFORMS) {
      const name = names.find((n) => t.appliesTo(n));
      expect(name, `${t.id} looks at none of ${names.join(", ")}`).toBeDefined();
      t.needles.forEach((needle, i) => {
        const path = `${t.id}/${i}/${name}`;
        expect(t.appliesTo(path)).toBe(true);
        files[path] = `# ünïcödé\n${needle}\n`;
        expected.push(path);
      });
    }
    // a needle's `.` is a dot, not any character
    files["near-miss/default.nix"] = "{ formatsX = 1; system-build-images = 2; }\n";
    const dir = project(files);
    const entries = Object.keys(files).map((path) => ({ path, abs: join(dir, path) }));
    const r = prefilter(entries, true);
    expect(r.errors).toEqual([]);
    expect(r.hits.sort()).toEqual(expected.sort());
    for (const hit of r.hits) expect(r.texts!.get(hit)).toBe(files[hit]);
  });

  it("a walked path that became a FIFO is not waited on (opened non-blocking)", () => {
    const dir = project({ "flake.nix": MIGRATED });
    const fifo = join(dir, "pipe.nix");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    // no writer ever opens it: a blocking open would hang this test until it times out
    const r = prefilter([{ path: "pipe.nix", abs: fifo }], true);
    expect(r.hits).toEqual([]);
  });

  it("explicit files that no pass looks at are not read", () => {
    const dir = project({ "notes.bin": Buffer.from([0xff, 0xfe, 0]), "flake.nix": EXAMPLE });
    const r = cli(["--check", "notes.bin", "flake.nix"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("flake.nix\n");
    expect(r.stderr).toMatch(/1 file to migrate, 1 unchanged/);
  });
});

describe("worker threads (-j)", () => {
  function many(n: number) {
    const files: Record<string, string> = {};
    for (let i = 0; i < n; i++) {
      files[`hosts/h${i}/flake.nix`] = EXAMPLE.replace("# for the lab", `# host ${i}`);
      files[`hosts/h${i}/configuration.nix`] = MODULE;
      files[`modules/m${i}.nix`] = MODULE;
    }
    files["hosts/h3/broken/flake.nix"] = EXAMPLE.replace('format = "qcow";', 'format = "qcow"');
    files["hosts/h4/docker/flake.nix"] = DOCKER;
    return project(files);
  }

  it("gives the same output, findings and exit code with and without workers", () => {
    const dir = many(40);
    const one = cli([".", "-j", "1"], { cwd: dir });
    const four = cli([".", "-j", "4", "--no-color"], { cwd: dir });
    const auto = cli([".", "--jobs", "auto"], { cwd: dir });
    expect(one.code).toBe(2);
    // (-j above the CPUs is lowered to them, with a note)
    const withoutNote = (s: string) => s.replace(/^nixgen-migrate: -j \d+ is more than the \d+ CPUs? of this machine; using \d+\n/, "");
    for (const r of [four, auto]) {
      expect(r.code).toBe(one.code);
      expect(r.stdout).toBe(one.stdout);
      expect(withoutNote(r.stderr)).toBe(one.stderr);
    }
    expect(one.stdout).toMatch(/^hosts\/h3\/broken\/flake\.nix:\d+:\d+ error syntax-error/m);
    expect(one.stdout).toMatch(/^hosts\/h4\/docker\/flake\.nix:7:\d+ error unsupported-format/m);
  });

  it("writes with workers", () => {
    const dir = many(30);
    const r = cli([".", "--write", "-j", "2"], { cwd: dir });
    expect(r.stderr).toMatch(/^30 files migrated, /m);
    expect(readFileSync(join(dir, "hosts/h7/flake.nix"), "utf8")).toBe(MIGRATED.replace("# for the lab", "# host 7"));
  });

  it("rejects a bad -j", () => {
    for (const v of ["0", "x", "-1"]) {
      const r = cli([".", `--jobs=${v}`], { cwd: project({}) });
      expect(r.code, v).toBe(2);
      expect(r.stderr).toMatch(/^nixgen-migrate: --jobs "?.*"? must be a positive number or auto|^nixgen-migrate: /);
    }
  });
});

describe("flakes and their module files", () => {
  it("keeps a flake and the files below it in one run", () => {
    // the module below the flake mentions the input; the migration keeps the input and says why
    const dir = project({
      "flake.nix": EXAMPLE,
      "configuration.nix": "{ ... }: { imports = [ ./modules/gen.nix ]; }\n",
      "modules/gen.nix": "{ nixos-generators, ... }: { imports = [ nixos-generators.nixosModules.all-formats ]; }\n",
    });
    const one = cli(["--format", "json", ".", "-j", "1"], { cwd: dir });
    const two = cli(["--format", "json", ".", "-j", "2"], { cwd: dir });
    expect(two.stdout).toBe(one.stdout);
  });
});

describe("progress", () => {
  it("is never printed when stderr is not a terminal, or in CI", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 120; i++) files[`m${i}/flake.nix`] = EXAMPLE;
    const dir = project(files);
    const r = cli(["--check", "."], { cwd: dir, env: { CI: undefined } });
    expect(r.stderr).not.toMatch(/\r|\x1b\[K/);
  });

  it.skipIf(spawnSync("sh", ["-c", "command -v script"]).status !== 0)("is a clearable line on a terminal outside CI (util-linux script gives a pty)", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 120; i++) files[`m${i}/flake.nix`] = EXAMPLE;
    const dir = project(files);
    const inPty = (ci: string | undefined) => {
      const env = { ...process.env, NO_COLOR: "1" } as Record<string, string | undefined>;
      if (ci === undefined) delete env.CI;
      else env.CI = ci;
      const r = spawnSync("script", ["-qec", `"${process.execPath}" "${BIN}" --check -j 1 . > /dev/null`, "/dev/null"], { cwd: dir, env: env as NodeJS.ProcessEnv, encoding: "utf8" });
      return r.stdout;
    };
    const shown = inPty(undefined);
    expect(shown).toMatch(/\r\x1b\[Kmigrating \d+\/120 m\d+\/flake\.nix/);
    // cleared before what follows it (the warnings --check prints on stderr, then the summary)
    const afterLastClear = shown.slice(shown.lastIndexOf("\r\x1b[K") + 4);
    expect(afterLastClear).not.toMatch(/^(reading|migrating) /);
    expect(afterLastClear).toMatch(/^120 files to migrate/m);
    expect(inPty("true")).not.toMatch(/\x1b\[K/);
  });
});

describe("writing", () => {
  it("does not touch files that do not change, and leaves no temp files", () => {
    const dir = project({ "a/flake.nix": EXAMPLE, "b/flake.nix": MIGRATED });
    writeFileSync(join(dir, "a", "configuration.nix"), MODULE);
    mkdirSync(join(dir, "c"));
    expect(cli(["--write", "."], { cwd: dir }).code).toBe(0);
    const r = cli(["--check", "--no-gitignore", "."], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, "a")).sort()).toEqual(["configuration.nix", "flake.nix"]);
  });
});

describe("a copy of nixos-generators in the repository", () => {
  it("is skipped with one note on its nixos-generate.nix; the flake that uses it is migrated", () => {
    const copy = {
      "vendor/nixos-generators/nixos-generate.nix": "{ nixpkgs, format }: (import ./format-module.nix) // { inherit format; } # nixosGenerate\n",
      "vendor/nixos-generators/format-module.nix": "{ lib, ... }: { options.formatAttr = lib.mkOption { }; }\n",
      "vendor/nixos-generators/formats/iso.nix": "{ modulesPath, ... }: { imports = [ \"${modulesPath}/installer/cd-dvd/iso-image.nix\" ]; formatAttr = \"isoImage\"; }\n",
      "vendor/nixos-generators/README.md": "```sh\nnixos-generate -f iso\n```\n",
    };
    const dir = project({ "flake.nix": EXAMPLE, ...copy });
    const r = cli(["--write", "."], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(MIGRATED);
    for (const [p, t] of Object.entries(copy)) expect(readFileSync(join(dir, p), "utf8"), p).toBe(t);
    const notes = r.stdout.split("\n").filter((l) => l.startsWith("vendor/"));
    expect(notes).toEqual([expect.stringMatching(/^vendor\/nixos-generators\/nixos-generate\.nix:1:1 note vendored-generators vendor\/nixos-generators is a copy of nixos-generators/)]);
    // a directory with only some of those files is walked as usual
    const partial = project({ "flake.nix": MIGRATED, "tools/nixos-generate.nix": "{ }: { }\n", "tools/README.md": "```sh\nnixos-generate -f iso\n```\n" });
    expect(checked(["."], partial)).toEqual(["tools/README.md"]);
  });
});
