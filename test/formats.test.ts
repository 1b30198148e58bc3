// --format json | github | sarif, through the real bin; the step summary's
// size limit directly on the reporter.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { cli, tempProjects } from "./helpers/cli.js";
import { SARIF_SUBSET, validate } from "./helpers/schema.js";
import { stepSummary, SUMMARY_LIMIT } from "../src/report/github.js";
import { RULES } from "../src/rules.js";
import type { ReportData } from "../src/report/data.js";
import { workflowCommands } from "./helpers/workflow-commands.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "nixos-generate-call", "readme-example");
const EXAMPLE = readFileSync(join(FIXTURE, "input.nix"), "utf8");
const MIGRATED = readFileSync(join(FIXTURE, "output.nix"), "utf8");
const DOCKER = EXAMPLE.replace('format = "qcow";', 'format = "docker";');

const project = tempProjects();

describe("--format json", () => {
  it("is one JSON array, one object per file and line, with findings and an applicable diff", () => {
    const dir = project({ "a/flake.nix": EXAMPLE, "b/flake.nix": MIGRATED, "c/flake.nix": DOCKER });
    const r = cli(["--format", "json", ".", "b/flake.nix", "missing.nix"], { cwd: dir });
    expect(r.code).toBe(2); // missing.nix
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("[");
    expect(lines.at(-1)).toBe("]");
    const files = JSON.parse(r.stdout) as { path: string; changed: boolean; written: boolean; refused: string | null; error: string | null; findings: { rule: string; severity: string; line: number; column: number; endLine: number; endColumn: number; message: string }[]; diff: string | null }[];
    expect(lines.length).toBe(files.length + 2);
    expect(files.map((f) => f.path)).toEqual(["a/flake.nix", "b/flake.nix", "c/flake.nix", "missing.nix"]);
    const [a, b, c, missing] = files;
    expect(a).toMatchObject({ changed: true, written: false, refused: null, error: null });
    expect(a!.findings[0]).toEqual({ rule: "migrated-call", severity: "note", message: expect.stringContaining("images.vmware"), line: 9, column: 16, endLine: 13, endColumn: 8 });
    expect(b).toEqual({ path: "b/flake.nix", changed: false, written: false, refused: null, error: null, findings: [], diff: null });
    expect(c!.findings.some((f) => f.severity === "error" && f.rule === "unsupported-format")).toBe(true);
    expect(missing).toMatchObject({ changed: false, error: "no such file" });
    spawnSync("git", ["init", "-q"], { cwd: dir });
    const applied = spawnSync("git", ["apply", "-"], { cwd: dir, input: a!.diff, encoding: "utf8" });
    expect(applied.stderr).toBe("");
    expect(readFileSync(join(dir, "a/flake.nix"), "utf8")).toBe(MIGRATED);
  });

  it("reports written files with --write, and [] when there is nothing to look at", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    const w = JSON.parse(cli(["--format=json", "--write"], { cwd: dir }).stdout);
    expect(w).toMatchObject([{ path: "flake.nix", changed: true, written: true }]);
    expect(cli(["--format", "json", "."], { cwd: project({ "x.nix": "{ }\n" }) }).stdout).toBe("[]\n");
    // no paths means ./flake.nix, and a missing one is an error with a hint
    const none = cli(["--format", "json"], { cwd: project({ "x.nix": "{ }\n" }) });
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout)).toMatchObject([{ path: "flake.nix", error: expect.stringMatching(/^no such file \(give the files/) }]);
  });

  it("rejects unknown formats and stdin with a non-text format", () => {
    const bad = cli(["--format", "xml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^nixgen-migrate: .*(xml|Invalid values)/m);
    const stdin = cli(["-", "--format", "json"], { input: EXAMPLE });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toMatch(/cannot be used with stdin/);
  });
});

