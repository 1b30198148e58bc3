// The generated documentation matches the data, and every rule has a fixture that shows it.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fillGenerated, readmeBlocks, rulesDocument } from "../src/docs.js";
import { RULES } from "../src/rules.js";
import { loadFixtures } from "./helpers/fixtures.js";

const root = join(import.meta.dirname, "..");
const HINT = "run `npm run docs` and commit the result";

describe("generated docs", () => {
  it(`docs/rules.md is generated from the pass declarations (${HINT})`, () => {
    expect(readFileSync(join(root, "docs", "rules.md"), "utf8")).toBe(rulesDocument());
  });

  it(`README.md's format and rule tables are generated from the data (${HINT})`, () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(fillGenerated(readme, readmeBlocks())).toBe(readme);
  });

  it("every rule has at least one fixture whose findings show it", () => {
    const seen = new Set<string>();
    for (const f of loadFixtures()) for (const line of (f.expectedFindings ?? "").split("\n")) seen.add(line.split(" ")[2] ?? "");
    // Not expressible as files in a folder: internal-error is a bug by definition (test/engine.test.ts forces it with a
    // failing pass); an unreadable file and a link out of the repository are made by test/bad-input.test.ts and
    // test/security.test.ts.
    const elsewhere = new Set(["internal-error", "file-unreadable", "outside-repository"]);
    const missing = Object.keys(RULES).filter((id) => !seen.has(id) && !elsewhere.has(id));
    expect(missing).toEqual([]);
  });
});
