// The tool as a Nix package: flake.nix, default.nix and package.nix at the
// root, and the README's git-hooks.nix example. Nix 2.8, offline: they parse,
// and they evaluate against the stubs in test/nix-package/stubs (nixpkgs'
// builders record their arguments; git-hooks.nix's `run` checks each hook
// against that project's hook options), so the tests read what package.nix
// really passes to buildNpmPackage: the file list of the filtered source, the
// npm dependencies' hash, meta, the bin. The flake is read from a git snapshot
// of the work tree (git-tracked files, what `nix run github:…` gets).
// A real build (`nix build .#checks.x86_64-linux.example`) needs nixpkgs'
// binary cache and the npm registry, so it is not part of the tests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nixParseFiles, requireNix } from "./helpers/nix.js";
import { REPO, run, snapshotRepo, tempDir } from "./helpers/repo.js";
import { lockDigest } from "../scripts/npm-deps-hash.mjs";

const STUBS = join(import.meta.dirname, "nix-package", "stubs");
const NIXPKGS_STUB = join(STUBS, "nixpkgs");
const GIT_HOOKS_STUB = join(STUBS, "git-hooks");
const SYSTEMS = ["aarch64-darwin", "aarch64-linux", "x86_64-darwin", "x86_64-linux"];
const BIN = join(REPO, "bin", "nixgen-migrate.cjs");
const NIX_ENV = { ...process.env, GC_DONT_GC: "1", NIX_REMOTE: "" };
const FLAKES = ["--extra-experimental-features", "nix-command flakes"];
const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(REPO, "flake.lock"), "utf8"));
const pinned = lock.nodes[lock.nodes[lock.root].inputs.nixpkgs].locked;

function nix(args: string[], cwd?: string): { code: number; stdout: string; stderr: string } {
  return run("nix", [...FLAKES, ...args], { cwd, env: NIX_ENV });
}

/** nix's error without the lock-file chatter of overridden inputs. */
const nixError = (stderr: string) => stderr.slice(Math.max(0, stderr.indexOf("error")));

let tmp: ReturnType<typeof tempDir>;
let snapshot: string;
/** test/nix-package/project.nix's view of the flake (see there). */
let flake: any;

function git(files: string[]): string[] {
  return run("git", ["ls-files", "-z", "--", ...files], { cwd: REPO }).stdout.split("\0").filter(Boolean).sort();
}

/** A flake in a temp dir, for `path:` evaluation. */
function flakeDir(name: string, files: Record<string, string>): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [p, text] of Object.entries(files)) writeFileSync(join(dir, p), text);
  return dir;
}

beforeAll(() => {
  requireNix();
  tmp = tempDir("nixgen-nixpkg-");
  snapshot = snapshotRepo(tmp.dir).dir;
  const wrapper = flakeDir("wrapper", {
    "project.nix": readFileSync(join(import.meta.dirname, "nix-package", "project.nix"), "utf8"),
    "flake.nix": `{
  inputs.target.url = ${JSON.stringify(`git+file://${snapshot}`)};
  inputs.nixpkgs.url = ${JSON.stringify(`path:${NIXPKGS_STUB}`)};
  inputs.target.inputs.nixpkgs.follows = "nixpkgs";
  outputs = { self, target, nixpkgs }: { result = import ./project.nix { inherit target nixpkgs; }; };
}
`,
  });
  const r = nix(["eval", "--json", "--offline", "--no-write-lock-file", `path:${wrapper}#result`]);
  if (r.code !== 0) throw new Error(`the flake does not evaluate against the stubs: ${nixError(r.stderr)}`);
  flake = JSON.parse(r.stdout);
}, 120_000);
afterAll(() => tmp?.cleanup());

describe("the Nix files", () => {
  it("parse (nix-instantiate --parse)", async () => {
    const results = await nixParseFiles(["flake.nix", "default.nix", "package.nix"].map((f) => join(REPO, f)));
    expect(results.map((r) => r.error)).toEqual(["", "", ""]);
  });

  it("flake.lock pins a nixos-25.05 revision and agrees with flake.nix: Nix reads it offline, without fetching", () => {
    expect(pinned).toMatchObject({ type: "github", owner: "NixOS", repo: "nixpkgs" });
    expect(pinned.rev).toMatch(/^[0-9a-f]{40}$/);
    expect(pinned.narHash).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/);
    expect(lock.nodes.nixpkgs.original).toEqual({ type: "github", owner: "NixOS", repo: "nixpkgs", ref: "nixos-25.05" });
    const ok = nix(["flake", "metadata", "--json", "--offline", "--no-write-lock-file", `git+file://${snapshot}`]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).locks.nodes.nixpkgs.locked).toEqual(pinned);
    // control: a lock that does not match flake.nix's URL makes Nix want to fetch, which fails offline
    const flakeNix = readFileSync(join(REPO, "flake.nix"), "utf8");
    const stale = flakeDir("stale-lock", { "flake.nix": flakeNix.replace("nixos-25.05", "nixos-unstable"), "flake.lock": JSON.stringify(lock) });
    const bad = nix(["flake", "metadata", "--json", "--offline", "--no-write-lock-file", `path:${stale}`]);
    expect(bad.code).not.toBe(0);
  }, 60_000);

  it("the tool finds nothing to migrate in them, named or in a run over the repository", () => {
    const named = run(process.execPath, [BIN, "flake.nix", "default.nix", "package.nix", "flake.lock"], { cwd: snapshot });
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toBe("");
    expect(named.stderr).toMatch(/^0 files to migrate, 4 unchanged/m);
    const repo = run(process.execPath, [BIN, "--check", "--format", "json", "."], { cwd: snapshot });
    const files = JSON.parse(repo.stdout) as { path: string; changed: boolean; refused: unknown; error: unknown; findings: unknown[] }[];
    const ours = files.filter((f) => /^(flake\.nix|flake\.lock|default\.nix|package\.nix|test\/nix-package\/)/.test(f.path));
    expect(ours.map((f) => f.path)).toContain("flake.nix");
    for (const f of ours) expect(f, f.path).toMatchObject({ changed: false, refused: null, error: null, findings: [] });
  }, 60_000);
});

