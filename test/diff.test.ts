// The unified diff: applies back to the new text (jsdiff and git apply), with
// CRLF, missing final newlines, new files and non-ASCII lines.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applyPatch } from "diff";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unifiedDiff } from "../src/report/diff.js";

const line = fc.constantFrom("a", "b", "c", "{", "}", "  x = 1;", "é😀", "a\r", "");
const text = fc.tuple(fc.array(line, { maxLength: 40 }), fc.boolean()).map(([ls, nl]) => ls.join("\n") + (nl && ls.length ? "\n" : ""));

describe("unifiedDiff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("f.nix", "a\nb\n", "a\nb\n")).toBe("");
  });

  it("round-trips through jsdiff's applyPatch for any pair of texts", () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const d = unifiedDiff("f.nix", a, b);
        if (a === b) return d === "";
        return applyPatch(a, d) === b;
      }),
      { numRuns: 500 },
    );
  });

  it("is accepted by git apply (CRLF, no final newline, non-ASCII, new file)", () => {
    const dir = mkdtempSync(join(tmpdir(), "nixgen-diff-"));
    try {
      spawnSync("git", ["init", "-q"], { cwd: dir });
      const cases: [string, string | undefined, string][] = [
        ["crlf.nix", "a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n"],
        ["noeol.nix", "a\nb", "a\nb\nc"],
        ["utf8 é.nix", "# café\nx = 1;\n", "# café 😀\nx = 2;\n"],
        ["new.nix", undefined, "{ }\n"],
      ];
      for (const [name, before, after] of cases) {
        if (before !== undefined) writeFileSync(join(dir, name), before);
        const r = spawnSync("git", ["apply", "-"], { cwd: dir, input: unifiedDiff(name, before, after), encoding: "utf8" });
        expect(r.stderr, name).toBe("");
        expect(readFileSync(join(dir, name), "utf8"), name).toBe(after);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes hunks like git: 3 lines of context, separate hunks for distant changes", () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n") + "\n";
    const b = a.replace("line 2\n", "LINE 2\n").replace("line 17\n", "LINE 17\n");
    expect(unifiedDiff("f", a, b)).toBe(
      "diff --git a/f b/f\n--- a/f\n+++ b/f\n" +
        "@@ -1,6 +1,6 @@\n line 0\n line 1\n-line 2\n+LINE 2\n line 3\n line 4\n line 5\n" +
        "@@ -15,6 +15,6 @@\n line 14\n line 15\n line 16\n-line 17\n+LINE 17\n line 18\n line 19\n",
    );
  });
});
