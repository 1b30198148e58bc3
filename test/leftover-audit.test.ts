// No silent leftover (rule B): every fixture's migrated tree goes through the
// CLI again, as a user's dry run over the repository would, and every reference
// to nixos-generators still in code (scripts/lib/leftovers.mjs: nixosGenerate,
// the input, the nixos-generate command, formatConfigs, config.formats,
// formatAttr/fileExtension) must carry a finding on its line, or be in a file
// whose error or warning says why it was left.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cli } from "./helpers/cli.js";
import { loadFixtures } from "./helpers/fixtures.js";
// @ts-expect-error a plain ES module of the real-repositories harness (checked with @ts-check)
import { audit } from "../scripts/lib/leftovers.mjs";

interface Reference {
  file: string;
  line: number;
  text: string;
  kinds: string[];
}

/** The options a fixture runs with, as command-line flags (the same for its second run). */
function flagsOf(options: { host?: string; parity?: boolean; allowOldNixpkgs?: boolean }): string[] {
  return [
    ...(options.host !== undefined ? ["--host", options.host] : []),
    ...(options.parity ? ["--parity"] : []),
    ...(options.allowOldNixpkgs ? ["--allow-old-nixpkgs"] : []),
  ];
}

const root = mkdtempSync(join(tmpdir(), "nixgen-leftovers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Per group of fixtures with the same flags: the migrated files, and the dry run's JSON over all of them. */
const groups = new Map<string, { flags: string[]; dir: string; files: { path: string; text: string }[]; report: unknown[] }>();

beforeAll(() => {
  for (const f of loadFixtures()) {
    const flags = flagsOf(f.options);
    const key = flags.join(" ");
    let g = groups.get(key);
    if (!g) {
      g = { flags, dir: join(root, `run-${groups.size}`), files: [], report: [] };
      groups.set(key, g);
    }
    // each fixture in its own directory; a file the migration did not change keeps its input text
    const base = f.name.replace("/", "__");
    for (const [path, input] of f.inputs) {
      const text = f.expected.get(path) ?? input;
      const file = join(g.dir, base, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      g.files.push({ path: `${base}/${path}`, text });
    }
  }
  for (const g of groups.values()) {
    // the walk would skip a tree under a .gitignore'd name; there is none here
    const r = cli(["--format", "json", "--no-gitignore", ...g.flags, "."], { cwd: g.dir });
    if (r.code === 2 && !r.stdout.startsWith("[")) throw new Error(`the dry run failed: ${r.stderr}`);
    g.report = JSON.parse(r.stdout);
  }
}, 120_000);

describe("leftover audit over every fixture's output", () => {
  it("every remaining reference to nixos-generators in code has a finding on its line or an explained file", () => {
    const silent: string[] = [];
    let references = 0;
    for (const g of groups.values()) {
      const result = audit(g.files, g.report) as { references: Reference[]; silent: Reference[] };
      references += result.references.length;
      // A fixture that migrated only some files (its primaries) leaves the rest to this run: the user sees
      // those as a diff, which is not silent. (A tree after `--write .` has no such file: a second run changes nothing.)
      const changed = new Set((g.report as { path: string; changed: boolean }[]).filter((f) => f.changed).map((f) => f.path));
      for (const r of result.silent) if (!changed.has(r.file)) silent.push(`${r.file}:${r.line} [${r.kinds.join(",")}] ${r.text.trim()}`);
    }
    // the audit sees the fixtures: most keep something that must be pointed at (errors, kept inputs, scripts)
    expect(references).toBeGreaterThan(100);
    expect(silent).toEqual([]);
  });
});