describe("packages.<system>.default (package.nix through buildNpmPackage)", () => {
  it("exists for x86_64/aarch64 linux and darwin, named and versioned as package.json, with the bin as mainProgram", () => {
    expect(Object.keys(flake.packages).sort()).toEqual(SYSTEMS);
    for (const system of SYSTEMS) {
      const p = flake.packages[system].default;
      expect(p).toMatchObject({ pname: pkg.name, version: pkg.version, name: `${pkg.name}-${pkg.version}` });
      expect(p.meta).toMatchObject({ description: pkg.description, license: { spdxId: pkg.license }, platforms: [system] });
      expect(Object.keys(pkg.bin)).toEqual([p.meta.mainProgram]);
      expect(p.args.nodejs).toBe("nodejs-22.17.1"); // the package set's default nodejs
      expect(p.args.installCheckPhase).toContain(`= "${pkg.version}" ]`);
    }
  });

  it("its source is what the build reads (tsc's inputs, the bundle script, what `npm pack` ships that is not built) and nothing else", () => {
    const files: string[] = flake.packages["x86_64-linux"].default.args.src.files;
    const tsconfig = JSON.parse(readFileSync(join(REPO, "tsconfig.json"), "utf8"));
    expect(tsconfig.include).toEqual(["src/**/*.ts", "transforms/**/*.ts"]);
    const bundleScripts = [...pkg.scripts.build.matchAll(/\bnode (\S+)/g)].map((m) => m[1]);
    expect(bundleScripts).toEqual(["scripts/bundle.mjs"]);
    // package.json "files" that are sources (dist/ is built); README.md is left out on purpose, so
    // that editing it does not rebuild the package
    const shipped = (pkg.files as string[]).filter((f) => !f.startsWith("dist/") && f !== "README.md");
    const expected = [...new Set([...git(["src", "transforms"]), ...bundleScripts, ...git(shipped), "package.json", "package-lock.json", "tsconfig.json"])].sort();
    expect(files).toEqual(expected);
    expect(files).toContain("grammar/tree-sitter-nix.wasm");
    expect(files.filter((f) => /^(fixtures|test|web|bench|docs|examples|dist|node_modules|action|\.ci)\//.test(f))).toEqual([]);
    for (const system of SYSTEMS) expect(flake.packages[system].default.args.src.files).toEqual(files);
  });

  it("npmDepsHash was computed from this package-lock.json, in which every package has a resolved URL", () => {
    const lockText = readFileSync(join(REPO, "package-lock.json"), "utf8");
    const packageNix = readFileSync(join(REPO, "package.nix"), "utf8");
    const hash = flake.packages["x86_64-linux"].default.args.npmDepsHash;
    expect(hash).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/);
    // scripts/npm-deps-hash.mjs --write records the lock it hashed next to the hash
    expect(packageNix, "package-lock.json changed: run `node scripts/npm-deps-hash.mjs --write`").toContain(`package-lock.json ${lockDigest(lockText)}`);
    const unresolved = Object.entries(JSON.parse(lockText).packages).filter(([k, v]: [string, any]) => k !== "" && !v.link && !v.resolved);
    expect(unresolved.map(([k]) => k)).toEqual([]);
  });

  it("`npm pack` (the install step's file list) runs without package.json's prepare script, which would build again", () => {
    expect(pkg.scripts.prepare).toBeDefined();
    expect(flake.packages["x86_64-linux"].default.args.npmPackFlags).toContain("--ignore-scripts");
  });
});

describe("the other outputs", () => {
  it("apps.<system>.default runs the package's bin", () => {
    for (const system of SYSTEMS) {
      const p = flake.packages[system].default;
      expect(flake.apps[system].default).toMatchObject({ type: "app", program: `${p.path}/bin/${p.meta.mainProgram}` });
    }
  });

  it("overlays.default adds nixgen-migrate, built from the final package set", () => {
    expect(flake.overlay.names).toEqual(["nixgen-migrate"]);
    const p = flake.overlay.package;
    expect(p.args.nodejs).toBe("nodejs-20.19.4"); // the overlaid set's nodejs, not the one the flake uses
    expect({ ...p.args, nodejs: null }).toEqual({ ...flake.packages["x86_64-linux"].default.args, nodejs: null });
  });

  it("devShells.<system>.default has Node.js of package.json's oldest engine and nix", () => {
    const major = /^>=(\d+)$/.exec(pkg.engines.node)![1];
    for (const system of SYSTEMS) {
      const names: string[] = flake.devShells[system].default;
      expect(names.map((n) => n.replace(/-[\d.]+$/, ""))).toEqual(["nodejs", "nix"]);
      expect(names[0]).toMatch(new RegExp(`^nodejs-${major}\\.`));
    }
  });

  it("checks.<system>: the package, and the example run on the installed package", () => {
    for (const system of SYSTEMS) {
      const c = flake.checks[system];
      expect(c.names).toEqual(["example", "package"]);
      expect(c.package).toBe(flake.packages[system].default.path);
      expect(c.example.nativeBuildInputs).toEqual([c.package]);
    }
  });

  it("the example check's script passes with the tool and fails with one that migrates nothing", () => {
    const script: string = flake.checks["x86_64-linux"].example.buildCommand;
    const examples = /cp -r (\/nix\/store\/\S+-examples) /.exec(script)?.[1];
    expect(examples && existsSync(join(examples, "flake.nix"))).toBe(true);
    // what runCommand does: the script under `set -eu -o pipefail`, in an empty directory, `nixgen-migrate` on PATH
    const check = (name: string, tool: string) => {
      const dir = join(tmp.dir, name);
      mkdirSync(join(dir, "bin"), { recursive: true });
      writeFileSync(join(dir, "bin", "nixgen-migrate"), `#!/bin/sh\n${tool}\n`);
      chmodSync(join(dir, "bin", "nixgen-migrate"), 0o755);
      mkdirSync(join(dir, "build"));
      const out = join(dir, "out");
      const r = spawnSync("bash", ["-c", `set -eu -o pipefail\n${script}`], {
        cwd: join(dir, "build"),
        encoding: "utf8",
        env: { PATH: `${join(dir, "bin")}:${process.env.PATH}`, out, NO_COLOR: "1" },
      });
      return { code: r.status, output: r.stdout + r.stderr, out: existsSync(out) };
    };
    const real = check("example-check", `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"`);
    expect(real, real.output).toMatchObject({ code: 0, out: true });
    const inert = check("example-check-inert", "exit 0");
    expect(inert.code).not.toBe(0);
    expect(inert.out).toBe(false);
  });
});

describe("default.nix", () => {
  const stubPkgs = `import ${join(NIXPKGS_STUB, "pkgs.nix")} { lib = import ${join(NIXPKGS_STUB, "lib.nix")}; system = "x86_64-linux"; }`;
  const project = (p: string) => `let p = ${p}; in { inherit (p) pname version; inherit (p.args) npmDepsHash src; mainProgram = p.meta.mainProgram; }`;

  it("builds the same package with the pkgs it is given", () => {
    const expr = project(`import ${join(snapshot, "default.nix")} { pkgs = ${stubPkgs}; }`);
    const r = run("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr], { env: NIX_ENV });
    expect(r.code, r.stderr).toBe(0);
    const p = flake.packages["x86_64-linux"].default;
    expect(JSON.parse(r.stdout)).toEqual({ pname: p.pname, version: p.version, npmDepsHash: p.args.npmDepsHash, src: p.args.src, mainProgram: p.meta.mainProgram });
  });

  it("without pkgs, imports the nixpkgs revision flake.lock pins", () => {
    // fetchTarball replaced (scopedImport) by one that records its argument and returns a directory
    // whose default.nix is the stub package set
    const fakeNixpkgs = flakeDir("fake-nixpkgs", { "default.nix": `{ config, overlays }: assert config == { } && overlays == [ ]; ${stubPkgs}\n` });
    const expr = `let
      pinnedBuild = scopedImport { fetchTarball = args: builtins.trace (builtins.toJSON args) ${fakeNixpkgs}; } ${join(snapshot, "default.nix")} { };
    in ${project("pinnedBuild")}`;
    const r = run("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr], { env: NIX_ENV });
    expect(r.code, r.stderr).toBe(0);
    const traced = JSON.parse(/trace: (\{.*\})/.exec(r.stderr)![1]!);
    expect(traced).toEqual({ url: `https://github.com/NixOS/nixpkgs/archive/${pinned.rev}.tar.gz`, sha256: pinned.narHash });
    expect(JSON.parse(r.stdout).pname).toBe(pkg.name);
  });
});

describe("the README's git-hooks.nix example", () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("**[git-hooks.nix]"));
  const example = /```nix\n([\s\S]*?)```/.exec(section)![1]!;
  let hooks: any[];
  let shellHook: string;

  beforeAll(() => {
    const dir = flakeDir("readme-git-hooks", { "flake.nix": example });
    copyFileSync(join(REPO, "examples", "configuration.nix"), join(dir, "configuration.nix"));
    const overrides = [
      ["nixpkgs", `path:${NIXPKGS_STUB}`],
      ["git-hooks", `path:${GIT_HOOKS_STUB}`],
      ["nixgen-migrate", `git+file://${snapshot}`],
      ["nixgen-migrate/nixpkgs", `path:${NIXPKGS_STUB}`],
    ].flatMap(([input, url]) => ["--override-input", input!, url!]);
    const evaluate = (attr: string) => {
      const r = nix(["eval", "--json", "--offline", "--no-write-lock-file", ...overrides, `path:${dir}#${attr}`]);
      if (r.code !== 0) throw new Error(`the README's git-hooks.nix example does not evaluate: ${nixError(r.stderr)}`);
      return JSON.parse(r.stdout);
    };
    hooks = evaluate("checks.x86_64-linux.pre-commit.config.rawConfig.repos")[0].hooks;
    shellHook = evaluate("devShells.x86_64-linux.default.args.shellHook");
  }, 60_000);

  it("uses the flake's package and names its inputs", () => {
    expect(example).toContain("inputs.nixgen-migrate.packages.${system}.default");
    expect(example).toMatch(/nixgen-migrate\.url = "github:OWNER\/nixgen-migrate";/);
  });

  it("evaluates to one hook that runs the package's bin with --write, in one process, on .nix files", () => {
    const p = flake.packages["x86_64-linux"].default;
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ id: "nixgen-migrate", entry: `${p.path}/bin/${p.meta.mainProgram} --write --`, pass_filenames: true });
    // as the pre-commit hook of this repository: one process gets all the files (a flake and its module files)
    const yaml = readFileSync(join(REPO, ".pre-commit-hooks.yaml"), "utf8");
    expect(/- id: nixgen-migrate\n(?:  .*\n)*?  require_serial: true/.test(yaml)).toBe(true);
    expect(hooks[0].require_serial).toBe(true);
    const files = new RegExp(hooks[0].files);
    expect(["flake.nix", "hosts/lab/configuration.nix"].filter((f) => files.test(f))).toHaveLength(2);
    expect(["README.md", "flake.lock", "nix.sh"].filter((f) => files.test(f))).toEqual([]);
    expect(shellHook).toContain("nixgen-migrate");
  });

  it("its entry, run as pre-commit would on the example's files, migrates them", () => {
    const p = flake.packages["x86_64-linux"].default;
    const dir = join(tmp.dir, "hook-run");
    cpSync(join(REPO, "examples"), dir, { recursive: true });
    const [command, ...args] = hooks[0].entry.split(" ");
    expect(command).toBe(`${p.path}/bin/nixgen-migrate`);
    const files = ["configuration.nix", "flake.nix"].filter((f) => new RegExp(hooks[0].files).test(f));
    const r = run(process.execPath, [BIN, ...args, ...files], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^1 file migrated/m);
    expect(readFileSync(join(dir, "flake.nix"), "utf8")).not.toContain("nixos-generators");
  });
});
