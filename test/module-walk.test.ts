// The module walk (src/nix/module-walk.ts): long chains, long lists, lists defined
// through themselves, its file limit, and host failures that must not become
// missing files.
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../src/index.js";
import { parseNix } from "../src/parse.js";
import type { ProjectView } from "../src/types.js";
import { analyzeFlake } from "../src/nix/flake.js";
import { nixosSystemArgs, walkFile, walkModules, type Configuration } from "../src/nix/module-walk.js";
import { outputsRoots } from "../src/nix/refs.js";
import { descendants } from "../src/nix/ast.js";
import { formatFindings, runProject } from "./helpers/fixtures.js";

beforeAll(async () => {
  await init();
});

const flake = (modules: string, extra = "") => `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  outputs = { self, nixpkgs, ... }: ${extra}{
    nixosConfigurations.pve = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = ${modules};
    };
    packages.x86_64-linux.pve = self.nixosConfigurations.pve.config.system.build.images.proxmox;
  };
}
`;

/** A chain m0 -> m1 -> … of module files, each setting an option of the proxmox variant. */
function chain(n: number): Map<string, string> {
  const files = new Map([["flake.nix", flake("[ ./m/m0.nix ]")]]);
  for (let i = 0; i < n; i++) {
    const imports = i + 1 < n ? `  imports = [ ./m${i + 1}.nix ];\n` : "";
    files.set(`m/m${i}.nix`, `{\n${imports}  proxmox.qemuConf.cores = ${i};\n}\n`);
  }
  return files;
}

/** The flake's configurations and a project view over `files` for walkModules itself. */
function walkOf(files: Map<string, string>, read?: (p: string) => string | undefined, fileLimit?: number) {
  const view: ProjectView = {
    read: read ?? ((p) => files.get(p)),
    parse: (p) => {
      const t = (read ?? ((q: string) => files.get(q)))(p);
      return t === undefined ? undefined : parseNix(t);
    },
    isDirectory: () => false,
    inside: (p) => !p.startsWith("../") && !p.startsWith("/"),
    given: () => ["flake.nix"],
  };
  const text = files.get("flake.nix")!;
  const parsed = parseNix(text);
  const info = analyzeFlake(text, parsed.root)!;
  const file = walkFile("flake.nix", text, parsed.root, outputsRoots(info.outputs!.fn), true);
  const configs: Configuration[] = [];
  for (const n of descendants(parsed.root)) {
    const args = n.type === "apply_expression" ? nixosSystemArgs(text, n) : null;
    if (args) configs.push({ file, args });
  }
  return walkModules(configs, { project: view, flake: { file, outputsBody: info.outputs!.body }, matters: () => true, fileLimit });
}

describe("module walk", () => {
  it("migrates every file of a chain of 1,500 module files (the walk keeps its own stack)", () => {
    const n = 1500;
    const r = runProject(chain(n), ["flake.nix"], {});
    const changed = r.files.filter((f) => f.changed && f.path.startsWith("m/"));
    expect(changed.length).toBe(n);
    for (const f of changed) expect(f.after).toMatch(/^  image\.modules\.proxmox\.proxmox\.qemuConf\.cores = \d+;$/m);
    expect(r.findings.filter((f) => f.rule === "image-option-moved").length).toBe(n);
    expect(r.findings.filter((f) => f.severity !== "note")).toEqual([]);
  });

  it("follows a long `++` chain of lists to its last element", () => {
    const parts = Array.from({ length: 60 }, (_, i) => `[ ./m${i}.nix ]`).join(" ++ ");
    const files = new Map([["flake.nix", flake(parts)]]);
    for (let i = 0; i < 60; i++) files.set(`m${i}.nix`, `{ proxmox.qemuConf.cores = ${i}; }\n`);
    const walk = walkOf(files);
    expect([...walk.units.keys()]).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}.nix`));
    expect(walk.unfollowed.size).toBe(0);
  });

  it("reports a module list defined through itself instead of dropping it", () => {
    const r = runProject(new Map([["flake.nix", flake("mods", "let mods = more; more = mods; in ")]]), ["flake.nix"], {});
    expect(formatFindings(r.findings)).toMatch(/module-not-followed `mods` .*more than 16 names/);
  });

  it("reports every module file beyond its file limit, naming the limit", () => {
    const walk = walkOf(chain(30), undefined, 10);
    const sites = [...walk.unfollowed.values()];
    expect(sites.length).toBe(1);
    expect(sites[0]!.reason).toBe("the walk reads at most 10 module files per flake");
    expect(sites[0]!.file.path).toBe("m/m9.nix");
  });

  it("lets a failure of the host go up instead of taking the file for missing", () => {
    const files = chain(3);
    const read = (p: string) => {
      if (p === "m/m1.nix") throw new Error("EIO: i/o error, read");
      return files.get(p);
    };
    expect(() => walkOf(files, read)).toThrow(/EIO/);
  });
});

describe("reachableFiles (unused-generators-input's check of the files the inputs may reach)", () => {
  it("keeps the input when more files are reachable than it reads, and says so", () => {
    const files = new Map([["flake.nix", `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  outputs = { self, nixpkgs, nixos-generators, ... }@inputs: {
    packages.x86_64-linux.iso = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      specialArgs = { inherit inputs; };
      modules = [ ./f/f0.nix ];
      format = "iso";
    };
  };
}
`]]);
    // f0 -> f1 -> … -> f1099: only the last one still uses the input
    for (let i = 0; i < 1100; i++) files.set(`f/f${i}.nix`, i < 1099 ? `{ imports = [ ./f${i + 1}.nix ]; }\n` : `{ inputs, ... }: { imports = [ inputs.nixos-generators.nixosModules.iso ]; }\n`);
    const r = runProject(files, ["flake.nix"], {});
    const flakeOut = r.files.find((f) => f.path === "flake.nix")!.after;
    expect(flakeOut).toContain("inputs.nixos-generators.url");
    expect(formatFindings(r.findings)).toMatch(/generators-input-kept .*more than 1000 files are reachable from flake\.nix/);
  });
});
