// Controls for the equivalence harness itself: hand-written "migrations" that
// are right must pass, and ones that are wrong in one specific way must be
// caught with the right message. Without these, a harness that compares too
// little would let every case pass.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyOption, imageModule } from "../../src/variant-options.js";
import { checkEquivalence, requireNixFlakes, stubFor, type CheckOptions, type EquivalenceReport } from "./harness.js";

const HEAD = `
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = { url = "github:nix-community/nixos-generators"; inputs.nixpkgs.follows = "nixpkgs"; };`;

const CONFIG = `{ config, lib, pkgs, ... }: {
  imports = [ ./users.nix ];
  networking.hostName = "box";
  environment.systemPackages = [ pkgs.vim ];
  boot.kernelParams = lib.mkIf (config.networking.hostName == "box") [ "quiet" ];
}
`;
const USERS = `{ lib, ... }: { users.users.admin.isNormalUser = true; security.sudo.wheelNeedsPassword = lib.mkDefault false; }\n`;

function before(format: string, modules = "./configuration.nix", extra = ""): Map<string, string> {
  return new Map([
    ["flake.nix", `{${HEAD}
  outputs = { self, nixpkgs, nixos-generators }: {
    packages.x86_64-linux.image = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ${modules} ];
      format = "${format}";
      ${extra}
    };
  };
}
`],
    ["configuration.nix", CONFIG],
    ["users.nix", USERS],
  ]);
}

function after(variant: string, modules = "./configuration.nix", extra = "", more: [string, string][] = []): Map<string, string> {
  return new Map([
    ["flake.nix", `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  outputs = { self, nixpkgs }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ${modules} ];
      ${extra}
    };
    packages.x86_64-linux.image = self.nixosConfigurations.box.config.system.build.images.${variant};
  };
}
`],
    ["configuration.nix", CONFIG],
    ["users.nix", USERS],
    ...more,
  ]);
}

async function problems(b: Map<string, string>, a: Map<string, string>, parity = false, options: CheckOptions = {}): Promise<string[]> {
  requireNixFlakes();
  const r: EquivalenceReport = await checkEquivalence(b, a, { parity, ...options });
  return r.problems;
}

