// The jscodeshift entry points with the real jscodeshift CLI (devDependency):
// dry runs with --print, a real write, options, skips and errors.
import { describe, expect, it } from "vitest";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { tempProjects } from "./helpers/cli.js";
import { REPO, cleanEnv, run } from "./helpers/repo.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example");
const EXAMPLE = readFileSync(join(FIXTURE, "input.nix"), "utf8");
const MIGRATED = readFileSync(join(FIXTURE, "output.nix"), "utf8");
const JSCODESHIFT = join(REPO, "node_modules", "jscodeshift", "bin", "jscodeshift.js");
const PASS = join(REPO, "dist", "jscodeshift", "nixos-generate-call.cjs");
const ALL = join(REPO, "dist", "jscodeshift", "index.cjs");

const project = tempProjects();
function jscodeshift(args: string[], cwd: string) {
  return run(process.execPath, [JSCODESHIFT, ...args], { cwd, env: cleanEnv() });
}

describe("jscodeshift -t dist/jscodeshift/<pass>.cjs", () => {
  it("--dry --print --run-in-band prints the migrated file and reports findings", () => {
    const dir = project({ "flake.nix": EXAMPLE, "configuration.nix": "{ ... }: { }\n" });
    const r = jscodeshift(["-t", ALL, "--extensions=nix", "--dry", "--print", "--run-in-band", "flake.nix", "configuration.nix"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(MIGRATED);
    expect(r.stdout).toMatch(/REP flake\.nix flake\.nix:9:16 note migrated-call/);
    expect(r.stdout).toMatch(/^0 errors\n0 unmodified\n1 skipped\n1 ok$/m);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).toBe(EXAMPLE);
  });

  it("writes files (worker processes, a directory, --extensions=nix)", () => {
    const dir = project({ "a/flake.nix": EXAMPLE, "b/flake.nix": MIGRATED });
    const r = jscodeshift(["-t", ALL, "--extensions=nix", "."], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Spawning \d+ workers/);
    // b/flake.nix is a flake the passes look at and leave as it is
    expect(r.stdout).toMatch(/^0 errors\n1 unmodified\n0 skipped\n1 ok$/m);
    expect(readFileSync(join(dir, "a/flake.nix"), "utf8")).toBe(MIGRATED);
    expect(readFileSync(join(dir, "b/flake.nix"), "utf8")).toBe(MIGRATED);
  });

  it("runs one pass alone: nixos-generate-call rewrites the calls and leaves the input to its own pass", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    const r = jscodeshift(["-t", PASS, "--extensions=nix", "--dry", "--print", "--run-in-band", "flake.nix"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("qcow = self.nixosConfigurations.nixos.config.system.build.images.qemu;");
    expect(r.stdout).toContain("inputs.nixos-generators = {");
  });

  it("passes options (--host=NAME) and counts refused files as errors", () => {
    const dir = project({ "flake.nix": EXAMPLE, "broken/flake.nix": EXAMPLE.replace('format = "qcow";', 'format = "qcow"') });
    const r = jscodeshift(["-t", PASS, "--extensions=nix", "--dry", "--print", "--run-in-band", "--fail-on-error", "--host=lab", "."], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("nixosConfigurations.lab = nixpkgs.lib.nixosSystem {");
    expect(r.stdout + r.stderr).toMatch(/broken\/flake\.nix.*not migrated: .*syntax|ERR broken\/flake\.nix/);
    expect(r.stdout).toMatch(/^1 errors$/m);
  });

  it("reads and writes as the CLI does: a binary file is an error, a module out of the repository is left alone", () => {
    const dir = project({ "bin/flake.nix": Buffer.from("{ nixosGenerate = 1; }\0\0\n"), "ok/flake.nix": EXAMPLE });
    const r = jscodeshift(["-t", ALL, "--extensions=nix", "--run-in-band", "--fail-on-error", "."], dir);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/bin\/flake\.nix.*is a binary file \(it contains NUL bytes\)/);
    expect(readFileSync(join(dir, "ok/flake.nix"), "utf8")).toBe(MIGRATED);
    // a module the flake's configuration imports that is a link out of the repository
    const outside = project({ "pve.nix": "{ proxmox.qemuConf.cores = 4; }\n" });
    const flake = EXAMPLE.replace('format = "vmware";', 'format = "proxmox";').replace("modules = [ ./configuration.nix ];\n        format = \"proxmox\"", "modules = [ ./pve.nix ];\n        format = \"proxmox\"");
    const linked = project({ "flake.nix": flake, ".git/HEAD": "" });
    symlinkSync(join(outside, "pve.nix"), join(linked, "pve.nix"));
    const l = jscodeshift(["-t", ALL, "--extensions=nix", "--run-in-band", "flake.nix"], linked);
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toMatch(/REP flake\.nix pve\.nix: leads to .*pve\.nix through a symbolic link, outside the repository/);
    expect(readFileSync(join(outside, "pve.nix"), "utf8")).toBe("{ proxmox.qemuConf.cores = 4; }\n");
  });
});
