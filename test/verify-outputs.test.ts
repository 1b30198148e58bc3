// Which outputs --verify compares (src/verify/outputs.ts, src/nix/output-path.ts):
// flakes of the usual shapes are migrated with the library, and the outputs
// are read from what the migration wrote.
import { beforeAll, describe, expect, it } from "vitest";
import { init, migrateFiles } from "../src/index.js";
import { imageOutputs } from "../src/verify/outputs.js";

beforeAll(async () => {
  await init();
});

const HEAD = `inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  inputs.nixos-generators.inputs.nixpkgs.follows = "nixpkgs";`;

/** Migrates the files and returns the outputs compared, as "after <- before @line" strings. */
function outputsOf(files: Record<string, string>, given: string[] = ["flake.nix"]): { pairs: string[]; unlocated: string[] } {
  const r = migrateFiles(given, { read: (p) => files[p] });
  const changed = r.files.filter((f) => f.changed).map((f) => ({ path: f.path, before: f.before, after: f.after }));
  expect(changed.length, JSON.stringify(r.findings.filter((f) => f.severity === "error"))).toBeGreaterThan(0);
  const out = imageOutputs("flake.nix", changed);
  const show = (p: readonly (string | null)[]) => p.map((s) => s ?? "*").join(".");
  return {
    pairs: out.pairs.map((p) => `${show(p.after)}${show(p.before) === show(p.after) ? "" : ` <- ${show(p.before)}`} @${p.file}:${p.lineBefore}`),
    unlocated: out.unlocated.map((u) => `${u.file}:${u.lineBefore}`),
  };
}

const call = (format: string, system = `"x86_64-linux"`) => `nixos-generators.nixosGenerate { system = ${system}; modules = [ ./c.nix ]; format = "${format}"; }`;

