// image-only-options beyond the golden fixtures: line endings of every file of a
// project, and a few shapes that must not break (clashes, cycles, quoted keys).
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../src/index.js";
import { formatFindings, loadFixtures, runProject } from "./helpers/fixtures.js";

beforeAll(async () => {
  await init();
});

const projects = loadFixtures().filter((f) => f.name.startsWith("image-only-options/"));
const toCrlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

const HEAD = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.pve = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./pve.nix ];
    };
    packages.x86_64-linux.pve = self.nixosConfigurations.pve.config.system.build.images.proxmox;
  };
}
`;
const run = (files: Record<string, string>) => {
  const r = runProject(new Map(Object.entries(files)), ["flake.nix"], {});
  return { files: new Map(r.files.filter((f) => f.changed).map((f) => [f.path, f.after])), findings: formatFindings(r.findings) };
};

describe("image-only-options", () => {
  it.each(projects.map((p) => [p.name, p] as const))("keeps CRLF line endings and a BOM in every file of %s", (_n, fx) => {
    const base = runProject(fx.inputs, fx.primary, fx.options);
    const expected = new Map(base.files.filter((f) => f.changed).map((f) => [f.path, f.after]));
    for (const variant of ["crlf", "bom"] as const) {
      const conv = (s: string) => (variant === "crlf" ? toCrlf(s) : "\ufeff" + s);
      const inputs = new Map([...fx.inputs].map(([p, t]) => [p, p.endsWith(".nix") ? conv(t) : t]));
      const r = runProject(inputs, fx.primary, fx.options);
      const got = new Map(r.files.filter((f) => f.changed).map((f) => [f.path, f.after]));
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [p, t] of expected) expect(got.get(p), `${variant} ${p}`).toBe(p.endsWith(".nix") ? conv(t) : t);
      expect(formatFindings(r.findings)).toBe(formatFindings(base.findings));
    }
  });

  it("leaves a definition that would clash with an image.modules function, and says so", () => {
    const r = run({
      "flake.nix": HEAD,
      "pve.nix": "{\n  image.modules.proxmox = { lib, ... }: { services.qemuGuest.enable = lib.mkForce true; };\n  proxmox.qemuConf.cores = 4;\n}\n",
    });
    expect(r.files.has("pve.nix")).toBe(false);
    expect(r.findings).toMatch(/pve\.nix:3:3 warning image-option-not-moved .*image\.modules\.proxmox.*line 2/);
  });

  it("merges with an image.modules attrset literal next to it", () => {
    const r = run({
      "flake.nix": HEAD,
      "pve.nix": "{\n  image.modules.proxmox = { services.qemuGuest.enable = true; };\n  proxmox.qemuConf.cores = 4;\n}\n",
    });
    expect(r.files.get("pve.nix")).toBe("{\n  image.modules.proxmox = { services.qemuGuest.enable = true; };\n  image.modules.proxmox.proxmox.qemuConf.cores = 4;\n}\n");
  });

  it("follows import cycles once, quoted keys and `with lib;` bodies", () => {
    const r = run({
      "flake.nix": HEAD,
      "pve.nix": "{ lib, ... }: with lib; {\n  imports = [ ./b.nix ];\n  \"proxmox\".qemuConf.cores = mkDefault 4;\n}\n",
      "b.nix": "{\n  imports = [ ./pve.nix ];\n  proxmox.qemuConf.memory = 2048;\n}\n",
    });
    expect(r.files.get("pve.nix")).toBe("{ lib, ... }: with lib; {\n  imports = [ ./b.nix ];\n  image.modules.proxmox.\"proxmox\".qemuConf.cores = mkDefault 4;\n}\n");
    expect(r.files.get("b.nix")).toBe("{\n  imports = [ ./pve.nix ];\n  image.modules.proxmox.proxmox.qemuConf.memory = 2048;\n}\n");
  });

  it("stops at the repository root and at files that do not parse", () => {
    const r = run({
      "flake.nix": HEAD.replace("./pve.nix", "./pve.nix ../shared/base.nix ./broken.nix"),
      "pve.nix": "{ }\n",
      "broken.nix": "{ proxmox.qemuConf.cores = ; }\n",
    });
    expect(r.findings).toMatch(/module-not-followed `\.\.\/shared\/base\.nix`.*outside the repository/);
    expect(r.findings).toMatch(/module-not-followed `\.\/broken\.nix`.*does not parse/);
    expect(r.files.size).toBe(0);
  });

  it("follows a module that a file's function returns (`import ./m.nix flakeContext`)", () => {
    const r = run({
      "flake.nix": HEAD.replace("./pve.nix", "(import ./pve.nix { inherit self; })"),
      "pve.nix": "{ self }:\n{ config, ... }: {\n  proxmox.qemuConf.cores = 4;\n}\n",
    });
    expect(r.files.get("pve.nix")).toBe("{ self }:\n{ config, ... }: {\n  image.modules.proxmox.proxmox.qemuConf.cores = 4;\n}\n");
    expect(r.findings).not.toMatch(/module-not-followed/);
  });

  it("follows `inputs.self + /path`, a path from the flake's root, in a module given the flake's inputs", () => {
    const flake = HEAD.replace("outputs = { self, nixpkgs, ... }:", "outputs = { self, nixpkgs, ... }@inputs:").replace("modules = [ ./pve.nix ];", "specialArgs = { inherit inputs; };\n      modules = [ ./hosts/pve.nix ];");
    const r = run({
      "flake.nix": flake,
      "hosts/pve.nix": "{ inputs, ... }: {\n  imports = [ (inputs.self + /profiles/proxmox.nix) ];\n}\n",
      "profiles/proxmox.nix": "{\n  proxmox.qemuConf.cores = 4;\n}\n",
    });
    expect(r.files.get("profiles/proxmox.nix")).toBe("{\n  image.modules.proxmox.proxmox.qemuConf.cores = 4;\n}\n");
    expect(r.findings).not.toMatch(/module-not-followed/);
  });

  it("does nothing for a flake that builds no images", () => {
    const r = run({
      "flake.nix": HEAD.replace(/\n    packages[^\n]*/, ""),
      "pve.nix": "{ proxmox.qemuConf.cores = 4; }\n",
    });
    expect(r.files.size).toBe(0);
    expect(r.findings).toBe("");
  });
});

describe("image-only-options with unknown variants", () => {
  it("moves a variant's own options to every variant declaring them, but flags file options", () => {
    const flake = HEAD.replace(/packages\.x86_64-linux\.pve = [^;]*;/, "packages.x86_64-linux = self.nixosConfigurations.pve.config.system.build.images;");
    const r = run({ "flake.nix": flake, "pve.nix": "{\n  isoImage.volumeID = \"X\";\n  image.fileName = \"x.img\";\n}\n" });
    expect(r.files.get("pve.nix")).toBe("{\n  image.modules.iso.isoImage.volumeID = \"X\";\n  image.modules.iso-installer.isoImage.volumeID = \"X\";\n  image.fileName = \"x.img\";\n}\n");
    expect(r.findings).toMatch(/image-variants-unknown/);
    expect(r.findings).toMatch(/pve\.nix:3:3 warning image-option-not-moved `image\.fileName`/);
  });
});
