// No silent leftover (issue rule: after a run, a dry run points at every
// remaining reference to nixos-generators in the text this pass reads): the
// output of every nixos-generate-cli fixture goes through the pass again, and
// each line that still names nixos-generate(s) or config.formats.<f> must
// carry a finding, unless it is prose by the rules below, which look at the
// text itself, not at what the pass decided.
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../src/index.js";
import { parseNix } from "../src/parse.js";
import { migrateProject } from "../src/engine.js";
import { nixStringViews } from "../src/shell/nix-strings.js";
import { nixosGenerateCli } from "../transforms/nixos-generate-cli/index.js";
import { loadFixtures, runProject } from "./helpers/fixtures.js";

beforeAll(async () => {
  await init();
});

const REFERENCE = /nixos-generat(?:e(?!-config)|ors)|config\.formats\./;

/**
 * Lines people write for people: a comment, an echo/printf/log text, a name
 * (a recipe or rule target, a YAML label), Markdown prose and inline code
 * (the file then has one note for its prose).
 */
function prose(path: string, line: string, fileNotes: boolean): boolean {
  const at = line.search(REFERENCE);
  const before = line.slice(0, at);
  if (/(^|\s)#/.test(before) && !/\$\{?#|#\{/.test(before)) return true;
  if (/\b(echo|printf|log\w*)\s+["']/.test(before)) return true;
  if (/\b(grep|rg|test)\b/.test(before)) return true;
  if (/^[\w-]+:(\s|$)/.test(line) && !/^\s/.test(line) && /\.(just|mk)$|justfile|Makefile/.test(path)) return true;
  if (/^\s*-?\s*(name|description|body):/.test(line)) return true;
  if (/\.md$/.test(path) && fileNotes) return true;
  return false;
}

describe("nixos-generate-cli leaves nothing silent", () => {
  const fixtures = loadFixtures().filter((f) => f.name.startsWith("nixos-generate-cli/"));

  it.each(fixtures.map((f) => [f.name, f] as const))("%s", (_name, fx) => {
    const result = runProject(fx.inputs, fx.primary, fx.options);
    for (const [path, input] of fx.inputs) {
      if (!nixosGenerateCli.appliesTo(path)) continue;
      const text = result.files.find((f) => f.path === path && f.changed)?.after ?? input;
      const again = migrateProject([path], { read: (p) => (p === path ? text : undefined) }, fx.options, [nixosGenerateCli]);
      const flagged = new Set(again.findings.filter((f) => f.path === path).map((f) => f.start.line));
      const fileNotes = again.findings.some((f) => f.rule === "cli-doc-mention");
      // .nix files: only the contents of strings that hold commands are this pass's (Nix code is the other passes')
      const strings = path.endsWith(".nix") ? nixStringViews(text, parseNix(text).root, REFERENCE).filter((v) => v.role !== "prose" && v.role !== "reference") : null;
      const lines = text.split("\n");
      let offset = 0;
      const silent: string[] = [];
      // YAML: the lines of a label's block scalar (`body: |`) are prose too
      let label = -1;
      lines.forEach((line, i) => {
        const at = line.search(REFERENCE);
        const start = offset;
        offset += line.length + 1;
        const indent = line.length - line.trimStart().length;
        if (label >= 0 && line.trim() !== "" && indent <= label) label = -1;
        const opens = /^(\s*)-?\s*(name|description|body|message|notes):\s*[|>]/.exec(line);
        if (opens && /\.ya?ml$/.test(path)) {
          label = opens[1]!.length;
          return;
        }
        if (at < 0 || flagged.has(i + 1) || label >= 0 || prose(path, line, fileNotes)) return;
        if (strings && !strings.some((v) => v.contents.start <= start + at && start + at < v.contents.end)) return;
        silent.push(`${path}:${i + 1}: ${line.trim()}`);
      });
      expect(silent).toEqual([]);
    }
  });
});
