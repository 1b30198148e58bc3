// Nix string literals read as shell text (src/shell/nix-strings.ts): the
// decoded text and its offsets, and edits written back. Real Nix is the
// oracle: every literal written back must evaluate to the edited text.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { init } from "../src/index.js";
import { parseNix } from "../src/parse.js";
import { applyEdits, type TextEdit } from "../src/edits.js";
import { nixStringViews, placeEdits, type NixStringView } from "../src/shell/nix-strings.js";
import { requireNix } from "./helpers/nix.js";

beforeAll(async () => {
  await init();
});

function viewOf(source: string): NixStringView {
  const views = nixStringViews(source, parseNix(source).root, /./);
  expect(views.length).toBeGreaterThan(0);
  return views[0]!;
}

/** The value Nix gives each expression (`x` is bound to "X"), through one nix-instantiate call. */
function nixValues(exprs: readonly string[]): string[] {
  requireNix();
  const dir = mkdtempSync(join(tmpdir(), "nixgen-strings-"));
  try {
    const file = join(dir, "values.nix");
    writeFileSync(file, `let x = "X"; in [\n${exprs.map((e) => `(${e})`).join("\n")}\n]\n`);
    const r = spawnSync("nix-instantiate", ["--eval", "--strict", "--json", file], { encoding: "utf8", env: { ...process.env, NIX_REMOTE: "dummy://" } });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("decoding", () => {
  it("decodes an indented string's escapes and keeps interpolations, with file offsets", () => {
    const src = "{ a = ''\n  x ''${HOME} '''q''' ''\\n ${pkgs.hello} é\n''; }";
    const v = viewOf(src);
    expect(v.kind).toBe("indented");
    expect(v.text).toBe("\n  x ${HOME} ''q'' \n ${pkgs.hello} é\n");
    expect(v.masked).toBe("\n  x ${HOME} ''q'' \n ${__________} é\n");
    expect([...v.templates]).toEqual([[v.text.indexOf("${pkgs"), v.text.indexOf("${pkgs") + "${pkgs.hello}".length]]);
    // `$` of `''${` starts where the escape does; the second quote of `'''` is no boundary
    const dollar = v.text.indexOf("${HOME}");
    expect(src.slice(v.sourceAt(dollar), v.sourceAt(dollar + 1))).toBe("''$");
    const q = v.text.indexOf("''q");
    expect(v.boundary(q)).toBe(true);
    expect(v.boundary(q + 1)).toBe(false);
    expect(v.sourceAt(v.text.length)).toBe(src.lastIndexOf("''"));
  });

  it("decodes a double-quoted string's escapes", () => {
    const v = viewOf('{ a = "say \\"hi\\" \\${x} ${x}\\n"; }');
    expect(v.kind).toBe("double");
    expect(v.text).toBe('say "hi" ${x} ${x}\n');
    expect(v.templates.size).toBe(1);
  });

  it("tells scripts from builders, programs, prose and references", () => {
    const src = `{
      a = pkgs.writeShellScript "a" "nixos-generate -f iso";
      b = pkgs.runCommand "b" { } "nixos-generate -f iso";
      c.buildPhase = "nixos-generate -f iso";
      d.program = "\${pkgs.nixos-generators}/bin/nixos-generate";
      e.description = "uses nixos-generate";
      f.url = "github:nix-community/nixos-generators";
      g = throw "nixos-generate is gone";
      h = [ "nixos-generate -f iso" ];
    }`;
    const roles = nixStringViews(src, parseNix(src).root, /nixos-generat/).map((v) => `${v.role}:${v.roleName}`);
    expect(roles).toEqual(["script:writeShellScript", "builder:runCommand", "builder:buildPhase", "program:program", "prose:description", "reference:url", "prose:throw", "script:h"]);
  });
});

describe("writing edits back", () => {
  it("escapes what Nix would read otherwise, and copies interpolations as they are", () => {
    const src = "{ a = ''run ${cfg} now''; }";
    const v = viewOf(src);
    const at = v.text.indexOf(" now");
    const placed = placeEdits(v, src, [{ start: at, end: at, text: " ${HOME} '' ${cfg}" }]);
    expect("edits" in placed).toBe(true);
    const out = applyEdits(src, (placed as { edits: TextEdit[] }).edits);
    expect(out).toBe("{ a = ''run ${cfg} ''${HOME} ''' ${cfg} now''; }");
  });

  it("refuses an edit that splits an escape or an interpolation", () => {
    const src = "{ a = ''x ''' ${cfg} y''; }";
    const v = viewOf(src);
    const q = v.text.indexOf("''") + 1;
    expect(placeEdits(v, src, [{ start: q, end: q, text: "z" }])).toEqual({ reason: expect.stringMatching(/split/) });
    const inTpl = v.text.indexOf("cfg");
    expect("edits" in placeEdits(v, src, [{ start: inTpl, end: inTpl + 3, text: "other" }])).toBe(true);
    expect(placeEdits(v, src, [{ start: inTpl - 1, end: inTpl + 1, text: "q" }])).toEqual({ reason: expect.stringMatching(/split/) });
  });

  it("every literal it writes evaluates, in real Nix, to the edited text", () => {
    // one source line per literal: Nix strips the indentation of multi-line indented strings, which the decoded text keeps
    const INDENTED = ["a", " ", "nixos-generate", "''${", "'''", "''\\n", "''\\t", "$", "{", "}", "'", '"', "\\", "${x}", "é", "😀", "$${"];
    const DOUBLE = ["a", " ", "nixos-generate", "\\${", '\\"', "\\\\", "\\n", "$", "{", "}", "'", "''", "${x}", "é", "😀", "$${"];
    const INSERT = ["", "x", "${", "''", "'", '"', "\\", "$", "{", "}", "${x}", " -f iso", "é"];
    const literal = fc.oneof(
      fc.array(fc.constantFrom(...INDENTED), { maxLength: 12 }).map((a) => `''${a.join("")}''`),
      fc.array(fc.constantFrom(...DOUBLE), { maxLength: 12 }).map((a) => `"${a.join("")}"`),
    );
    const cases = fc.sample(fc.tuple(literal, fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.array(fc.constantFrom(...INSERT), { maxLength: 3 })), { minLength: 1, maxLength: 3 })), { numRuns: 600, seed: 1305 });
    const exprs: string[] = [];
    const expected: string[] = [];
    let placedCount = 0;
    for (const [lit, raw] of cases) {
      const src = `{ a = ${lit}; }`;
      const parsed = parseNix(src);
      if (parsed.error) continue;
      const v = viewOf(src);
      // only `x` is bound in the evaluation (the atoms can spell `${a}` too)
      if ([...v.templates].some(([s, e]) => v.text.slice(s, e) !== "${x}")) continue;
      // disjoint edits at offsets of the decoded text
      const edits: TextEdit[] = [];
      let last = -1;
      for (const [p, len, parts] of raw) {
        const start = v.text.length === 0 ? 0 : p % (v.text.length + 1);
        const end = Math.min(v.text.length, start + len);
        if (start <= last) continue;
        edits.push({ start, end, text: parts.join("") });
        last = end;
      }
      const placed = placeEdits(v, src, edits);
      if (!("edits" in placed)) continue;
      placedCount++;
      const out = applyEdits(src, placed.edits);
      expect(parseNix(out).error).toBeNull();
      // the written literal reads back as the edited text, with interpolations only where the text copies one …
      const again = viewOf(out);
      expect(again.text).toBe(applyEdits(v.text, edits));
      const mask = (t: string) => t.replaceAll("${x}", "${_}");
      expect(again.masked).toBe(applyEdits(v.masked, edits.map((e) => ({ ...e, text: v.templates.size ? mask(e.text) : e.text }))));
      // … and that reading is Nix's: its value, with the interpolations of x evaluated
      let value = "";
      let p = 0;
      for (const [s, e] of [...again.templates].sort((a, b) => a[0] - b[0])) {
        value += again.text.slice(p, s) + "X";
        p = e;
      }
      value += again.text.slice(p);
      exprs.push(out.slice("{ a = ".length, -"; }".length));
      expected.push(value);
    }
    expect(placedCount).toBeGreaterThan(200);
    // Nix strips an indented string's indentation and a blank last line, which the shell does not care about: spaces at line edges are not compared
    const edges = (v: string) => v.replace(/ *(\n|^|$) */g, "$1");
    expect(nixValues(exprs).map(edges)).toEqual(expected.map(edges));
  });
});
