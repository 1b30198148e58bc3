// The CLI as users run it: the real bin on temp copies.
import { describe, expect, it } from "vitest";
import { chmodSync, readFileSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { cli, tempProjects } from "./helpers/cli.js";
import { FORMATS } from "../src/formats.js";

const EXAMPLE = readFileSync(join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example", "input.nix"), "utf8");
const MIGRATED = readFileSync(join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example", "output.nix"), "utf8");
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

const project = tempProjects();

describe("dry run (default)", () => {
  it("prints a diff that git apply accepts, changes nothing, exits 1", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    const r = cli([], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^diff --git a\/flake.nix b\/flake.nix\n--- a\/flake.nix\n\+\+\+ b\/flake.nix\n@@ /);
    expect(r.stdout).toContain("+      qcow = self.nixosConfigurations.nixos.config.system.build.images.qemu;");
    expect(r.stdout).toMatch(/flake\.nix:14:14 note migrated-call /);
    expect(r.stderr).toMatch(/1 file to migrate/);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(EXAMPLE);
    // the diff applies with git and gives exactly what --write writes
    const diff = r.stdout.slice(0, r.stdout.search(/^flake\.nix:\d+/m));
    spawnSync("git", ["init", "-q"], { cwd: dir });
    const applied = spawnSync("git", ["apply", "-"], { cwd: dir, input: diff, encoding: "utf8" });
    expect(applied.stderr).toBe("");
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(MIGRATED);
  });

  it("exits 0 with nothing to do", () => {
    const dir = project({ "flake.nix": MIGRATED });
    const r = cli(["flake.nix"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/0 files to migrate, 1 unchanged/);
  });

  it("counts the module files and flake.lock a flake's migration changes in the summary", () => {
    const fixture = join(import.meta.dirname, "..", "fixtures", "flake-lock", "pruned-with-follows", "input");
    const files = Object.fromEntries(["flake.nix", "flake.lock", "iso.nix"].map((f) => [f, readFileSync(join(fixture, f), "utf8")]));
    const dir = project(files);
    const dry = cli([], { cwd: dir });
    expect(dry.code).toBe(1);
    expect(dry.stderr).toMatch(/^2 files to migrate, 0 unchanged/m);
    const w = cli(["--write"], { cwd: dir });
    expect(w.stderr).toMatch(/^2 files migrated, 0 unchanged/m);
  });
});

describe("--write", () => {
  it("writes atomically, keeps the mode, and a second run has nothing to do", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    chmodSync(join(dir, "flake.nix"), 0o640);
    const r = cli(["--write", "flake.nix"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/1 file migrated/);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(MIGRATED);
    expect(statSync(join(dir, "flake.nix")).mode & 0o777).toBe(0o640);
    const again = cli(["--write", "flake.nix"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/0 files migrated, 1 unchanged/);
  });

  it("does not touch a file it cannot migrate and exits 1", () => {
    const dir = project({ "flake.nix": DOCKER });
    const before = statSync(join(dir, "flake.nix")).mtimeMs;
    const r = cli(["--write", "flake.nix"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/flake\.nix:7:7 error unsupported-format format "docker" has no nixpkgs image variant/);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(DOCKER);
    expect(statSync(join(dir, "flake.nix")).mtimeMs).toBe(before);
  });

  it("refuses a file with a syntax error: exit 2, file:line:col, untouched", () => {
    const broken = EXAMPLE.replace('format = "qcow";', 'format = "qcow"');
    const dir = project({ "flake.nix": broken });
    const r = cli(["--write", "flake.nix"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^flake\.nix:\d+:\d+ error syntax-error /m);
    expect(r.stderr).toMatch(/1 refused/);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(broken);
  });

  it("leaves a file that does not parse and never mentions nixos-generators with a note: exit 0, the rest written", () => {
    const pipes = "{ lib }: hosts: hosts |> lib.attrNames\n";
    const dir = project({ "flake.nix": EXAMPLE, "lib/names.nix": pipes });
    // named (as a pre-commit hook names it): a note; walked: the prefilter never parses it (nothing to migrate in it)
    const r = cli(["--write", "flake.nix", "lib/names.nix"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lib\/names\.nix:1:\d+ note unparsed-file /m);
    expect(r.stderr).not.toMatch(/refused/);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(MIGRATED);
    expect(readFileSync(join(dir, "lib/names.nix"), "utf8")).toBe(pipes);
  });

  it("handles paths with spaces and non-ASCII text", () => {
    const name = "my flake é😀/flake.nix";
    const text = "# café 😀\n" + EXAMPLE.replace("# for the lab", "# für das Labor 🧪");
    const dir = project({ [name]: text });
    const r = cli(["--write", name], { cwd: dir });
    expect(r.code).toBe(0);
    const out = readFileSync(join(dir, name), "utf8");
    expect(out).toContain("images.vmware;   # für das Labor 🧪");
    expect(out.startsWith("# café 😀\n")).toBe(true);
  });
});

describe("--check", () => {
  it("lists files that need migrating without a diff", () => {
    const dir = project({ "a/flake.nix": EXAMPLE, "b/flake.nix": MIGRATED });
    const r = cli(["--check", "a/flake.nix", "b/flake.nix"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe("a/flake.nix");
    expect(r.stdout).not.toContain("@@");
  });
});

describe("stdin", () => {
  it("prints the migrated text for `-`", () => {
    const r = cli(["-", "--stdin-filepath", "flake.nix"], { input: EXAMPLE });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(MIGRATED);
    expect(r.stderr).toMatch(/flake\.nix:9:16 note migrated-call/);
  });
  it("prints the input unchanged and exits 2 on a syntax error", () => {
    const input = "{ a = ; } # nixos-generators";
    const r = cli(["--stdin"], { input });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(input);
    expect(r.stderr).toMatch(/^flake\.nix:1:\d+ error syntax-error/);
    // one that never mentions nixos-generators (pipes, which the parser does not know) fails nothing
    const pipes = cli(["--stdin"], { input: "x: x |> f" });
    expect(pipes.code).toBe(0);
    expect(pipes.stdout).toBe("x: x |> f");
    expect(pipes.stderr).toMatch(/^flake\.nix:1:\d+ note unparsed-file /);
  });
});

describe("flags", () => {
  it("--list-formats prints all 32 formats", () => {
    const r = cli(["--list-formats"]);
    expect(r.code).toBe(0);
    const rows = new Map(r.stdout.trim().split("\n").slice(1).map((l) => { const [fmt, variant] = l.split(/\s+/); return [fmt!, variant!]; }));
    for (const f of FORMATS) expect(rows.get(f.format), f.format).toBe(f.variant ?? "-");
    expect(r.stdout.trim().split("\n").length).toBe(33);
  });
  it("--help shows usage, options and examples", () => {
    const r = cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--write/);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/Exit codes: 0/);
  });
  it("--version prints the package version", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8"));
    expect(cli(["--version"]).stdout.trim()).toBe(pkg.version);
  });
  it("usage errors exit 2 with one clear line", () => {
    for (const args of [["--bogus"], ["--write", "--check"], ["--host"], ["--host", "1bad"]]) {
      const r = cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(/^nixgen-migrate: .+\n/);
      expect(r.stdout).toBe("");
    }
  });
  it("--host names the configuration", () => {
    const r = cli(["-", "--host", "lab"], { input: EXAMPLE });
    expect(r.stdout).toContain("nixosConfigurations.lab = nixpkgs.lib.nixosSystem {");
    expect(r.stdout).toContain("self.nixosConfigurations.lab.config.system.build.images.qemu");
  });
  it("colours only when asked or on a TTY", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    // not a terminal, and no NO_COLOR (the helper sets it): plain
    expect(cli([], { cwd: dir, env: { NO_COLOR: undefined } }).stdout).not.toMatch(/\x1b\[/);
    expect(cli([], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: "1" } }).stdout).toMatch(/\x1b\[32m\+/);
    expect(cli(["--color"], { cwd: dir }).stdout).toMatch(/\x1b\[/);
    expect(cli(["--no-color"], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: "1" } }).stdout).not.toMatch(/\x1b\[/);
  });
  it("a missing file is one line and exit 2", () => {
    const dir = project({});
    const r = cli(["nope.nix"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("nope.nix: no such file");
  });
});

describe("CRLF and BOM files through the CLI", () => {
  it("keeps both", () => {
    const dir = project({ "flake.nix": "\ufeff" + EXAMPLE.replace(/\n/g, "\r\n") });
    expect(cli(["--write"], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe("\ufeff" + MIGRATED.replace(/\n/g, "\r\n"));
  });
});

describe("a flake is migrated all or nothing", () => {
  const FIXTURE = join(import.meta.dirname, "..", "fixtures", "generators-modules", "per-format-module-file");
  const read = (p: string) => readFileSync(join(FIXTURE, p), "utf8");

  it("a flake refused for its nixpkgs keeps the module files named with it (the pre-commit case) as they are", () => {
    const old = read("input/flake.nix").replace("nixos-25.05", "nixos-24.05");
    const dir = project({ "flake.nix": old, "installer.nix": read("input/installer.nix") });
    const r = cli(["--write", "flake.nix", "installer.nix"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(old);
    expect(readFileSync(join(dir, "installer.nix"), "utf8")).toBe(read("input/installer.nix"));
    expect(r.stdout).toMatch(/^flake\.nix:2:3 error nixpkgs-too-old /m);
    expect(r.stdout).toMatch(/^installer\.nix:1:1 error flake-not-migrated not migrated, because its flake flake\.nix was not \(nixpkgs-too-old\); run again once it can be$/m);
    // no note about a change that was not made
    expect(r.stdout).not.toMatch(/format-module-removed/);
    expect(r.stderr).toMatch(/^0 files migrated, 1 unchanged, 1 refused \(2 errors\)$/m);
    // and the same files, once the flake can be migrated, are migrated together
    const ok = project({ "flake.nix": read("input/flake.nix"), "installer.nix": read("input/installer.nix") });
    expect(cli(["--write", "."], { cwd: ok }).code).toBe(0);
    expect(readFileSync(join(ok, "installer.nix"), "utf8")).toBe(read("output/installer.nix"));
  });

  it("a file of the flake that mentions nixos-generators and does not parse refuses the flake; one that does not mention it is left with a note", () => {
    const files = { "flake.nix": read("input/flake.nix"), "installer.nix": read("input/installer.nix"), "hosts/gen.nix": "{ inputs, ... }: { imports = [ inputs.nixos-generators.nixosModules.iso ]; x = ; }\n" };
    const dir = project(files);
    const r = cli(["--write", "."], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^flake\.nix:1:1 error flake-not-migrated not migrated: hosts\/gen\.nix, a file of this flake that mentions nixos-generators, has a syntax error \(at 1:\d+\)/m);
    expect(r.stdout).toMatch(/^installer\.nix:1:1 error flake-not-migrated not migrated, because its flake flake\.nix was not \(hosts\/gen\.nix has a syntax error at 1:\d+\)/m);
    for (const [p, t] of Object.entries(files)) expect(readFileSync(join(dir, p), "utf8"), p).toBe(t);
    const pipes = project({ ...files, "hosts/gen.nix": "{ lib, ... }: { outputs = [ \"out\" ]; x = [ 1 ] |> lib.head; }\n" });
    const p = cli(["--write", "."], { cwd: pipes });
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^hosts\/gen\.nix:1:\d+ note unparsed-file /m);
    expect(p.stdout).not.toMatch(/flake-not-migrated/);
    expect(readFileSync(join(pipes, "installer.nix"), "utf8")).toBe(read("output/installer.nix"));
  });
});
