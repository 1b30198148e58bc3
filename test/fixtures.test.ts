// Every fixture gets the same checks (prettier-style): expected output and
// findings, idempotence, CRLF and BOM variants, and Nix's own parser as an
// oracle for every .nix output.
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../src/index.js";
import { formatFindings, loadFixtures, runProject, updateFixture, type Fixture } from "./helpers/fixtures.js";
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
    expect(formatFindings(result.findings)).toBe(UPDATE ? formatFindings(result.findings) : (fx.expectedFindings ?? ""));
  });

  it("is idempotent: a second run changes nothing", () => {
    const { after } = afterTexts(fx);
    const again = runProject(after, fx.primary, fx.options);
    expect(again.files.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
  });

  it("keeps CRLF line endings and a BOM", () => {
    if (fx.kind !== "file") return;
    const path = fx.primary[0]!;
    const input = fx.inputs.get(path)!;
    const expectedOut = fx.expected.get(path) ?? input;
    const base = runProject(fx.inputs, fx.primary, fx.options);
    const crlf = runProject(new Map([[path, toCrlf(input)]]), fx.primary, fx.options);
    expect(crlf.files[0]!.after).toBe(toCrlf(expectedOut));
    expect(formatFindings(crlf.findings)).toBe(formatFindings(base.findings));
    const bom = runProject(new Map([[path, "\ufeff" + input]]), fx.primary, fx.options);
    expect(bom.files[0]!.after).toBe("\ufeff" + expectedOut);
    expect(formatFindings(bom.findings)).toBe(formatFindings(base.findings));
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
