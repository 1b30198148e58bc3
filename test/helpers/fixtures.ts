// Golden-file fixtures: fixtures/<transform>/<case>/ holds
//   input.<ext> + output.<ext>   one file (output missing = no change expected), or
//   input/ + output/             a small project (output/ lists only changed files)
//   findings.txt                 expected findings, one per line: `path:line:col severity rule message`
//                                (under fixtures/<pass>/: that pass's and the engine's notes, and every
//                                warning and error; under fixtures/_all/: every finding)
//   options.json                 optional MigrateOptions, plus "primary": [paths] for projects
// UPDATE_FIXTURES=1 rewrites output and findings.txt from what the tool does.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import type { Finding, MigrateOptions } from "../../src/types.js";
import { migrateFiles } from "../../src/migrate.js";
import type { ProjectResult } from "../../src/engine.js";
import { ENGINE_RULES } from "../../src/rules.js";
import { TRANSFORMS } from "../../transforms/index.js";

export const FIXTURES_ROOT = join(import.meta.dirname, "..", "..", "fixtures");

export interface Fixture {
  /** `<transform>/<case>` */
  readonly name: string;
  readonly dir: string;
  readonly kind: "file" | "project";
  /** Single file: its name inside the project (e.g. flake.nix); project: primary paths. */
  readonly primary: string[];
  readonly options: MigrateOptions & { primary?: string[] };
  /** path -> text of the input project. */
  readonly inputs: Map<string, string>;
  /** path -> expected text for files that change. */
  readonly expected: Map<string, string>;
  readonly expectedFindings: string | null;
}

/** Every file below `dir` (path relative to it, forward slashes) -> text; `skip` names files to leave out. */
export function readTree(dir: string, skip: (name: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!skip(name)) out.set(relative(dir, p).split("\\").join("/"), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

export function loadFixtures(): Fixture[] {
  const out: Fixture[] = [];
  if (!existsSync(FIXTURES_ROOT)) return out;
  for (const transform of readdirSync(FIXTURES_ROOT).sort()) {
    const tdir = join(FIXTURES_ROOT, transform);
    if (!statSync(tdir).isDirectory()) continue;
    for (const c of readdirSync(tdir).sort()) {
      const dir = join(tdir, c);
      if (!statSync(dir).isDirectory()) continue;
      const optionsFile = join(dir, "options.json");
      const options = existsSync(optionsFile) ? JSON.parse(readFileSync(optionsFile, "utf8")) : {};
      const findingsFile = join(dir, "findings.txt");
      const expectedFindings = existsSync(findingsFile) ? readFileSync(findingsFile, "utf8") : null;
      if (existsSync(join(dir, "input")) && statSync(join(dir, "input")).isDirectory()) {
        const inputs = readTree(join(dir, "input"));
        const expected = existsSync(join(dir, "output")) ? readTree(join(dir, "output")) : new Map();
        out.push({ name: `${transform}/${c}`, dir, kind: "project", primary: options.primary ?? ["flake.nix"], options, inputs, expected, expectedFindings });
        continue;
      }
      const inputName = readdirSync(dir).find((f) => f.startsWith("input."));
      if (!inputName) continue;
      const ext = inputName.slice("input".length);
      const path = options.path ?? (ext === ".nix" ? "flake.nix" : `file${ext}`);
      const inputs = new Map([[path, readFileSync(join(dir, inputName), "utf8")]]);
      const outFile = join(dir, `output${ext}`);
      const expected = existsSync(outFile) ? new Map([[path, readFileSync(outFile, "utf8")]]) : new Map<string, string>();
      out.push({ name: `${transform}/${c}`, dir, kind: "file", primary: [path], options: { ...options, path }, inputs, expected, expectedFindings });
    }
  }
  return out;
}

export function runProject(inputs: Map<string, string>, primary: string[], options: MigrateOptions): ProjectResult {
  const dirs = new Set<string>();
  for (const p of inputs.keys()) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  return migrateFiles(primary, { read: (p) => inputs.get(p.replace(/^\.\//, "")), isDirectory: (p) => dirs.has(p.replace(/^\.\//, "").replace(/\/$/, "")), inside: (p) => !p.startsWith("../") && !p.startsWith("/") }, options);
}

export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.path}:${f.start.line}:${f.start.column} ${f.severity} ${f.rule} ${f.message}\n`).join("");
}

/** Fixtures of the whole pipeline keep every finding; a pass's fixtures show what the case is about. */
export const ALL_PASSES = "_all";

/**
 * The findings a fixture records: in fixtures/<pass>/, the pass's own findings
 * and the engine's, plus every warning and error (notes of the other passes
 * live in their own fixtures, so rewording one changes only those); in
 * fixtures/_all/, all of them.
 */
export function shownFindings(fx: Fixture, findings: readonly Finding[]): Finding[] {
  const folder = fx.name.slice(0, fx.name.indexOf("/"));
  if (folder === ALL_PASSES) return [...findings];
  const pass = TRANSFORMS.find((t) => t.id === folder);
  if (!pass) throw new Error(`fixtures/${folder}: no pass of that name (whole-pipeline cases go in fixtures/${ALL_PASSES}/)`);
  return findings.filter((f) => f.severity !== "note" || Object.hasOwn(pass.rules, f.rule) || Object.hasOwn(ENGINE_RULES, f.rule));
}

/** Writes the tool's current behaviour as the fixture's expectation (UPDATE_FIXTURES=1). */
export function updateFixture(fx: Fixture, result: ProjectResult) {
  writeFileSync(join(fx.dir, "findings.txt"), formatFindings(shownFindings(fx, result.findings)));
  if (fx.kind === "file") {
    const inputName = readdirSync(fx.dir).find((f) => f.startsWith("input."))!;
    const outFile = join(fx.dir, "output" + inputName.slice("input".length));
    const file = result.files.find((f) => f.path === fx.primary[0])!;
    if (file.changed) writeFileSync(outFile, file.after);
    else rmSync(outFile, { force: true });
    return;
  }
  const outDir = join(fx.dir, "output");
  rmSync(outDir, { recursive: true, force: true });
  for (const f of result.files) {
    if (!f.changed) continue;
    const p = join(outDir, f.path);
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, f.after);
  }
}
