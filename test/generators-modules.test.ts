// generators-modules beyond the golden fixtures: decisions that span files and configurations.
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../src/index.js";
import { formatFindings, runProject } from "./helpers/fixtures.js";

beforeAll(async () => {
  await init();
});

const HEAD = `  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = { url = "github:nix-community/nixos-generators"; inputs.nixpkgs.follows = "nixpkgs"; };
`;
/** A flake with HEAD's inputs whose outputs are `body`; `at` names the argument set (`@inputs`). */
const flake = (body: string, at = "") => `{
${HEAD}  outputs = { self, nixpkgs, nixos-generators, ... }${at}: ${body}
}
`;
/** nixosConfigurations.box (x86_64-linux) with these modules, then `rest` (indented lines) in the outputs. */
const boxFlake = (modules: string, rest: string) =>
  flake(`{
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ${modules} ];
    };
${rest}  };`);
const run = (files: Record<string, string>) => {
  const r = runProject(new Map(Object.entries(files)), Object.keys(files).filter((p) => p.endsWith(".nix")), {});
  return { files: new Map(r.files.filter((f) => f.changed).map((f) => [f.path, f.after])), findings: formatFindings(r.findings) };
};

describe("generators-modules across files", () => {
  it("keeps all-formats when a file of the run the walk did not reach defines formatConfigs in a way it cannot read", () => {
    const r = run({
      "flake.nix": flake(`let host = "box"; in {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ nixos-generators.nixosModules.all-formats (./hosts + "/\${host}.nix") ];
    };
    packages.x86_64-linux.iso = self.nixosConfigurations.box.config.formats.iso;
  };`),
      "hosts/box.nix": "{ lib, ... }: {\n  formatConfigs = lib.mkMerge [ { iso.isoImage.volumeID = \"BOX\"; } ];\n}\n",
    });
    expect(r.files.get("flake.nix") ?? "").not.toMatch(/images\.iso/);
    expect(r.findings).toMatch(/flake\.nix:\d+:\d+ warning all-formats-kept/);
    expect(r.findings).toMatch(/hosts\/box\.nix:2:3 error all-formats-use `formatConfigs` is defined here as a whole/);
    expect(r.findings).toMatch(/flake\.nix:\d+:\d+ error all-formats-use this read of `config\.formats` stays/);
    // reported once, although the module file's own run sees it again
    expect(r.findings.match(/defined here as a whole/g)?.length).toBe(1);
  });

  it("keeps an import shared by two configurations when a read of either cannot be migrated", () => {
    const r = run({
      "flake.nix": flake(`{
    nixosConfigurations.a = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./common.nix ]; };
    nixosConfigurations.b = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./common.nix ]; };
    packages.x86_64-linux = {
      a = self.nixosConfigurations.a.config.formats.iso;
      b = self.nixosConfigurations.b.config.formats.docker;
    };
  };`),
      "common.nix": "{ nixos-generators, ... }: {\n  imports = [ nixos-generators.nixosModules.all-formats ];\n}\n",
    });
    expect(r.files.has("common.nix")).toBe(false);
    expect(r.findings).toMatch(/common\.nix:2:15 warning all-formats-kept the all-formats import stays in nixosConfigurations\.a, nixosConfigurations\.b/);
  });

  it("leaves the reads of a custom format whose module cannot be migrated", () => {
    const r = run({
      "flake.nix": boxFlake("nixos-generators.nixosModules.all-formats ./box.nix", `    packages.x86_64-linux = {
      mine = self.nixosConfigurations.box.config.formats.mine;
      iso = self.nixosConfigurations.box.config.formats.iso;
    };
`),
      "box.nix": "{ ... }: {\n  formatConfigs.mine = import ./mine.nix;\n}\n",
    });
    const migrated = r.files.get("flake.nix") ?? "";
    expect(migrated).toMatch(/config\.formats\.mine/);
    expect(migrated).toMatch(/config\.system\.build\.images\.iso/);
    expect(r.findings).toMatch(/box\.nix:2:3 error custom-format custom format "mine"/);
    expect(r.findings).toMatch(/error all-formats-use `formats\.mine` stays/);
    expect(r.findings).toMatch(/warning all-formats-kept/);
  });

  it("leaves the formatConfigs of a configuration that defines formats itself, since its reads stay", () => {
    const r = run({
      "flake.nix": boxFlake("nixos-generators.nixosModules.all-formats ./box.nix", `    packages.x86_64-linux.iso = self.nixosConfigurations.box.config.formats.iso;
`),
      "box.nix": "{ config, ... }: {\n  formats.tarball = config.system.build.tarball;\n  formatConfigs.iso = { isoImage.volumeID = \"BOX\"; };\n}\n",
    });
    expect(r.files.has("box.nix")).toBe(false);
    expect(r.files.get("flake.nix") ?? "").not.toMatch(/images\.iso/);
    expect(r.findings).toMatch(/box\.nix:2:3 error all-formats-use `formats` is defined here/);
    expect(r.findings).toMatch(/box\.nix:3:3 error all-formats-use formatConfigs\.iso stays with all-formats: nixosConfigurations\.box defines `formats`/);
  });

  it("keeps the input while a file of the run that no path leads to still uses it (unused-generators-input)", () => {
    const r = run({
      "flake.nix": flake(`{
    # hosts loaded by listing a directory: no relative path leads to hosts/box.nix
    nixosConfigurations = builtins.mapAttrs (name: _: nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      specialArgs = { inherit inputs; };
      modules = [ ./common.nix (./hosts + "/\${name}") ];
    }) (builtins.readDir ./hosts);
  };`, "@inputs"),
      "common.nix": "{ services.openssh.enable = true; }\n",
      "hosts/box/default.nix": "{ inputs, config, ... }: {\n  imports = [ inputs.nixos-generators.nixosModules.all-formats ];\n  formats.custom = config.system.build.toplevel;\n}\n",
    });
    expect(r.files.has("flake.nix")).toBe(false);
    expect(r.findings).toMatch(/hosts\/box\/default\.nix:2:\d+ warning generators-input-kept `nixos-generators` is still used here/);
  });

  it("renames an empty formatConfigs set with the import it belongs to (its formats commented out)", () => {
    const r = run({
      "flake.nix": boxFlake("nixos-generators.nixosModules.all-formats ./box.nix", ``),
      "box.nix": "{ ... }: {\n  formatConfigs = {\n    # iso = { };\n  };\n}\n",
    });
    expect(r.files.get("box.nix")).toBe("{ ... }: {\n  image.modules = {\n    # iso = { };\n  };\n}\n");
    expect(r.findings).toMatch(/all-formats-removed/);
  });

  it("says a format module it cannot remove stays, and leaves the reads of what it builds", () => {
    const r = run({
      "flake.nix": flake(`{
    nixosConfigurations.disk = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ] ++ nixpkgs.lib.singleton nixos-generators.nixosModules.raw-efi;
    };
    packages.x86_64-linux.disk = self.nixosConfigurations.disk.config.system.build.raw;
  };`),
    });
    expect(r.files.has("flake.nix")).toBe(false);
    expect(r.findings).toMatch(/error generators-module .*so it stays/);
    expect(r.findings).not.toMatch(/format-module-removed/);
  });
});
