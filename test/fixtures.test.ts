// Every fixture gets the same checks (prettier-style): expected output and
// findings, idempotence, CRLF and BOM variants, and Nix's own parser as an
// oracle for every .nix output.
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../src/index.js";
import { formatFindings, loadFixtures, runProject, shownFindings, updateFixture, type Fixture } from "./helpers/fixtures.js";
import { checkParseOracle, describeReport, type OracleText } from "./helpers/oracle.js";

const fixtures = loadFixtures();
const UPDATE = process.env.UPDATE_FIXTURES === "1";

beforeAll(async () => {
  await init();
});

function afterTexts(fx: Fixture) {
  const result = runProject(fx.inputs, fx.primary, fx.options);
  const after = new Map(fx.inputs);
  for (const f of result.files) if (f.changed) after.set(f.path, f.after);
  return { result, after };
}

const toCrlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

describe.each(fixtures.map((f) => [f.name, f] as const))("fixture %s", (_name, fx) => {
  it("produces the expected files and findings", () => {
    const { result } = afterTexts(fx);
    if (UPDATE) updateFixture(fx, result);
    const changed = new Map(result.files.filter((f) => f.changed).map((f) => [f.path, f.after]));
    expect([...changed.keys()].sort()).toEqual([...fx.expected.keys()].sort());
    for (const [path, text] of fx.expected) expect(changed.get(path), path).toBe(text);
    const shown = formatFindings(shownFindings(fx, result.findings));
    expect(shown).toBe(UPDATE ? shown : (fx.expectedFindings ?? ""));
  });

  it("is idempotent: a second run changes nothing", () => {
    const { after } = afterTexts(fx);
    const again = runProject(after, fx.primary, fx.options);
    expect(again.files.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
  });

  it("keeps CRLF line endings (every file) and a BOM (every .nix file)", () => {
    const base = runProject(fx.inputs, fx.primary, fx.options);
    const expectedOf = (path: string) => fx.expected.get(path) ?? fx.inputs.get(path);
    const bom = (path: string, text: string) => (path.endsWith(".nix") ? "\ufeff" + text : text);
    for (const [variant, apply] of [["CRLF", (_: string, t: string) => toCrlf(t)], ["BOM", bom]] as const) {
      const inputs = new Map([...fx.inputs].map(([p, t]) => [p, apply(p, t)]));
      const r = runProject(inputs, fx.primary, fx.options);
      for (const f of r.files) {
        const expected = expectedOf(f.path);
        if (expected !== undefined) expect(f.after, `${variant} ${f.path}`).toBe(apply(f.path, expected));
      }
      expect(formatFindings(r.findings), variant).toBe(formatFindings(base.findings));
    }
  });
});

describe("parse oracle on fixtures (nix-instantiate --parse)", () => {
  it("agrees with our parser on every .nix input and accepts every .nix output", async () => {
    const texts: OracleText[] = [];
    for (const fx of fixtures) {
      const { after, result } = afterTexts(fx);
      for (const [path, text] of fx.inputs) if (path.endsWith(".nix")) texts.push({ label: `${fx.name}: input ${path}`, text });
      for (const f of result.files) {
        if (f.changed && f.path.endsWith(".nix")) texts.push({ label: `${fx.name}: output ${f.path}`, text: after.get(f.path)!, from: f.before ?? "{ }" });
      }
    }
    const report = await checkParseOracle(texts);
    console.log(describeReport("fixtures", report));
    expect(report.problems).toEqual([]);
    expect(texts.length).toBeGreaterThan(0);
  });
});
