// action.yml: it parses, its inputs reach action/run.sh through the
// environment, the flags it passes exist, and run.sh behaves as documented
// (run locally with the runner's variables, and the tool from this checkout).
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, tempProjects } from "./helpers/cli.js";
import { REPO, cleanEnv, run } from "./helpers/repo.js";
import { OPTIONS } from "../src/cli/options.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example");
const EXAMPLE = readFileSync(join(FIXTURE, "input.nix"), "utf8");
const MIGRATED = readFileSync(join(FIXTURE, "output.nix"), "utf8");
const DOCKER = EXAMPLE.replace('format = "qcow";', 'format = "docker";');

/** YAML -> JSON with PyYAML (installed with Debian's pre-commit). */
function yaml(path: string): any {
  const r = run("python3", ["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", path]);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

const project = tempProjects();

function runAction(files: Record<string, string>, inputs: Record<string, string>) {
  const dir = project(files);
  // as on a runner, the summary and output files live outside the work tree
  const outside = project({});
  const summary = join(outside, "summary.md");
  const output = join(outside, "output");
  writeFileSync(summary, "");
  writeFileSync(output, "");
  const env: Record<string, string> = { GITHUB_ACTION_PATH: REPO, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output, INPUT_COMMAND: `${process.execPath} ${BIN}` };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase().replace(/-/g, "_")}`] = v;
  const r = run("bash", [join(REPO, "action", "run.sh")], { cwd: dir, env: cleanEnv(env) });
  return { ...r, dir: dir, summary: readFileSync(summary, "utf8"), output: readFileSync(output, "utf8") };
}

describe("action.yml", () => {
  const action = yaml(join(REPO, "action.yml"));

  it("is a composite action whose inputs all reach the run step through env", () => {
    expect(action.runs.using).toBe("composite");
    expect(Object.keys(action.inputs).sort()).toEqual(["args", "command", "fail-on-changes", "paths", "setup-node", "verify", "version", "write"]);
    expect(action.inputs["fail-on-changes"].default).toBe("true");
    expect(action.inputs.paths.default).toBe(".");
    const step = action.runs.steps.find((s: { id?: string }) => s.id === "run");
    expect(step.shell).toBe("bash");
    expect(step.run).toBe('bash "$GITHUB_ACTION_PATH/action/run.sh"');
    for (const name of Object.keys(action.inputs)) {
      if (name === "setup-node") continue;
      expect(step.env[`INPUT_${name.toUpperCase().replace(/-/g, "_")}`]).toBe(`\${{ inputs.${name} }}`);
    }
    // no expression is expanded into a script (injection)
    for (const s of action.runs.steps) if (s.run) expect(s.run).not.toContain("${{");
    expect(action.outputs["exit-code"].value).toBe("${{ steps.run.outputs.exit-code }}");
  });

  it("run.sh only passes flags that exist", () => {
    const script = readFileSync(join(REPO, "action", "run.sh"), "utf8");
    const calls = script.split("\n").filter((l) => l.includes('"${cmd[@]}"'));
    expect(calls).toHaveLength(1);
    const flags = [...(calls[0]! + " " + script.match(/mode\+?=\(([^)]*)\)/g)!.join(" ")).matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!);
    expect(flags).toContain("format");
    expect(flags).toContain("write");
    expect(flags).toContain("verify");
    for (const f of flags) expect(Object.keys(OPTIONS), f).toContain(f);
    expect(OPTIONS.format.choices).toContain("github");
  });

  it("a dry run annotates, writes the summary and the exit code, and fails on changes", () => {
    const r = runAction({ "flake.nix": EXAMPLE, "sub dir/flake.nix": MIGRATED }, { paths: ". sub dir/flake.nix", "fail-on-changes": "true" });
    expect(r.code).toBe(2); // "sub" and "dir/flake.nix" do not exist: paths are split on whitespace
    const ok = runAction({ "flake.nix": EXAMPLE }, { paths: ".\n", args: "--host lab", "fail-on-changes": "true" });
    expect(ok.code).toBe(1);
    expect(ok.stdout).toMatch(/^::warning file=flake\.nix,line=3,title=needs-migration::/m);
    expect(ok.stdout).toContain("+    nixosConfigurations.lab = nixpkgs.lib.nixosSystem {");
    expect(ok.output).toBe("exit-code=1\n");
    expect(ok.summary).toMatch(/^## nixgen-migrate\n/);
    expect(readFileSync(join(ok.dir, "flake.nix"), "utf8")).toBe(EXAMPLE);
  });

  it("fail-on-changes: false reports but passes; errors still fail", () => {
    const r = runAction({ "flake.nix": EXAMPLE }, { "fail-on-changes": "false" });
    expect(r.code).toBe(0);
    expect(r.output).toBe("exit-code=1\n");
    const broken = runAction({ "flake.nix": EXAMPLE.replace('format = "qcow";', 'format = "qcow"') }, { "fail-on-changes": "false" });
    expect(broken.code).toBe(2);
    expect(broken.stdout).toMatch(/^::error file=flake\.nix,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=syntax-error::/m);
  });

  it("write: true migrates the work tree (for a commit or reviewdog step)", () => {
    const r = runAction({ "flake.nix": EXAMPLE, "d/flake.nix": DOCKER }, { write: "true", "fail-on-changes": "true" });
    expect(r.code).toBe(1); // docker cannot be migrated
    expect(readFileSync(join(r.dir, "flake.nix"), "utf8")).toBe(MIGRATED);
    expect(r.summary).toMatch(/2 files migrated of 2 files checked · 1 error/);
  });

  it("verify: true evaluates the migration with nix (here the stubs of the equivalence suite) and writes a table in the summary", () => {
    const stubs = join(import.meta.dirname, "equivalence", "stubs");
    const args = `--offline --override-input nixpkgs path:${join(stubs, "nixpkgs")} --override-input nixos-generators path:${join(stubs, "nixos-generators")}`;
    const r = runAction({ "flake.nix": EXAMPLE, "configuration.nix": "{ ... }: { }\n" }, { verify: "true", write: "true", args });
    expect(r.code).toBe(0);
    expect(readFileSync(join(r.dir, "flake.nix"), "utf8")).toBe(MIGRATED);
    expect(r.summary).toContain("### nixgen-migrate --verify");
    expect(r.summary).toMatch(/^\| `packages\.x86_64-linux\.vmware` \| ok \| ok \| identical \| identical \| {2}\|$/m);
    expect(r.summary).toMatch(/^\| `packages\.x86_64-linux\.qcow` \| ok \| ok \| differs \| differs \| system: /m);
  });

  it("rejects bad boolean inputs", () => {
    expect(runAction({}, { verify: "on" }).code).toBe(2);
    expect(runAction({}, { write: "yes" }).code).toBe(2);
    expect(runAction({}, { "fail-on-changes": "maybe" }).code).toBe(2);
  });
});

describe(".pre-commit-hooks.yaml", () => {
  it("declares both hooks as node hooks that pass files to the installed bin", () => {
    const hooks = yaml(join(REPO, ".pre-commit-hooks.yaml"));
    expect(hooks.map((h: { id: string }) => h.id)).toEqual(["nixgen-migrate", "nixgen-migrate-scripts"]);
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    for (const h of hooks) {
      expect(h.language).toBe("node");
      expect(h.entry).toBe(Object.keys(pkg.bin)[0]);
      expect(h.require_serial).toBe(true);
      expect(h.pass_filenames).not.toBe(false);
      // options, then `--`: the file names pre-commit appends are never read as options
      expect(h.args.at(-1)).toBe("--");
      for (const a of h.args.slice(0, -1)) expect(Object.keys(OPTIONS)).toContain(a.replace(/^--/, ""));
    }
    expect(hooks[0].types).toEqual(["nix"]);
  });
});
