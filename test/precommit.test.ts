// The pre-commit hooks, run by the real pre-commit (Debian's package) against
// a git repository that uses a snapshot of this repository as the hook source:
// pre-commit installs it like any node hook (npm install, which builds dist/
// in `prepare`, then npm pack and a global install into its own environment).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, run, snapshotRepo, tempDir } from "./helpers/repo.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example");
const EXAMPLE = readFileSync(join(FIXTURE, "input.nix"), "utf8");
const MIGRATED = readFileSync(join(FIXTURE, "output.nix"), "utf8");
const DOCKER = EXAMPLE.replace('format = "qcow";', 'format = "docker";');

const hasPreCommit = run("sh", ["-c", "command -v pre-commit"]).code === 0;
let tmp: ReturnType<typeof tempDir>;
let hooks: { dir: string; rev: string };
let env: NodeJS.ProcessEnv;

function userRepo(name: string, files: Record<string, string>, hookIds: string[], args?: string[]): string {
  const dir = join(tmp.dir, name);
  run("git", ["init", "-q", dir]);
  for (const [p, t] of Object.entries(files)) writeFileSync(join(dir, p), t);
  const hookLines = hookIds.map((id) => `      - id: ${id}${args ? `\n        args: ${JSON.stringify(args)}` : ""}`).join("\n");
  writeFileSync(join(dir, ".pre-commit-config.yaml"), `repos:\n  - repo: ${hooks.dir}\n    rev: ${hooks.rev}\n    hooks:\n${hookLines}\n`);
  run("git", ["add", "-A"], { cwd: dir });
  return dir;
}

describe("pre-commit hooks", () => {
  beforeAll(() => {
    // a missing tool fails every test here, as for nix and chromium: a skipped hook test would prove nothing
    if (!hasPreCommit) throw new Error("The hook tests need pre-commit: `sudo apt-get install -y pre-commit` (.ci/run does this).");
    tmp = tempDir("nixgen-precommit-");
    hooks = snapshotRepo(tmp.dir);
    // the hook environment is installed once (cached in PRE_COMMIT_HOME) for all tests
    env = cleanEnv({ PRE_COMMIT_HOME: join(tmp.dir, "pre-commit-home"), npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false" });
  }, 60_000);
  afterAll(() => tmp?.cleanup());

  it("nixgen-migrate rewrites the flake and fails the commit; the next run passes", () => {
    const dir = userRepo("migrate", { "flake.nix": EXAMPLE, "configuration.nix": "{ ... }: { }\n" }, ["nixgen-migrate"]);
    const first = run("pre-commit", ["run", "--all-files"], { cwd: dir, env });
    expect(first.code, first.stdout + first.stderr).toBe(1);
    expect(first.stdout).toMatch(/nixgen-migrate\.+Failed/);
    expect(first.stdout).toContain("- files were modified by this hook");
    expect(first.stdout).toMatch(/1 file migrated, 1 unchanged/);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(MIGRATED);
    run("git", ["add", "-A"], { cwd: dir });
    const second = run("pre-commit", ["run", "--all-files"], { cwd: dir, env });
    expect(second.code, second.stdout).toBe(0);
    expect(second.stdout).toMatch(/nixgen-migrate\.+Passed/);
  }, 600_000);

  it("fails without writing when something cannot be migrated", () => {
    const dir = userRepo("docker", { "flake.nix": DOCKER }, ["nixgen-migrate"]);
    const r = run("pre-commit", ["run", "--all-files"], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/- exit code: 1/);
    expect(r.stdout).toMatch(/flake\.nix:17:\d+ error unsupported-format/);
  }, 600_000);

  it("args: [--check] only reports", () => {
    const dir = userRepo("check", { "flake.nix": EXAMPLE }, ["nixgen-migrate"], ["--check", "--"]);
    const r = run("pre-commit", ["run", "--all-files"], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("files were modified");
    expect(r.stdout).toMatch(/^flake\.nix$/m);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(EXAMPLE);
  }, 600_000);

  it("a tracked file named like an option (-x.nix) is a file: `--` comes before the file names", () => {
    const dir = userRepo("dash", { "-x.nix": EXAMPLE, "configuration.nix": "{ ... }: { }\n" }, ["nixgen-migrate"]);
    const r = run("pre-commit", ["run", "--all-files"], { cwd: dir, env });
    expect(r.stdout).not.toMatch(/Unknown argument|unknown option/i);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toContain("- files were modified by this hook");
    expect(readFileSync(join(dir, "-x.nix"), "utf8")).not.toBe(EXAMPLE);
  }, 600_000);

  it("a module that is a symbolic link out of the repository is neither read nor written", () => {
    const outside = join(tmp.dir, "outside");
    mkdirSync(outside, { recursive: true });
    const module = "{ ... }: { proxmox.qemuConf.cores = 4; }\n";
    writeFileSync(join(outside, "pve.nix"), module);
    const flake = EXAMPLE.replace('format = "vmware";', 'format = "proxmox";').replace("modules = [ ./configuration.nix ];\n        format = \"proxmox\"", "modules = [ ./pve.nix ];\n        format = \"proxmox\"");
    const dir = userRepo("linked", { "flake.nix": flake, "configuration.nix": "{ ... }: { }\n" }, ["nixgen-migrate"]);
    symlinkSync(join(outside, "pve.nix"), join(dir, "pve.nix"));
    run("git", ["add", "-A"], { cwd: dir });
    const r = run("pre-commit", ["run", "--all-files", "--verbose"], { cwd: dir, env });
    expect(r.stdout).toMatch(/pve\.nix:1:1 warning outside-repository pve\.nix leads to .*outside\/pve\.nix through a symbolic link/);
    expect(readFileSync(join(outside, "pve.nix"), "utf8")).toBe(module);
    expect(readdirSync(outside)).toEqual(["pve.nix"]);
  }, 600_000);

  it("nixgen-migrate-scripts gets scripts, docs and CI files, and leaves Nix files to the other hook", () => {
    const dir = userRepo(
      "scripts",
      { "build.sh": "#!/bin/sh\nnixos-generate -f iso -c ./configuration.nix\n", "README.md": "# x\n", "ci.yml": "on: push\n", "flake.nix": EXAMPLE },
      ["nixgen-migrate-scripts"],
    );
    const r = run("pre-commit", ["run", "--all-files", "--verbose"], { cwd: dir, env });
    expect(r.stdout).toMatch(/nixgen-migrate \(scripts, CI, docs\)\.+(Passed|Failed)/);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(EXAMPLE);
    expect(r.stdout).not.toMatch(/exit code: 2/);
  }, 600_000);
});
