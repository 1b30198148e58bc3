// The npm package: `npm pack` contains only what a user needs, and the
// tarball installs into an empty directory and works from there (bin,
// library import, jscodeshift entry point).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, cleanEnv, run, tempDir } from "./helpers/repo.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example");
const EXAMPLE = readFileSync(join(FIXTURE, "input.nix"), "utf8");
const MIGRATED = readFileSync(join(FIXTURE, "output.nix"), "utf8");
const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));

let tmp: ReturnType<typeof tempDir>;
let tarball: string;
let files: string[];
let app: string;
const env = () => cleanEnv({ npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" });

describe("npm pack", () => {
  beforeAll(() => {
    tmp = tempDir("nixgen-pack-");
    // dist/ is built by `pretest`; --ignore-scripts keeps `prepare` from rebuilding it under the other tests
    const packed = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp.dir], { cwd: REPO, env: env() });
    expect(packed.code, packed.stderr).toBe(0);
    const info = JSON.parse(packed.stdout)[0];
    tarball = join(tmp.dir, info.filename);
    files = info.files.map((f: { path: string }) => f.path).sort();
    app = join(tmp.dir, "app");
    run("mkdir", ["-p", app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, type: "module" }));
    const installed = run("npm", ["install", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: app, env: env() });
    expect(installed.code, installed.stderr).toBe(0);
  }, 300_000);
  afterAll(() => tmp?.cleanup());

  it("contains the bin, the bundle, the jscodeshift entries, type declarations, the grammar, README and LICENSE only", () => {
    expect(files).toContain("bin/nixgen-migrate.cjs");
    expect(files).toContain("dist/bundle/cli.cjs");
    expect(files).toContain("dist/bundle/compile-cache.cjs");
    expect(files).toContain("dist/bundle/worker.js");
    expect(files).toContain("dist/bundle/index.js");
    expect(files).toContain("dist/jscodeshift/index.cjs");
    expect(files).toContain("dist/src/index.d.ts");
    expect(files).toContain("grammar/tree-sitter-nix.wasm");
    expect(files).toContain("grammar/tree-sitter-nix.wasm.sha256");
    expect(files).toContain("README.md");
    expect(files).toContain("LICENSE");
    for (const f of files) {
      expect(f, f).toMatch(/^(bin\/|dist\/bundle\/[^/]+\.c?js$|dist\/jscodeshift\/[^/]+\.cjs$|dist\/(src|transforms)\/.*\.d\.ts$|grammar\/tree-sitter-nix\.wasm(\.sha256)?$|README\.md$|LICENSE$|package\.json$)/);
    }
    // the runtime dependency is web-tree-sitter only; the rest is bundled
    expect(Object.keys(pkg.dependencies)).toEqual(["web-tree-sitter"]);
  });

  it("installs and runs from an empty directory: --version and a real migration", () => {
    const version = run("npx", ["--no-install", "nixgen-migrate", "--version"], { cwd: app, env: env() });
    expect(version.stdout.trim()).toBe(pkg.version);
    writeFileSync(join(app, "flake.nix"), EXAMPLE);
    const migrated = run("npx", ["--no-install", "nixgen-migrate", "--write", "flake.nix"], { cwd: app, env: env() });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(readFileSync(join(app, "flake.nix"), "utf8")).toBe(MIGRATED);
    // repository mode with a worker thread (worker.js and the grammar found from the installed bundle)
    for (const d of ["a", "b", "c", "d"]) {
      run("mkdir", ["-p", join(app, "hosts", d)]);
      writeFileSync(join(app, "hosts", d, "flake.nix"), EXAMPLE);
    }
    const walked = run("npx", ["--no-install", "nixgen-migrate", "--write", "-j", "2", "hosts"], { cwd: app, env: env() });
    expect(walked.code, walked.stderr).toBe(0);
    expect(walked.stderr).toMatch(/^4 files migrated/m);
    for (const d of ["a", "b", "c", "d"]) expect(readFileSync(join(app, "hosts", d, "flake.nix"), "utf8")).toBe(MIGRATED);
  });

  it("works as a library and gives jscodeshift its entry point", () => {
    const script = `
      import { init, migrate } from "nixgen-migrate";
      import { createRequire } from "node:module";
      await init();
      const r = migrate(${JSON.stringify(EXAMPLE)}, { path: "flake.nix" });
      const t = createRequire(import.meta.url)("nixgen-migrate/jscodeshift");
      const out = await t({ path: "flake.nix", source: ${JSON.stringify(EXAMPLE)} }, { report() {} }, {});
      console.log(JSON.stringify({ changed: r.changed, same: r.output === out, type: typeof t }));
    `;
    const r = run(process.execPath, ["--input-type=module", "-e", script], { cwd: app, env: env() });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ changed: true, same: true, type: "function" });
  });
});