describe("outputs of a migration", () => {
  it("a package, and the configuration image that replaces it", () => {
    const flake = `{
  ${HEAD}
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux = {
      vm = ${call("vmware")};
      qcow = ${call("qcow")};
    };
  };
}
`;
    expect(outputsOf({ "flake.nix": flake })).toEqual({
      pairs: [
        "packages.x86_64-linux.vm @flake.nix:7",
        "nixosConfigurations.c.config.system.build.images.vmware <- packages.x86_64-linux.vm @flake.nix:7",
        "packages.x86_64-linux.qcow @flake.nix:8",
        "nixosConfigurations.c.config.system.build.images.qemu <- packages.x86_64-linux.qcow @flake.nix:8",
      ],
      unlocated: [],
    });
  });

  it("functions of systems: genAttrs, a let-bound forAllSystems, flake-utils and flake-parts", () => {
    const genAttrs = `{
  ${HEAD}
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] (system: {
      aws = ${call("amazon", "system")};
    });
  };
}
`;
    expect(outputsOf({ "flake.nix": genAttrs }).pairs).toEqual(["packages.*.aws @flake.nix:7"]);

    const letBound = `{
  ${HEAD}
  outputs = { self, nixpkgs, nixos-generators, ... }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" ];
      images = forAllSystems (system: { iso = ${call("iso", "system")}; });
    in { packages = images; };
}
`;
    expect(outputsOf({ "flake.nix": letBound }).pairs).toEqual(["packages.*.iso @flake.nix:8"]);

    const utils = `{
  ${HEAD}
  inputs.flake-utils.url = "github:numtide/flake-utils";
  outputs = { self, nixpkgs, nixos-generators, flake-utils, ... }:
    flake-utils.lib.eachDefaultSystem (system: {
      packages.img = ${call("raw", "system")};
    });
}
`;
    expect(outputsOf({ "flake.nix": utils }).pairs).toEqual(["packages.*.img @flake.nix:8"]);

    const parts = `{
  ${HEAD}
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs@{ self, nixpkgs, nixos-generators, flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      perSystem = { system, ... }: {
        packages.img = ${call("raw", "system")};
      };
    };
}
`;
    expect(outputsOf({ "flake.nix": parts }).pairs).toEqual(["packages.*.img @flake.nix:10"]);
  });

  it("a helper called twice, an inherited variable, a rec set's other name", () => {
    const flake = `{
  ${HEAD}
  outputs = { self, nixpkgs, nixos-generators, ... }:
    let
      mk = system: ${call("vmware", "system")};
      lab = mk "x86_64-linux";
    in {
      packages.x86_64-linux = rec { inherit lab; default = arm; arm = mk "aarch64-linux"; };
    };
}
`;
    expect(outputsOf({ "flake.nix": flake }).pairs.sort()).toEqual([
      "packages.x86_64-linux.arm @flake.nix:7",
      "packages.x86_64-linux.default @flake.nix:7",
      "packages.x86_64-linux.lab @flake.nix:7",
    ]);
  });

  it("a library file the flake imports, applied to the inputs", () => {
    const flake = `{
  ${HEAD}
  outputs = inputs@{ self, nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux = import ./images.nix { inherit inputs; };
  };
}
`;
    const images = `{ inputs }:
{
  vm = inputs.nixos-generators.nixosGenerate { system = "x86_64-linux"; modules = [ ./c.nix ]; format = "vmware"; };
}
`;
    expect(outputsOf({ "flake.nix": flake, "images.nix": images }, ["flake.nix", "images.nix"])).toEqual({
      pairs: ["packages.x86_64-linux.vm @images.nix:3"],
      unlocated: [],
    });
  });

  it("an image the flake does not expose where it can be found is listed as not located", () => {
    const flake = `{
  ${HEAD}
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux = builtins.removeAttrs { vm = ${call("vmware")}; } [ ];
  };
}
`;
    expect(outputsOf({ "flake.nix": flake })).toEqual({ pairs: [], unlocated: ["flake.nix:6"] });
  });

  it("an image the flake had already is not the migration's", () => {
    const flake = `{
  ${HEAD}
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    nixosConfigurations.old = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./c.nix ]; };
    packages.x86_64-linux.done = self.nixosConfigurations.old.config.system.build.images.iso;
    packages.x86_64-linux.vm = ${call("vmware")};
  };
}
`;
    expect(outputsOf({ "flake.nix": flake }).pairs).toEqual([
      "packages.x86_64-linux.vm @flake.nix:8",
      // the configuration of the same modules is reused
      "nixosConfigurations.old.config.system.build.images.vmware <- packages.x86_64-linux.vm @flake.nix:8",
    ]);
  });

  it("a format module a configuration imported: its config.system.build.<formatAttr> was the image", () => {
    const flake = `{
  ${HEAD}
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    nixosConfigurations.vm = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./vm.nix nixos-generators.nixosModules.vmware ];
    };
    packages.x86_64-linux.vmware = self.nixosConfigurations.vm.config.system.build.vmwareImage;
  };
}
`;
    expect(outputsOf({ "flake.nix": flake }).pairs).toEqual([
      "nixosConfigurations.vm.config.system.build.images.vmware <- nixosConfigurations.vm.config.system.build.vmwareImage @flake.nix:8",
      "packages.x86_64-linux.vmware @flake.nix:10",
    ]);
  });
  it("image-only options moved into image.modules: the images the flake already read count too, also when flake.nix did not change", () => {
    const flake = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.live = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./live.nix ]; };
    packages.x86_64-linux.iso = self.nixosConfigurations.live.config.system.build.images.iso;
  };
}
`;
    const live = `{ ... }: {\n  isoImage.edition = "live";\n}\n`;
    const r = migrateFiles(["flake.nix"], { read: (p) => ({ "flake.nix": flake, "live.nix": live })[p] });
    const changed = r.files.filter((f) => f.changed).map((f) => ({ path: f.path, before: f.before, after: f.after }));
    expect(changed.map((f) => f.path)).toEqual(["live.nix"]);
    // as the CLI does: the flake itself, unchanged, is always given
    const out = imageOutputs("flake.nix", [...changed, { path: "flake.nix", before: flake, after: flake }]);
    expect(out.pairs.map((p) => p.after.join("."))).toEqual([
      "packages.x86_64-linux.iso",
      "nixosConfigurations.live.config.system.build.images.iso",
    ]);
    // nothing moved: an image the flake had already is not the migration's (the test above)
    expect(imageOutputs("flake.nix", [{ path: "flake.nix", before: flake, after: flake }]).pairs).toEqual([]);
  });
});