describe("--format github", () => {
  it("prints annotations with escaped properties and a grouped diff, and appends the step summary", () => {
    const dir = project({ "a,b:c/flake.nix": EXAMPLE, "d/flake.nix": DOCKER });
    // as on a runner, the summary file lives outside the work tree
    const summary = join(project({}), "summary.md");
    writeFileSync(summary, "earlier step\n");
    const r = cli(["--format", "github", "."], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(out).toMatch(/^::group::nixgen-migrate: diff of 2 files\n::stop-commands::(nixgen-migrate-[0-9a-f-]{36})\ndiff --git a\/a,b:c\/flake\.nix/);
    const token = /::stop-commands::(\S+)/.exec(out)![1]!;
    expect(out).toContain(`\n::${token}::\n::endgroup::\n`);
    expect(out).toMatch(/^::warning file=a%2Cb%3Ac\/flake\.nix,line=3,title=needs-migration::a,b:c\/flake\.nix still uses nixos-generators/m);
    expect(out).toMatch(/^::notice file=a%2Cb%3Ac\/flake\.nix,line=9,col=16,endLine=13,endColumn=8,title=migrated-call::nixosGenerate \(format vmware\)/m);
    expect(out).toMatch(/^::error file=d\/flake\.nix,line=17,col=9,endLine=17,endColumn=\d+,title=unsupported-format::format "docker"/m);
    // messages are one line each (newlines would be %0A)
    for (const l of out.split("\n").filter((l) => l.startsWith("::notice") || l.startsWith("::error"))) expect(l).not.toMatch(/\r/);
    const md = readFileSync(summary, "utf8");
    expect(md.startsWith("earlier step\n## nixgen-migrate\n")).toBe(true);
    expect(md).toContain("**2 files to migrate** of 2 files checked");
    expect(md).toMatch(/<details><summary>Diff \(2 files\)<\/summary>\n\n```diff\ndiff --git a\/a,b:c\/flake.nix/);
    expect(md).toMatch(/<details open><summary>Findings \(\d+\)<\/summary>/);
    // `<image.filePath>` in a code span stays; outside code spans < is escaped
    expect(md).toContain("`$out/<image.filePath>`");
  });

  it("shows at most 10 annotations of each kind and counts the rest", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`h${i}/flake.nix`] = EXAMPLE;
    const dir = project(files);
    const r = cli(["--format", "github", "."], { cwd: dir, env: { GITHUB_STEP_SUMMARY: undefined } });
    const count = (kind: string) => r.stdout.split("\n").filter((l) => l.startsWith(`::${kind} `)).length;
    expect(count("warning")).toBe(10);
    expect(count("notice")).toBe(10);
    // per flake: needs-migration and configuration-without-root
    expect(r.stdout).toMatch(/^nixgen-migrate: 14 more warnings not shown as annotations/m);
    expect(r.stdout).toMatch(/^nixgen-migrate: 38 more notices not shown as annotations/m);
  });

  it("no diff and no needs-migration warning after --write", () => {
    const dir = project({ "flake.nix": EXAMPLE });
    const r = cli(["--format", "github", "--write"], { cwd: dir, env: { GITHUB_STEP_SUMMARY: undefined } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("::group::");
    expect(r.stdout).not.toContain("title=needs-migration");
    expect(r.stdout).toContain("::notice file=flake.nix,line=9");
  });

  it("keeps the step summary under GitHub's 1 MiB, cutting the diff with a note", () => {
    const diff = (i: number) => `diff --git a/f${i}.nix b/f${i}.nix\n--- a/f${i}.nix\n+++ b/f${i}.nix\n@@ -1 +1 @@\n-${"é".repeat(500)}\n+${"x".repeat(500)}\n`;
    const diffs = Array.from({ length: 2000 }, (_, i) => diff(i));
    const data: ReportData = { files: [], findings: [], errors: [], mode: "dry", written: new Set(), checked: 2000, version: () => "0", cwd: "/" };
    const md = stepSummary(data, diffs, SUMMARY_LIMIT - 100_000);
    const size = Buffer.byteLength(md);
    expect(size).toBeLessThanOrEqual(SUMMARY_LIMIT - 100_000);
    expect(size).toBeGreaterThan(SUMMARY_LIMIT - 120_000);
    expect(md).toMatch(/The diff was truncated to \d+ of \d+ bytes/);
    // cut at a line end, and the code fence is closed
    expect(md).toMatch(/\n```\n\n<\/details>\n/);
    expect(md).not.toContain("\uFFFD");
    expect(SUMMARY_LIMIT).toBeLessThan(1024 * 1024);
  });
});

describe("workflow commands in a flake never reach the GitHub Actions runner", () => {
  // ` ::cmd` on a context line of the diff (the runner trims it), `##[cmd]` anywhere, in a file's text and in its path
  const MALICIOUS = EXAMPLE.replace("{\n", "{  # ##[error]spoofed ##[add-mask]secret1\n").replace(
    "  outputs = {",
    "  description = ''\n::add-mask::secret2\n  ::set-env name=PATH::/evil\n::stop-commands::abc\n'';\n  outputs = {",
  );
  const OURS = new Set(["group", "endgroup", "stop-commands", "warning", "notice", "error"]);

  it("the fixture is what it claims: a runner takes commands from its raw diff", () => {
    const dir = project({ "flake.nix": MALICIOUS });
    const raw = cli([], { cwd: dir, env: { GITHUB_ACTIONS: undefined } });
    expect(raw.code).toBe(1);
    const names = workflowCommands(raw.stdout).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["error", "add-mask", "set-env", "stop-commands"]));
  });

  it("--format github: the diff and the errors are printed with commands off; only our annotations and groups are commands", () => {
    // a file that does not parse (a finding) and one that is not UTF-8 (an error), in a directory named like commands
    const bad = "::add-mask::x ##[error]y";
    const dir = project({ "flake.nix": MALICIOUS, [`${bad}/flake.nix`]: "{ a = ; } # nixosGenerate\n", [`${bad}/b.nix`]: Buffer.from("# nixosGenerate \xff\n", "latin1") });
    const r = cli(["--format", "github", "."], { cwd: dir, env: { GITHUB_STEP_SUMMARY: undefined } });
    expect(r.code).toBe(2);
    // the runner reads both streams in no fixed order
    for (const output of [r.stdout + r.stderr, r.stderr + r.stdout]) {
      const commands = workflowCommands(output);
      const tokens = new Set(commands.filter((c) => c.name === "stop-commands").map((c) => c.data));
      expect(tokens.size).toBe(2); // the diff, and the errors
      for (const c of commands) {
        if (tokens.has(c.name)) continue;
        expect(OURS, `${c.name} from line ${c.line}`).toContain(c.name);
        // every annotation is one of ours: a title, and a file that exists
        if (["warning", "notice", "error"].includes(c.name)) {
          expect(c.properties.title, c.data).toMatch(/^[a-z-]+$/);
          expect(["flake.nix", `${bad}/flake.nix`, `${bad}/b.nix`]).toContain(c.properties.file);
        }
      }
      expect(commands.filter((c) => c.name === "error" && c.properties.title === "syntax-error").map((c) => c.properties.file)).toEqual([`${bad}/flake.nix`]);
      expect(commands.filter((c) => c.name === "error" && c.properties.title === "nixgen-migrate").map((c) => c.properties.file)).toEqual([`${bad}/b.nix`]);
    }
    // the secrets were printed, as text
    expect(r.stdout).toContain("::add-mask::secret2");
  });

  it("text in GitHub Actions: a report holding a command is printed with commands off; elsewhere it is an exact patch", () => {
    const dir = project({ "flake.nix": MALICIOUS });
    const r = cli([], { cwd: dir, env: { GITHUB_ACTIONS: "true" } });
    expect(r.code).toBe(1);
    const commands = workflowCommands(r.stdout + r.stderr);
    expect(commands.map((c) => c.name)).toEqual(["stop-commands", commands[0]!.data]);
    // a clean report is left as it is
    const clean = cli([], { cwd: project({ "flake.nix": EXAMPLE }), env: { GITHUB_ACTIONS: "true" } });
    expect(clean.stdout).not.toContain("::stop-commands::");
    const plain = cli([], { cwd: dir, env: { GITHUB_ACTIONS: undefined } });
    expect(plain.stdout.startsWith("diff --git a/flake.nix b/flake.nix\n")).toBe(true);
  });

  it("json and sarif: `##[` is written as `#\\u0023[` (the same JSON), and no line starts with `::`", () => {
    const dir = project({ "flake.nix": MALICIOUS });
    for (const format of ["json", "sarif"]) {
      const r = cli(["--format", format], { cwd: dir });
      expect(workflowCommands(r.stdout), format).toEqual([]);
      expect(JSON.parse(r.stdout)).toBeTruthy();
    }
    // the diff in the JSON still says `##[`
    expect(JSON.parse(cli(["--format", "json"], { cwd: dir }).stdout)[0].diff).toContain("##[add-mask]secret1");
  });
});

