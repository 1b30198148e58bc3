// --verify through the real bin, with Debian's Nix 2.8 and no network: the
// flakes' inputs are the equivalence suite's stubs (path: flakes), whose
// systems and images are real derivations whose drvPaths follow the modules.
import { beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, tempProjects } from "./helpers/cli.js";
import { SARIF_SUBSET, validate } from "./helpers/schema.js";
import { requireNixFlakes } from "./equivalence/harness.js";

const STUBS = join(import.meta.dirname, "equivalence", "stubs");
const INPUTS = ["--override-input", "nixpkgs", `path:${join(STUBS, "nixpkgs")}`, "--override-input", "nixos-generators", `path:${join(STUBS, "nixos-generators")}`];
const VERIFY = ["--verify", "--offline", ...INPUTS];

const flake = (body: string) => `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = {
    url = "github:nix-community/nixos-generators";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, nixos-generators, ... }: {
${body}
  };
}
`;
const CONFIGURATION = `{ pkgs, ... }: {
  networking.hostName = "lab";
  environment.systemPackages = [ pkgs.htop ];
}
`;
const VMWARE = flake(`    packages.x86_64-linux.vm = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
      format = "vmware";
    };`);

interface JsonOutput {
  output: string;
  was: string | null;
  line: number;
  before: { state: string; drvPath: string | null; error: string | null };
  after: { state: string; drvPath: string | null; error: string | null };
  image: string | null;
  system: string | null;
  reason: string | null;
}
interface JsonVerify {
  status: string;
  error: string | null;
  outputs: JsonOutput[];
}

const verifyOf = (stdout: string, path = "flake.nix") => (JSON.parse(stdout) as { path: string; verify?: JsonVerify; written: boolean }[]).find((f) => f.path === path)!;

const project = tempProjects();

beforeAll(() => requireNixFlakes());