describe("equivalence harness controls", () => {
  it("maps inputs to stubs by URL, then by name", () => {
    expect(stubFor({ name: "generators", url: "github:nix-community/nixos-generators" })).toBe("nixos-generators");
    expect(stubFor({ name: "nixpkgs-unstable", url: "github:NixOS/nixpkgs/nixos-unstable" })).toBe("nixpkgs");
    expect(stubFor({ name: "nixpkgs", url: null })).toBe("nixpkgs");
    expect(stubFor({ name: "utils", url: "github:numtide/flake-utils" })).toBe("flake-utils");
    expect(stubFor({ name: "nixpkgs", url: "github:someone/unrelated" })).toBe(null);
  });

  it("agrees with the tool's table on renames and on the modules stock variants import (read in nixpkgs independently)", () => {
    const data = JSON.parse(readFileSync(join(import.meta.dirname, "stubs", "nixpkgs", "image-options.json"), "utf8"));
    // every alias the stub knows is a rename the tool makes, to the same option, in (at least) the same variants
    for (const e of [...data.renamed.entries, ...data.renamed.meant] as { from: string; to: string; variants: string[] }[]) {
      const own = classifyOption(e.from.split(".")).own;
      expect(own?.kind, e.from).toBe("renamed");
      expect(own!.to!.join("."), e.from).toBe(e.to);
      for (const v of e.variants) expect(own!.variants, e.from).toContain(v);
    }
    // the tool removes a direct import only where the stock variant imports the module itself
    // (sd-image-<arch>.nix: the stub's table is per system, the tool's is not; both arches count here)
    for (const key of Object.keys(data.nixpkgsModules)) {
      const stub = Object.entries(data.variantImports as Record<string, string[] | string>)
        .filter(([, ms]) => Array.isArray(ms) && ms.some((m) => ["aarch64", "x86_64"].some((a) => m.replace("{arch}", a) === key)))
        .map(([v]) => v).sort();
      const tool = imageModule(key.startsWith("maintainers/") ? key : `modules/${key}`);
      expect([...(tool?.includedBy ?? [])].sort(), key).toEqual(stub);
    }
  });

  it("accepts a correct migration (qcow -> images.qemu)", async () => {
    expect(await problems(before("qcow"), after("qemu"))).toEqual([]);
  });

  it("catches a wrong variant", async () => {
    expect(await problems(before("qcow"), after("qemu-efi"))).toEqual([
      "packages.x86_64-linux.image: format qcow should map to images.qemu, got images.qemu-efi",
    ]);
  });

  it("catches a lost module (and the definitions it brought)", async () => {
    const p = await problems(before("vmware", "./configuration.nix { services.nginx.enable = true; }"), after("vmware"));
    expect(p).toContain('packages.x86_64-linux.image: definition lost: {"conds":[],"order":null,"path":"services.nginx.enable","prio":100,"value":true}');
  });

  it("catches a lost module file imported by another module", async () => {
    const a = after("vmware");
    a.set("configuration.nix", CONFIG.replace("imports = [ ./users.nix ];", ""));
    const p = await problems(before("vmware"), a);
    expect(p.some((x) => x.includes("module files differs"))).toBe(true);
    expect(p.some((x) => x.includes("users.users.admin.isNormalUser"))).toBe(true);
  });

  it("catches a changed priority or condition", async () => {
    const a = after("vmware");
    a.set("users.nix", USERS.replace("lib.mkDefault false", "false"));
    expect((await problems(before("vmware"), a)).join("\n")).toContain("security.sudo.wheelNeedsPassword");
  });

  it("catches a changed system and lost specialArgs", async () => {
    const p = await problems(before("vmware", "./configuration.nix", `specialArgs = { site = "eu"; };`), after("vmware").set("flake.nix", after("vmware").get("flake.nix")!.replace('system = "x86_64-linux";', 'system = "aarch64-linux";')));
    expect(p.some((x) => x.includes("system differs"))).toBe(true);
    expect(p.some((x) => x.includes("specialArgs differs"))).toBe(true);
  });

  it("catches changed pkgs / lib arguments", async () => {
    const p = await problems(before("vmware", "./configuration.nix", "lib = nixpkgs.lib;"), after("vmware"));
    expect(p.some((x) => x.includes("hasLib differs"))).toBe(true);
  });

  it("refuses an image-only option in the base configuration (issue 8)", async () => {
    const p = await problems(before("proxmox", "./configuration.nix { proxmox.qemuConf.cores = 4; }"), after("proxmox", "./configuration.nix { proxmox.qemuConf.cores = 4; }"));
    expect(p.join("\n")).toContain("The option 'proxmox' does not exist");
  });

  it("refuses image-only options under mkIf false and in module files too", async () => {
    const mod: [string, string] = ["iso.nix", "{ lib, ... }: { config = lib.mkIf false { isoImage.makeEfiBootable = true; }; }\n"];
    const p = await problems(new Map([...before("iso", "./configuration.nix ./iso.nix"), mod]), after("iso", "./configuration.nix ./iso.nix", "", [mod]));
    expect(p.join("\n")).toContain("The option 'isoImage' does not exist");
  });

  it("accepts the option moved to image.modules.<variant>, in the flake or in place in the module file", async () => {
    const b = before("proxmox", "./configuration.nix { proxmox.qemuConf.cores = 4; }");
    expect(await problems(b, after("proxmox", "./configuration.nix { image.modules.proxmox = { proxmox.qemuConf.cores = 4; }; }"))).toEqual([]);
    expect(await problems(b, after("proxmox", "./configuration.nix { image.modules.proxmox.proxmox.qemuConf.cores = 4; }"))).toEqual([]);
  });

  it("keeps the mkIf a moved definition passed (image.modules.<v> under mkIf): dropping it or a false condition is caught", async () => {
    const b = before("proxmox", `./configuration.nix ({ config, lib, ... }: lib.mkIf (config.networking.hostName == "box") { proxmox.qemuConf.cores = 4; })`);
    expect(await problems(b, after("proxmox", `./configuration.nix ({ config, lib, ... }: lib.mkIf (config.networking.hostName == "box") { image.modules.proxmox.proxmox.qemuConf.cores = 4; })`))).toEqual([]);
    // the mkIf dropped on the way: the condition that held is no longer recorded
    const dropped = await problems(b, after("proxmox", "./configuration.nix { image.modules.proxmox.proxmox.qemuConf.cores = 4; }"));
    expect(dropped).toContain('packages.x86_64-linux.image: definition added: {"conds":[],"order":null,"path":"proxmox.qemuConf.cores","prio":100,"value":4}');
    // a false condition around image.modules.<v> removes the definition from the image (lib/modules.nix drops it)
    const off = await problems(b, after("proxmox", `./configuration.nix ({ lib, ... }: lib.mkIf false { image.modules.proxmox.proxmox.qemuConf.cores = 4; })`));
    expect(off).toEqual(['packages.x86_64-linux.image: definition lost: {"conds":[true],"order":null,"path":"proxmox.qemuConf.cores","prio":100,"value":4}']);
  });

  it("compares a renamed option as its new name only where the variant declares the alias", async () => {
    const b = before("iso", './configuration.nix { isoImage.isoName = "lab.iso"; }');
    expect(await problems(b, after("iso", './configuration.nix { image.modules.iso.image.fileName = "lab.iso"; }'))).toEqual([]);
    // renamed to the wrong option: lost + added
    const wrong = await problems(b, after("iso", './configuration.nix { image.modules.iso.image.baseName = "lab.iso"; }'));
    expect(wrong).toContain('packages.x86_64-linux.image: definition lost: {"conds":[],"order":null,"path":"image.fileName","prio":100,"value":"lab.iso"}');
    expect(wrong).toContain('packages.x86_64-linux.image: definition added: {"conds":[],"order":null,"path":"image.baseName","prio":100,"value":"lab.iso"}');
    // vmware.vmFileName: declared by vmware-image.nix (nixpkgs 7beb50e7), so the input evaluates
    expect(await problems(before("vmware", './configuration.nix { vmware.vmFileName = "x.vmdk"; }'), after("vmware", './configuration.nix { image.modules.vmware.image.fileName = "x.vmdk"; }'))).toEqual([]);
  });

  it("counts a removed direct import of a module the stock variant imports itself, not an installer profile", async () => {
    const pve: [string, string] = ["pve.nix", '{ modulesPath, ... }: { imports = [ "${modulesPath}/virtualisation/proxmox-image.nix" ]; }\n'];
    expect(await problems(new Map([...before("proxmox", "./configuration.nix ./pve.nix"), pve]), after("proxmox", "./configuration.nix ./pve.nix", "", [["pve.nix", "{ }\n"]]))).toEqual([]);
    // iso-installer imports installation-cd-base.nix, not installation-cd-minimal.nix
    const minimal = '(nixpkgs + "/nixos/modules/installer/cd-dvd/installation-cd-minimal.nix")';
    const lost = await problems(before("install-iso", `./configuration.nix ${minimal}`), after("iso-installer", "./configuration.nix"));
    expect(lost).toContain("packages.x86_64-linux.image: nixpkgs image module import lost: ./nixos/modules/installer/cd-dvd/installation-cd-minimal.nix");
    // moved into image.modules.<variant>: still a (path) module of the image
    expect(await problems(before("iso", `./configuration.nix ${minimal}`), after("iso", `./configuration.nix { image.modules.iso.imports = [ ${minimal} ]; }`))).toEqual([]);
  });

  it("repairs: the broken input must fail as expected, and the repaired flake means what it meant", async () => {
    const live: [string, string] = ["live.nix", "{ isoImage.edition = \"live\"; image.efiSupport = false; }\n"];
    const b = after("iso", "./configuration.nix ./live.nix", "", [live]);
    b.set("flake.nix", b.get("flake.nix")!.replace("packages.x86_64-linux.image = ", "packages.x86_64-linux.vm = self.nixosConfigurations.box.config.system.build.images.qemu;\n    packages.x86_64-linux.image = "));
    const a = new Map(b).set("live.nix", "{ image.modules.iso.isoImage.edition = \"live\"; image.modules.qemu.image.efiSupport = false; }\n");
    const broken = { brokenInput: "The option 'image.efiSupport' does not exist" };
    expect(await problems(b, a, false, broken)).toEqual([]);
    // a repair that forgets a definition, or moves it into the wrong variant
    const forgot = await problems(b, new Map(b).set("live.nix", "{ image.modules.iso.isoImage.edition = \"live\"; }\n"), false, broken);
    expect(forgot).toEqual(['packages.x86_64-linux.vm: definition lost: {"conds":[],"order":null,"path":"image.efiSupport","prio":100,"value":false}']);
    const both = await problems(b, new Map(b).set("live.nix", "{ image.modules.iso.isoImage.edition = \"live\"; image.modules.qemu = { image.efiSupport = false; isoImage.edition = \"live\"; }; }\n"), false, broken);
    expect(both.join("\n")).toContain("The option 'isoImage' does not exist");
    // an input that evaluates, or fails differently, is not a repair
    expect((await problems(a, a, false, broken))[0]).toMatch(/^the input evaluates, but it was expected to fail with/);
  });

  it("refuses image.fileName in the base and nixos-generators' own options without its modules", async () => {
    const p1 = await problems(before("vmware", "./configuration.nix { image.fileName = \"x.vmdk\"; }"), after("vmware", "./configuration.nix { image.fileName = \"x.vmdk\"; }"));
    expect(p1).toHaveLength(1);
    expect(p1[0]).toMatch(/^the migrated flake does not evaluate: error: The option 'image.fileName' does not exist/);
    const p2 = await problems(before("vmware", "./configuration.nix { fileExtension = \".vmdk\"; }"), after("vmware", "./configuration.nix { fileExtension = \".vmdk\"; }"));
    expect(p2.join("\n")).toContain("The option 'fileExtension' does not exist");
  });

  it("has no system.build.images when the base imports an image module (system.build ? image guard)", async () => {
    const mod: [string, string] = ["pve.nix", '{ modulesPath, ... }: { imports = [ "${modulesPath}/virtualisation/proxmox-image.nix" ]; }\n'];
    const p = await problems(new Map([...before("proxmox", "./configuration.nix ./pve.nix"), mod]), after("proxmox", "./configuration.nix ./pve.nix", "", [mod]));
    expect(p.join("\n")).toContain("attribute 'images' missing");
    // a nixos-generators format module imported into the configuration has the same effect
    const viaGenerators = after("qemu", "./configuration.nix nixos-generators.nixosModules.proxmox");
    viaGenerators.set("flake.nix", viaGenerators.get("flake.nix")!
      .replace('inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";', HEAD)
      .replace("outputs = { self, nixpkgs }:", "outputs = { self, nixpkgs, nixos-generators }:"));
    expect((await problems(before("qcow"), viaGenerators)).join("\n")).toContain("attribute 'images' missing");
  });

  it("expects the image modules FORMATS adds (variantModule, parityModule with --parity)", async () => {
    // install-iso-hyperv needs its variantModule: without it the definitions are missing
    const p = await problems(before("install-iso-hyperv"), after("iso-installer"));
    expect(p.join("\n")).toContain("definition lost");
    expect(p.join("\n")).toContain("virtualisation.hypervGuest.enable");
    // iso with --parity: the parity module is expected
    const withParity = after("iso", "./configuration.nix { image.modules.iso = { isoImage.makeEfiBootable = true; isoImage.makeUsbBootable = true; }; }");
    expect(await problems(before("iso"), withParity, true)).toEqual([]);
    expect((await problems(before("iso"), withParity, false)).join("\n")).toContain("definition added");
  });

  it("catches a changed non-image output and compares functions by their formals", async () => {
    const b = before("qcow");
    b.set("flake.nix", b.get("flake.nix")!.replace("packages.x86_64-linux.image =", "lib.f = { a, b ? 1 }: a; devShells.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.mkShell { name = \"dev\"; };\n    packages.x86_64-linux.image ="));
    const a = after("qemu");
    a.set("flake.nix", a.get("flake.nix")!.replace("packages.x86_64-linux.image =", "lib.f = { a }: a; devShells.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.mkShell { name = \"shell\"; };\n    packages.x86_64-linux.image ="));
    const p = await problems(b, a);
    expect(p.some((x) => x.startsWith("lib.f: differs"))).toBe(true);
    expect(p.some((x) => x.startsWith("devShells.x86_64-linux.default: differs"))).toBe(true);
  });

  it("reads all-formats' config.formats.<f> (with formatConfigs) as an image of format f", async () => {
    const b = new Map(before("qcow"));
    b.set("flake.nix", `{${HEAD}
  outputs = { self, nixpkgs, nixos-generators }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix nixos-generators.nixosModules.all-formats { formatConfigs.proxmox = { proxmox.qemuConf.cores = 2; }; } ];
    };
    packages.x86_64-linux.image = self.nixosConfigurations.box.config.formats.proxmox;
  };
}
`);
    const right = after("proxmox", "./configuration.nix { image.modules.proxmox = { proxmox.qemuConf.cores = 2; }; }");
    expect(await problems(b, right)).toEqual([]);
    const wrong = after("proxmox", "./configuration.nix");
    expect((await problems(b, wrong)).join("\n")).toContain('definition lost: {"conds":[],"order":null,"path":"proxmox.qemuConf.cores"');
  });

  it("catches a nixos-generators format module left in the configuration", async () => {
    const a = after("qemu", "./configuration.nix nixos-generators.nixosModules.qcow");
    a.set("flake.nix", a.get("flake.nix")!
      .replace('inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";', HEAD)
      .replace("outputs = { self, nixpkgs }:", "outputs = { self, nixpkgs, nixos-generators }:"));
    expect(await problems(before("qcow"), a)).toEqual(["packages.x86_64-linux.image: stub module added: format:qcow"]);
  });

  it("reports outputs that disappear or appear", async () => {
    const a = after("qemu");
    a.set("flake.nix", a.get("flake.nix")!.replace("packages.x86_64-linux.image =", "packages.x86_64-linux.other ="));
    const p = await problems(before("qcow"), a);
    expect(p).toContain("packages.x86_64-linux.image: output missing after migration");
    expect(p).toContain("packages.x86_64-linux.other: new output after migration");
  });
});
