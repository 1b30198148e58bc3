// The leftover audit of scripts/real-repos.mjs: which remaining references to
// nixos-generators count, and when the dry run's findings point at them.
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM with JSDoc types, no declaration file
import { audit, auditKind, classify, findReferences, generatorInputNames, inputDeclarationLines } from "../scripts/lib/leftovers.mjs";

const flake = `{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
    generators = {
      url = "github:nix-community/nixos-generators";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };
  outputs = { self, nixpkgs, generators, ... }: {
    # images used to come from nixos-generators
    packages.x86_64-linux.iso = generators.nixosGenerate { format = "iso"; modules = [ ./iso.nix ]; };
    packages.x86_64-linux.cfg = (nixpkgs.legacyPackages.x86_64-linux.formats.json { }).generate "x" { };
    lib.toIni = nixpkgs.lib.generators.toINI { };
  };
}
`;

const module = `{ config, inputs, ... }: {
  imports = [ inputs.nixos-generators.nixosModules.all-formats ]; /* all of them:
     nixosGenerate was too slow */
  formatConfigs.proxmox = { proxmox.qemuConf.cores = 4; };
  environment.etc.img.source = config.formats.proxmox;
  environment.etc.raw.source = config.system.build.\${config.formatAttr};
  environment.etc.json.source = (pkgs.formats.json { }).generate "a" { };
  script = ''
    nixos-generate -f iso -c ./configuration.nix # rebuild the image
    nixos-generate-config --root /mnt
  '';
}
`;

const readme = [
  "# Images",
  "",
  "Built with nixos-generators, see `nixos-generate -f iso`.",
  "",
  "```sh",
  "nixos-generate -f proxmox --flake .#host",
  "```",
  "",
  "    nix build .#nixosConfigurations.host.config.formats.iso",
  "",
].join("\n");

const lock = JSON.stringify(
  {
    nodes: {
      generators: { locked: { owner: "nix-community", repo: "nixos-generators", rev: "abc", type: "github" }, original: { owner: "nix-community", repo: "nixos-generators", type: "github" } },
      nixpkgs: { locked: { owner: "NixOS", repo: "nixpkgs", rev: "def", type: "github" } },
      root: { inputs: { generators: "generators", nixpkgs: "nixpkgs" } },
    },
    root: "root",
    version: 7,
  },
  null,
  2,
);

const lines = (refs: { line: number }[]) => refs.map((r) => r.line);

