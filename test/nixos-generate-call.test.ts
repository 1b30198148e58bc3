// Branches of nixos-generate-call that the fixtures do not each show.
import { beforeAll, describe, expect, it } from "vitest";
import { init, migrateFiles } from "../src/index.js";

const flake = (opts: { url?: string; specialArgs?: string; format?: string }) => `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.nixos-generators = {
    url = "${opts.url ?? "github:nix-community/nixos-generators"}";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux.image = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      ${opts.specialArgs ? `specialArgs = ${opts.specialArgs};` : ""}
      modules = [ ./configuration.nix ];
      format = "${opts.format ?? "qcow"}";
    };
  };
}
`;

const lock = (lastModified: number) => JSON.stringify({
  nodes: {
    "nixos-generators": { locked: { lastModified, owner: "nix-community", repo: "nixos-generators", type: "github" } },
    nixpkgs: { locked: { lastModified, owner: "NixOS", repo: "nixpkgs", type: "github" }, original: { ref: "nixos-unstable" } },
    root: { inputs: { "nixos-generators": "nixos-generators", nixpkgs: "nixpkgs" } },
  },
  root: "root",
  version: 7,
});

function run(files: Record<string, string>) {
  const m = new Map(Object.entries(files));
  return migrateFiles(["flake.nix"], { read: (p) => m.get(p.replace(/^\.\//, "")) }, {});
}
const rules = (r: ReturnType<typeof run>, rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => f.message);

beforeAll(async () => {
  await init();
});

describe("specialArgs.diskSize", () => {
  it("names the pinned revision when flake.lock pins one that read it", () => {
    const r = run({ "flake.nix": flake({ specialArgs: "{ diskSize = 8192; }" }), "flake.lock": lock(1715000000) });
    const [m] = rules(r, "generators-special-arg");
    expect(m).toContain("flake.lock pins one of them (2024-05-06)");
    expect(m).toContain("`image.modules.qemu.virtualisation.diskSize = 8192;`");
  });

  it("says nothing when the pinned revision ignored it, or for \"auto\", or for a format that never read it", () => {
    expect(rules(run({ "flake.nix": flake({ specialArgs: "{ diskSize = 8192; }" }), "flake.lock": lock(1700000000) }), "generators-special-arg")).toEqual([]);
    expect(rules(run({ "flake.nix": flake({ specialArgs: '{ diskSize = "auto"; }' }) }), "generators-special-arg")).toEqual([]);
    expect(rules(run({ "flake.nix": flake({ specialArgs: "{ diskSize = 8192; }", format: "amazon" }) }), "generators-special-arg")).toEqual([]);
  });

  it("finds it through a name and `//`, and gives vmware both options when the release is not known", () => {
    const text = flake({ specialArgs: "{ inherit self; } // sizes", format: "vmware" }).replace("outputs = { self, nixpkgs, nixos-generators, ... }: {", "outputs = { self, nixpkgs, nixos-generators, ... }: let sizes = { diskSize = 4096 * 2; }; in {");
    const [m] = rules(run({ "flake.nix": text }), "generators-special-arg");
    expect(m).toContain("`image.modules.vmware.virtualisation.diskSize = 4096 * 2;` (before nixpkgs 26.05: `vmware.baseImageSize`)");
  });
});

describe("fork of nixos-generators", () => {
  it.each([
    ["github:nix-community/nixos-generators/1.8.0", false],
    ["git+https://github.com/nix-community/nixos-generators.git?ref=master", false],
    ["github:NIX-COMMUNITY/nixos-generators", false],
    ["flake:nixos-generators", false],
    ["github:someone/nixos-generators", true],
    ["gitlab:someone/nixos-generators", true],
    ["github:someone/my-nixos-generators/v2", true],
    ["path:./vendor/nixos-generators", true],
  ])("%s: fork note %s", (url, fork) => {
    const notes = rules(run({ "flake.nix": flake({ url }) }), "generators-fork");
    expect(notes.length).toBe(fork ? 1 : 0);
    if (url.startsWith("path:")) expect(notes[0]).toContain("a local copy");
  });
});

describe("customFormats written with dotted keys", () => {
  // Nix merges `customFormats.<name> = M;` with a `customFormats = { … };` of the same set
  it.each(["dotted", "plain"])("takes the %s format when the call has both forms", (format) => {
    const module = (attr: string) => `{ config, ... }: { formatAttr = "${attr}"; fileExtension = ".img"; }`;
    const text = flake({ format }).replace(
      `format = "${format}";`,
      `format = "${format}";\n      customFormats.dotted = ${module("dottedImage")};\n      customFormats = { plain = ${module("plainImage")}; };`,
    );
    const r = run({ "flake.nix": text });
    // the configuration made for the image has no root file system of its own (a warning of its own)
    expect(r.findings.filter((f) => f.severity !== "note" && f.rule !== "configuration-without-root")).toEqual([]);
    const out = r.files.find((f) => f.path === "flake.nix")!.after;
    expect(out).toContain(`image.modules.${format} = { lib, config, ... }: { system.build.image = lib.mkDefault config.system.build.${format}Image; };`);
    expect(out).toContain(`.config.system.build.images.${format};`);
    expect(out).not.toContain("customFormats");
  });
});