describe("--verify", () => {
  it("a right migration: every output identical, the user's tree untouched (no flake.lock), the table in text", () => {
    const dir = project({ "flake.nix": VMWARE, "configuration.nix": CONFIGURATION });
    const json = cli([...VERIFY, "--format", "json"], { cwd: dir });
    expect(json.code).toBe(1); // a dry run with changes to make
    const v = verifyOf(json.stdout).verify!;
    expect(v.status).toBe("identical");
    expect(v.outputs.map((o) => [o.output, o.was, o.before.state, o.after.state, o.image, o.system])).toEqual([
      ["packages.x86_64-linux.vm", null, "ok", "ok", "identical", "identical"],
      ["nixosConfigurations.vm.config.system.build.images.vmware", "packages.x86_64-linux.vm", "ok", "ok", "identical", "identical"],
    ]);
    expect(v.outputs[0]!.before.drvPath).toMatch(/^\/nix\/store\/[a-z0-9]{32}-nixos-image-vmware-x86_64-linux\.drv$/);
    expect(v.outputs[0]!.line).toBe(8);
    expect(readdirSync(dir).sort()).toEqual(["configuration.nix", "flake.nix"]);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(VMWARE);

    const text = cli(VERIFY, { cwd: dir });
    expect(text.stdout).toMatch(/^verify flake\.nix \(Nix 2\.\d+\.\d+, [\d.]+ s\): 2 identical$/m);
    expect(text.stdout).toMatch(/^ {2}output +before +after +image +system +reason$/m);
    expect(text.stdout).toMatch(/^ {2}packages\.x86_64-linux\.vm +ok +ok +identical +identical$/m);
    expect(text.stdout).toMatch(/^ {2}nixosConfigurations\.vm\.config\.system\.build\.images\.vmware +ok +ok +identical +identical +replaces packages\.x86_64-linux\.vm$/m);

    const write = cli([...VERIFY, "--write"], { cwd: dir });
    expect(write.code).toBe(0);
    expect(write.stderr).toMatch(/1 file migrated/);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toContain("images.vmware");
    expect(readdirSync(dir).sort()).toEqual(["configuration.nix", "flake.nix"]);
  });

  it("a wrong migration (the test-only variant swap): differs, the system is another, and why", () => {
    const dir = project({ "flake.nix": VMWARE, "configuration.nix": CONFIGURATION });
    const env = { NIXGEN_MIGRATE_TEST_SWAP_VARIANT: "vmware=virtualbox" };
    const r = cli([...VERIFY, "--format", "json"], { cwd: dir, env });
    const v = verifyOf(r.stdout).verify!;
    expect(v.status).toBe("differs");
    const pkg = v.outputs[0]!;
    expect([pkg.output, pkg.image, pkg.system]).toEqual(["packages.x86_64-linux.vm", "differs", "differs"]);
    expect(pkg.before.drvPath).not.toBe(pkg.after.drvPath);
    expect(pkg.reason).toBe("system: nixos-system-lab-unstable: imageVariants vmware -> virtualbox");
    // a difference is not a failure: --write writes it
    const w = cli([...VERIFY, "--write"], { cwd: dir, env });
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(/^ {2}packages\.x86_64-linux\.vm +ok +ok +differs +differs +system: nixos-system-lab-unstable: imageVariants vmware -> virtualbox$/m);
  });

  it("a migrated output that throws: fails, with Nix's message, and --write leaves that flake as it was (exit 1)", () => {
    // fileExtension is declared by nixos-generators' format module: the old flake evaluates, the migrated one cannot
    const files = { "flake.nix": VMWARE, "configuration.nix": CONFIGURATION.replace("}\n", '  fileExtension = ".vmdk";\n}\n') };
    const dir = project(files);
    const plain = project(files);
    expect(cli(["--write"], { cwd: plain }).stderr).toMatch(/1 file migrated/); // without --verify it is written
    const r = cli([...VERIFY, "--write", "--format", "json"], { cwd: dir });
    expect(r.code).toBe(1);
    const f = verifyOf(r.stdout);
    expect(f.written).toBe(false);
    expect(f.verify!.status).toBe("fails");
    const pkg = f.verify!.outputs[0]!;
    expect([pkg.before.state, pkg.after.state, pkg.image]).toEqual(["ok", "fails", null]);
    expect(pkg.after.error).toMatch(/^The option .fileExtension. does not exist/);
    expect(pkg.reason).toBe(pkg.after.error);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(VMWARE);
    expect(r.stderr).toMatch(/0 files migrated/);
  });

  it("a configuration loses all-formats while a file the run did not migrate reads its config.formats: every package is compared, and that one fails", () => {
    const fixture = join(import.meta.dirname, "..", "fixtures", "generators-modules", "all-formats-read-in-other-file", "input");
    const files = Object.fromEntries(["flake.nix", "images.nix", "configuration.nix"].map((f) => [f, readFileSync(join(fixture, f), "utf8")]));
    const dir = project(files);
    const r = cli([...VERIFY, "--format", "json", "flake.nix"], { cwd: dir });
    const v = verifyOf(r.stdout).verify!;
    expect(v.status).toBe("fails");
    expect(v.outputs.map((o) => [o.output, o.before.state, o.after.state])).toEqual([
      ["packages.x86_64-linux.iso", "ok", "fails"],
      ["packages.x86_64-linux.qcow", "ok", "fails"],
    ]);
    expect(v.outputs[0]!.after.error).toMatch(/attribute 'formats' missing/);
    // migrated together with the file that reads them, they evaluate
    const both = cli([...VERIFY, "--format", "json", "flake.nix", "images.nix"], { cwd: dir });
    expect(verifyOf(both.stdout).verify!.outputs.map((o) => [o.output, o.before.state, o.after.state])).toEqual([
      ["packages.x86_64-linux.iso", "ok", "ok"],
      ["packages.x86_64-linux.qcow", "ok", "ok"],
    ]);
  });

  it("an error tryEval does not catch (a missing attribute) is found output by output", () => {
    const dir = project({ "flake.nix": VMWARE, "configuration.nix": CONFIGURATION });
    const r = cli([...VERIFY, "--format", "json"], { cwd: dir, env: { NIXGEN_MIGRATE_TEST_SWAP_VARIANT: "vmware=no-such-variant" } });
    const v = verifyOf(r.stdout).verify!;
    expect(v.status).toBe("fails");
    expect(v.outputs.map((o) => [o.output, o.before.state, o.after.state])).toEqual([["packages.x86_64-linux.vm", "ok", "fails"]]);
    expect(v.outputs[0]!.after.error).toMatch(/attribute 'no-such-variant' missing/);
  });

  it("--verify-batch N: a few images per nix process, the same answers; a batch that fails as a whole is evaluated output by output", () => {
    const images = flake(
      (["vmware", "qcow", "iso", "virtualbox"] as const)
        .map((f) => `    packages.x86_64-linux.${f}-image = nixos-generators.nixosGenerate {\n      system = "x86_64-linux";\n      modules = [ ./configuration.nix ];\n      format = "${f}";\n    };`)
        .join("\n"),
    );
    const dir = project({ "flake.nix": images, "configuration.nix": CONFIGURATION });
    const env = { NIXGEN_MIGRATE_TEST_SWAP_VARIANT: "vmware=no-such-variant", NIXGEN_MIGRATE_TIMING: "1" };
    const rows = (stdout: string) => verifyOf(stdout).verify!.outputs.map((o) => [o.output, o.before.state, o.after.state, o.image, o.after.error]);
    const whole = cli([...VERIFY, "--format", "json"], { cwd: dir, env });
    const batched = cli([...VERIFY, "--format", "json", "--verify-batch", "3"], { cwd: dir, env });
    expect(rows(batched.stdout)).toEqual(rows(whole.stdout));
    expect(rows(batched.stdout)).toContainEqual(["packages.x86_64-linux.vmware-image", "ok", "fails", null, expect.stringMatching(/attribute 'no-such-variant' missing/)]);
    expect(rows(batched.stdout).filter((r) => r[2] === "ok")).toHaveLength(6); // 3 packages, 3 configuration images
    const evals = (stderr: string, side: string) => stderr.split("\n").filter((l) => l.includes(`(the evaluation of flake.nix (${side} migration))`)).map((l) => /#(\S+)/.exec(l)?.[1]);
    expect(evals(whole.stderr, "before")).toEqual(["outputs"]);
    // 4 outputs in batches of 3: listed, then 2 processes (the last one holds one output)
    expect(evals(batched.stderr, "before")).toEqual(["names", "batch.0", "one.3"]);
    // after: 4 packages and 3 configuration images (the swapped variant has none): 3 + 3 + 1; the
    // first batch holds the broken package, fails as a whole, and its 3 outputs go one by one
    expect(evals(batched.stderr, "after").sort()).toEqual(["batch.0", "batch.1", "names", "one.0", "one.1", "one.2", "one.6"]);
    expect(cli(["--verify", "--verify-batch", "0"]).stderr).toMatch(/--verify-batch "0" must be a positive number of images or auto/);
  });

  it("reads the tracked files of a Git repository, for a flake in a subdirectory that imports ../", () => {
    const dir = project({
      "images/flake.nix": VMWARE.replace("./configuration.nix", "../common/configuration.nix"),
      "common/configuration.nix": CONFIGURATION,
      "untracked.txt": "not seen\n",
    });
    spawnSync("git", ["init", "-q"], { cwd: dir });
    spawnSync("git", ["add", "images", "common"], { cwd: dir });
    const r = cli([...VERIFY, "--format", "json", "images/flake.nix"], { cwd: dir });
    const v = verifyOf(r.stdout, "images/flake.nix").verify!;
    expect(v.error).toBe(null);
    expect(v.status).toBe("identical");
    // a flake Git does not track is one Nix does not see
    spawnSync("git", ["rm", "-q", "--cached", "images/flake.nix"], { cwd: dir });
    const untracked = verifyOf(cli([...VERIFY, "--format", "json", "images/flake.nix"], { cwd: dir }).stdout, "images/flake.nix").verify!;
    expect([untracked.status, untracked.error]).toEqual(["error", "images/flake.nix is not tracked by Git, so Nix does not see it: `git add` it (and the files it uses), then run again"]);
  });

  it("a flake without flake.lock and without overrides: inputs resolved once, by the side before", () => {
    const local = VMWARE.replace('"github:NixOS/nixpkgs/nixos-25.05"', JSON.stringify(`path:${join(STUBS, "nixpkgs")}`)).replace('"github:nix-community/nixos-generators"', JSON.stringify(`path:${join(STUBS, "nixos-generators")}`));
    const dir = project({ "flake.nix": local, "configuration.nix": CONFIGURATION });
    const v = verifyOf(cli(["--verify", "--offline", "--format", "json"], { cwd: dir }).stdout).verify!;
    expect([v.status, v.error]).toEqual(["identical", null]);
  });

  it("two flakes side by side with -j 2; a configuration that imported a format module", () => {
    const imported = flake(`    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix nixos-generators.nixosModules.iso ];
    };`);
    const dir = project({ "a/flake.nix": VMWARE, "a/configuration.nix": CONFIGURATION, "b/flake.nix": imported, "b/configuration.nix": CONFIGURATION });
    const r = cli([...VERIFY, "-j", "2", "--format", "json", "."], { cwd: dir });
    expect(verifyOf(r.stdout, "a/flake.nix").verify!.status).toBe("identical");
    const b = verifyOf(r.stdout, "b/flake.nix").verify!;
    expect(b.outputs.map((o) => [o.output, o.was, o.image])).toEqual([
      ["nixosConfigurations.box.config.system.build.images.iso", "nixosConfigurations.box.config.system.build.isoImage", "identical"],
    ]);
  });

  it("an input that cannot be fetched: one clear line, the flake is not written", () => {
    const dir = project({ "flake.nix": VMWARE, "configuration.nix": CONFIGURATION });
    const r = cli(["--verify", "--offline", "--write", "--override-input", "nixpkgs", `path:${join(STUBS, "nixpkgs")}`], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^verify flake\.nix \(Nix [\d.]+, [\d.]+ s\): could not be verified; not written$/m);
    expect(r.stdout).toMatch(/^ {2}error flake\.nix \(before migration\): an input cannot be fetched: .*(download|fetch|offline).* \(give it with --override-input NAME REF, or run where it can be fetched\)$/m);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(VMWARE);
  });

  it("a flake that does not evaluate at all (a broken flake.lock) cannot be verified: not written", () => {
    const lock = readFileSync(join(import.meta.dirname, "..", "fixtures", "flake-lock", "not-canonical", "input", "flake.lock"), "utf8");
    const dir = project({ "flake.nix": VMWARE, "configuration.nix": CONFIGURATION, "flake.lock": lock });
    const r = cli([...VERIFY, "--write", "--format", "json"], { cwd: dir });
    expect(r.code).toBe(1);
    const v = verifyOf(r.stdout).verify!;
    expect(v.status).toBe("error");
    expect(v.error).toMatch(/^flake\.nix \(before migration\) does not evaluate: invalid SRI hash/);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(VMWARE);
  });

  it("nix not found, and a nix that does not answer in time", () => {
    const dir = project({ "flake.nix": VMWARE, "configuration.nix": CONFIGURATION });
    const missing = cli(["--verify", "--nix", "/nonexistent/nix"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^nixgen-migrate: --verify needs Nix: `\/nonexistent\/nix` not found \(install Nix, or give its path with --nix PATH\)$/m);
    // nothing to migrate: nothing to verify, and no nix needed
    const done = project({ "flake.nix": '{\n  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";\n  outputs = { self, nixpkgs }: { };\n}\n' });
    expect(cli(["--verify", "--nix", "/nonexistent/nix"], { cwd: done }).code).toBe(0);
    const empty = join(tmpdir(), "nixgen-no-nix");
    const onPath = cli(["--verify"], { cwd: dir, env: { PATH: existsSync(empty) ? empty : "/nonexistent" } });
    expect(onPath.stderr).toMatch(/--verify needs Nix: `nix` not found on PATH/);
    // a nix that knows its version and then hangs
    const slow = join(dir, "slow-nix");
    writeFileSync(slow, '#!/bin/sh\n[ "$1" = --version ] && { echo "nix (Nix) 2.8.0"; exit 0; }\nexec sleep 30\n');
    chmodSync(slow, 0o755);
    const t0 = Date.now();
    const r = cli(["--verify", "--verify-timeout", "1", "--nix", slow, "--write"], { cwd: dir });
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/the evaluation of flake\.nix \(before migration\)( \(its inputs, no flake\.lock\))? took longer than 1 s and was stopped \(--verify-timeout SECONDS allows more\)/);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(VMWARE);
  });

  it("usage: the nix options need --verify; --override-input takes two words; no --verify with stdin", () => {
    expect(cli(["--offline"]).stderr).toMatch(/--offline applies to --verify/);
    expect(cli(["--verify", "--override-input", "nixpkgs"]).stderr).toMatch(/--override-input takes two words: --override-input NAME REF/);
    expect(cli(["--verify", "--verify-timeout", "soon"]).stderr).toMatch(/--verify-timeout "soon" must be a number of seconds/);
    expect(cli(["--verify", "-"], { input: VMWARE }).stderr).toMatch(/--verify cannot be used with stdin/);
  });

  it("names and messages from the flake reach the terminal escaped; sarif has a result per regression, github a summary table", () => {
    const esc = "\u001b[31m";
    const files = {
      "flake.nix": VMWARE.replace("packages.x86_64-linux.vm", `packages.x86_64-linux."vm${esc}"`),
      "configuration.nix": CONFIGURATION.replace("}\n", '  fileExtension = ".vmdk";\n}\n'),
    };
    const dir = project(files);
    // (the diff before it is for `git apply`: its lines are as they are unless stdout is a terminal)
    const table = cli(VERIFY, { cwd: dir }).stdout.split(/^(?=verify flake\.nix)/m)[1]!;
    expect(table).not.toContain("\u001b");
    expect(table).toMatch(/^ {2}packages\.x86_64-linux\."vm\\u001b\[31m" +ok +fails +- +- +The option .fileExtension. does not exist/m);
    expect(table).toMatch(/^verify flake\.nix \(Nix [\d.]+, [\d.]+ s\): 2 fail$/m);

    const sarif = cli([...VERIFY, "--format", "sarif"], { cwd: dir });
    const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
    expect(validate(log, SARIF_SUBSET)).toEqual([]);
    const regressions = log.runs[0]!.results.filter((r) => r.ruleId.startsWith("verify-"));
    // the package and the configuration's image that replaces it
    expect(regressions.map((r) => [r.ruleId, r.level, r.locations[0]!.physicalLocation.region.startLine])).toEqual([
      ["verify-fails", "error", 8],
      ["verify-fails", "error", 8],
    ]);
    expect(regressions[0]!.message.text).toMatch(/evaluated before the migration and fails after it: The option .fileExtension. does not exist/);

    const summary = join(dir, "summary.md");
    const gh = cli([...VERIFY, "--format", "github"], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(gh.stdout).toMatch(/^::error file=flake\.nix,line=8,title=verify-fails::/m);
    const md = readFileSync(summary, "utf8");
    expect(md).toContain("| output | before | after | image | system | reason |");
    expect(md).toMatch(/\| `packages\.x86_64-linux\."vm\\u001b\[31m"` \| ok \| fails \| - \| - \| The option .fileExtension. does not exist/);
  });
});