describe("--format sarif", () => {
  it("is SARIF 2.1.0 with the shape code scanning requires", () => {
    const dir = project({ "my flake/flake.nix": EXAMPLE, "d/flake.nix": DOCKER, "ok/flake.nix": MIGRATED });
    const r = cli(["--format", "sarif", "."], { cwd: dir });
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(validate(log, SARIF_SUBSET)).toEqual([]);
    const run = log.runs[0];
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8"));
    expect(run.tool.driver.name).toBe("nixgen-migrate");
    expect(run.tool.driver.version).toBe(pkg.version);
    const ids = run.tool.driver.rules.map((x: { id: string }) => x.id);
    for (const id of Object.keys(RULES)) expect(ids).toContain(id);
    for (const res of run.results) {
      expect(ids).toContain(res.ruleId);
      expect(run.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
    }
    const uris = new Set(run.results.map((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.locations[0]!.physicalLocation.artifactLocation.uri));
    expect([...uris].sort()).toEqual(["d/flake.nix", "my%20flake/flake.nix"]);
    const docker = run.results.find((x: { ruleId: string }) => x.ruleId === "unsupported-format");
    expect(docker.level).toBe("error");
    expect(docker.locations[0].physicalLocation.region).toEqual({ startLine: 17, startColumn: 9, endLine: 17, endColumn: expect.any(Number) });
    expect(run.results.filter((x: { ruleId: string }) => x.ruleId === "needs-migration")).toHaveLength(2);
  });

  it("an empty run is still a valid log", () => {
    const r = cli(["--format", "sarif", "."], { cwd: project({ "flake.nix": MIGRATED }) });
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout);
    expect(validate(log, SARIF_SUBSET)).toEqual([]);
    expect(log.runs[0].results).toEqual([]);
  });

  it("the validator catches what upload-sarif rejects", () => {
    const bad = { version: "2.0.0", runs: [{ tool: { driver: { name: "x", rules: [] } }, results: [{ ruleId: "r", level: "fatal", message: {}, locations: [{ physicalLocation: { artifactLocation: { uri: "/abs/path" }, region: { startLine: 0 } } }] }] }] };
    expect(validate(bad, SARIF_SUBSET).length).toBeGreaterThanOrEqual(6);
  });
});

describe("start-up cost", () => {
  it("keeps yargs, the reporters, the diff and the walker out of what the CLI loads at start-up", () => {
    const bundle = join(import.meta.dirname, "..", "dist", "bundle");
    // cli.cjs and the chunks it requires at its top level, transitively
    const loaded = new Map<string, string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      const code = readFileSync(join(bundle, file), "utf8");
      loaded.set(file, code);
      for (const m of code.matchAll(/^(?:const|let|var) \w+ = require\("\.\/([^"]+)"\);$/gm)) visit(m[1]!);
    };
    visit("cli.cjs");
    expect([...loaded.keys()].some((f) => /yargs|github|sarif|json|diff|walk|pool/.test(f))).toBe(false);
    const code = [...loaded.values()].join("\n");
    expect(code).not.toContain("GITHUB_STEP_SUMMARY");
    expect(code).not.toContain("string-width");
    // the CLI, the engine and the passes with their rules' explanations (the module walk and the module passes'
    // folders among them); yargs alone would add ~210 kB
    expect(Buffer.byteLength(code)).toBeLessThan(560_000);
  });
});