describe("leftover audit", () => {
  it("names the generators input the way the flake does", () => {
    expect(generatorInputNames(flake).sort()).toEqual(["generators", "nixos-generators"]);
    expect(generatorInputNames('{ inputs.gen.url = "github:someone/nixos-generators/fix"; }')).toContain("gen");
    // attribute names inside the declaration are not input names
    expect(generatorInputNames(flake)).not.toContain("url");
  });

  it("finds references in code, not nixpkgs' lib.generators or pkgs.formats.json", () => {
    const refs = findReferences("flake.nix", flake, ["nixos-generators", "generators"]);
    // 4: the input, 5: its url, 9: the formals, 10: comment, 11: the call; not 12 (formats.json) nor 13 (lib.generators)
    expect(lines(refs)).toEqual([4, 5, 9, 10, 11]);
    expect(refs.find((r: { line: number }) => r.line === 10).context).toBe("comment");
    expect(refs.find((r: { line: number }) => r.line === 11).kinds).toEqual(["nixosGenerate", "input"]);
  });

  it("tells comments, strings and the other command apart in a module", () => {
    const refs = findReferences("modules/img.nix", module);
    const byLine = Object.fromEntries(refs.map((r: { line: number; context: string; kinds: string[] }) => [r.line, r]));
    expect(Object.keys(byLine).map(Number)).toEqual([2, 3, 4, 5, 6, 9]);
    expect(byLine[2].context).toBe("code"); // the import, before the block comment opens
    expect(byLine[3].context).toBe("comment"); // inside /* … */
    expect(byLine[4].kinds).toEqual(["formatConfigs"]);
    expect(byLine[5].kinds).toEqual(["formats"]);
    expect(byLine[6].kinds).toEqual(["formatOption"]);
    expect(byLine[9].kinds).toEqual(["command"]); // inside a Nix string: code; line 10 is nixos-generate-config
  });

  it("finds definitions of all-formats' formats option, and reads descriptions as prose", () => {
    const text = [
      "{ config, lib, ... }: {",
      '  description = "images with nixos-generators";',
      "  formats = lib.mkForce { tarball = config.system.build.tarballBuilder; };",
      "  formats.iso = null;",
      "  settings.formats = [ \"json\" ];",
      "}",
    ].join("\n");
    const refs = findReferences("m.nix", text);
    expect(refs.map((r: { line: number; context: string; kinds: string[] }) => [r.line, r.context, r.kinds.join()])).toEqual([
      [2, "prose", "input"],
      [3, "code", "formats"],
      [4, "code", "formats"],
    ]);
  });

  it("reads Markdown code blocks as code and the text around them as prose", () => {
    const refs = findReferences("README.md", readme);
    expect(refs.map((r: { line: number; context: string }) => [r.line, r.context])).toEqual([
      [3, "prose"],
      [6, "code"],
      [9, "code"],
    ]);
  });

  it("knows the file kinds of repository mode", () => {
    expect(auditKind("a/b.nix")).toBe("nix");
    expect(auditKind("flake.lock")).toBe("lock");
    expect(auditKind(".github/workflows/x.yml")).toBe("yaml");
    expect(auditKind("Justfile")).toBe("justfile");
    expect(auditKind("build", "#!/usr/bin/env bash\n")).toBe("script");
    expect(auditKind("LICENSE", "MIT\n")).toBeNull();
    expect(auditKind("flake.lock.bak")).toBeNull();
  });

  it("points at a line through a finding on it, or a warning on its file", () => {
    const refs = findReferences("modules/img.nix", module).filter((r: { context: string }) => r.context === "code");
    const verdicts = classify(refs, [
      { path: "modules/img.nix", findings: [{ rule: "all-formats-module", severity: "note", line: 2, endLine: 2 }, { rule: "format-configs", severity: "info", line: 4, endLine: 4 }] },
    ]);
    expect(verdicts.filter((v: { pointedBy: string | null }) => v.pointedBy === null).map((v: { reference: { line: number } }) => v.reference.line)).toEqual([5, 6, 9]);
    // a warning anywhere in the file says why the file was left: nothing is silent
    const explained = classify(refs, [{ path: "modules/img.nix", findings: [{ rule: "x", severity: "warning", line: 30 }] }]);
    expect(explained.every((v: { pointedBy: string | null }) => v.pointedBy !== null)).toBe(true);
  });

  it("judges flake.lock by the finding on the kept input in the flake beside it", () => {
    expect(inputDeclarationLines(flake, ["nixos-generators", "generators"])).toEqual([4, 5]);
    const files = [
      { path: "flake.nix", text: flake },
      { path: "flake.lock", text: lock },
    ];
    const none = audit(files, [{ path: "flake.nix", findings: [] }]);
    expect(none.silent.map((r: { file: string; line: number }) => `${r.file}:${r.line}`)).toEqual([
      "flake.nix:4",
      "flake.nix:5",
      "flake.nix:9",
      "flake.nix:11",
      `flake.lock:${lock.split("\n").findIndex((l) => l.includes('"generators": "generators"')) + 1}`,
    ]);
    expect(none.nonCode.map((r: { line: number }) => r.line)).toEqual([10]);
    // a note on the input's declaration points at the lock line too
    const kept = audit(files, [{ path: "flake.nix", findings: [{ rule: "input-kept", severity: "note", line: 4, endLine: 7 }, { rule: "call", severity: "note", line: 9, endLine: 11 }] }]);
    expect(kept.silent).toEqual([]);
  });
});

describe("shell messages and stale locks", () => {
  it("a message a script prints is text; the command after it is code", () => {
    const refs = findReferences("build.sh", 'echo "nixos-generate is gone, use nixos-rebuild"\necho done; nixos-generate -f iso\n');
    expect(refs.map((r) => [r.line, r.context])).toEqual([
      [1, "prose"],
      [2, "code"],
    ]);
  });
});

describe("Markdown and YAML text", () => {
  it("another language's fence, a list item's paragraph and a release body are text", () => {
    const md = "```js\nconsole.log(config.formats.iso);\n```\n\n1. An item:\n\n    config.formats.iso is read here\n\nCode:\n\n    nixos-generate -f iso\n";
    expect(findReferences("README.md", md).map((r) => [r.line, r.context])).toEqual([
      [2, "prose"],
      [7, "prose"],
      [11, "code"],
    ]);
    const yaml = "steps:\n  - run: |\n      nixos-generate -f iso\n  - with:\n      body: |\n        Built with nixos-generate\n";
    expect(findReferences(".github/workflows/x.yml", yaml).map((r) => [r.line, r.context])).toEqual([
      [3, "code"],
      [6, "prose"],
    ]);
  });
});

describe("vendored copies, comments in code blocks, commit messages", () => {
  it("a skipped copy of nixos-generators explains its files; a block's comment and a commit message are text", () => {
    const files = [{ path: "third-party/nixos-generators/flake.nix", text: "{ outputs = { self, nixpkgs }: { nixosGenerate = x: x; }; }\n" }];
    const report = [{ path: "third-party/nixos-generators/nixos-generate.nix", findings: [{ rule: "vendored-generators", severity: "note", line: 1 }] }];
    expect(audit(files, report).silent).toEqual([]);
    const md = "```sh\njust build-iso   # custom ISO via nixos-generators\ngit commit -m \"add nixos-generators flake\"\nnixos-generate -f iso\n```\n";
    expect(findReferences("AGENTS.md", md).map((r) => [r.line, r.context])).toEqual([
      [2, "comment"],
      [3, "prose"],
      [4, "code"],
    ]);
  });
});
