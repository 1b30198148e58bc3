// parseNix builds its JS tree with fewer calls into wasm (type name and
// "named" from the type id; MISSING looked up only in trees with errors).
// This checks it against the straightforward cursor walk it replaced, node by
// node, on the fixtures, the examples, generated flakes and modules, and
// broken inputs.
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Language, Parser, type Tree } from "web-tree-sitter";
import { init, grammarPath } from "../src/index.js";
import { parseNix, syntaxErrorOf, type SyntaxNode } from "../src/parse.js";
import { nixParse } from "./helpers/nix.js";
// @ts-expect-error plain JS module of the benches
import { generatorsFlake, ordinaryModule, configurationModule } from "../bench/lib/tree.mjs";

type Plain = [string, number, number, boolean, string | null, Plain[]];

/** The conversion parseNix used before, as plain nested arrays. */
function reference(tree: Tree, text: string): { root: Plain; error: { offset: number; message: string } | null } {
  const cursor = tree.walk();
  let error: { offset: number; message: string } | null = null;
  const make = (): Plain => {
    const type = cursor.nodeType;
    let end = cursor.endIndex;
    if (type === "comment" && text.charCodeAt(end - 1) === 13) end--;
    const start = cursor.startIndex;
    if (!error) {
      if (cursor.nodeIsMissing) error = { offset: start, message: `missing ${JSON.stringify(type)}` };
      else if (type === "ERROR") {
        const snippet = text.slice(start, Math.min(end, start + 20)).split("\n")[0];
        error = { offset: start, message: snippet ? `unexpected ${JSON.stringify(snippet)}` : "syntax error" };
      }
    }
    return [type, start, end, cursor.nodeIsNamed, cursor.currentFieldName, []];
  };
  const root = make();
  const stack = [root];
  if (cursor.gotoFirstChild()) {
    for (;;) {
      const child = make();
      stack.at(-1)![5].push(child);
      if (cursor.gotoFirstChild()) {
        stack.push(child);
        continue;
      }
      let done = false;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          done = true;
          break;
        }
        stack.pop();
      }
      if (done) break;
    }
  }
  cursor.delete();
  return { root, error };
}

function plain(n: SyntaxNode): Plain {
  return [n.type, n.start, n.end, n.named, n.field, n.children.map(plain)];
}

function corpus(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".nix")) out.push([p, readFileSync(p, "utf8")]);
    }
  };
  walk(join(import.meta.dirname, "..", "fixtures"));
  walk(join(import.meta.dirname, "..", "examples"));
  for (let i = 0; i < 40; i++) out.push([`generated flake ${i}`, generatorsFlake(i)], [`module ${i}`, ordinaryModule(i)], [`configuration ${i}`, configurationModule(i)]);
  const base = generatorsFlake(7);
  out.push(
    ["missing semicolon", base.replace('format = "', 'format "')],
    ["missing brace", base.slice(0, -3)],
    ["stray token", "{ a = 1; } }"],
    ["unexpected", "{ a = ; }"],
    ["empty", ""],
    ["crlf comments", "# a\r\n{ # b\r\n  a = 1; # c\r\n}\r\n"],
    ["bom", "\ufeff{ a = 1; }\n"],
    ["pipe operator", "[ 1 2 ] |> builtins.length"],
    ["non-ascii", '# café 😀\n{ x = "é😀"; y = f 1; }\n'],
  );
  return out;
}

let parser: Parser;
beforeAll(async () => {
  await init();
  parser = new Parser();
  parser.setLanguage(await Language.load(readFileSync(grammarPath())));
});

describe("parseNix's tree conversion", () => {
  it("gives exactly the nodes, fields and first error of the plain cursor walk", () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThan(120);
    let withErrors = 0;
    for (const [name, text] of cases) {
      const ours = parseNix(text);
      // the same text parseNix gave tree-sitter (trailing commas in formals blanked)
      const tree = parser.parse(ours.parsedText)!;
      const ref = reference(tree, ours.parsedText);
      tree.delete();
      expect(plain(ours.root), name).toEqual(ref.root);
      expect(ours.error, name).toEqual(ref.error);
      if (ref.error) withErrors++;
    }
    expect(withErrors).toBeGreaterThanOrEqual(5);
  });
});

describe("trailing commas in formals (nixfmt), which tree-sitter-nix 0.0.2 does not know", () => {
  const blanks = (source: string, parsed: string) => [...source].flatMap((ch, i) => (ch !== parsed[i] ? [i] : []));
  it("are accepted in formals only, and only they are blanked for the parser", () => {
    const cases: [string, string[]][] = [
      ["{ a, b, }: a", ["b, "]],
      ['{\n  a,\n  b, # last\n}: "x,}"', ["b, "]],
      ['# a, }\n{ a, /* c, } */ }: a + "y, }"', ["a, /"]],
      ["{ a, }: { b, }: a", ["a, ", "b, "]],
    ];
    expect(nixParse(cases.map(([source]) => source)).map((r) => r.kind)).toEqual(cases.map(() => "ok"));
    for (const [source, commas] of cases) {
      const ours = parseNix(source);
      expect(ours.error, source).toBeNull();
      expect(syntaxErrorOf(source), source).toBeNull();
      expect(blanks(source, ours.parsedText), source).toEqual(commas.map((c) => source.indexOf(c) + 1));
    }
  });
  it("are a syntax error anywhere else, as in Nix", () => {
    const bad = ["{ a = 1, }", "[ 1, ]", "{ a, b, }: { c = 1, }", "let f = 1; in f { a, }"];
    expect(nixParse(bad).map((r) => r.kind)).toEqual(bad.map(() => "syntax"));
    for (const source of bad) {
      expect(parseNix(source).error, source).not.toBeNull();
      expect(syntaxErrorOf(source), source).not.toBeNull();
    }
  });
});

describe("keywords where a name belongs (the grammar takes them, Nix does not)", () => {
  // past 32 keyword words the check reads every identifier instead of asking about each word
  const many = "let a = 1; in ".repeat(40);
  const bad = ["{ inputs.with.url = 1; }", "{ inherit (x) if; }", "{ pkgs,if }: 1", "{ } @ in: 1", "x: x.let", "{ a = { }.rec; }", `${many}{ x.with = 1; }`];
  const good = ["let a = 1; in a", '{ a."with" = 1; } # with', "{ a.or = 1; b = x: x.or; }", 'if true then "in" else assert true; with { }; rec { }', "{ inherit ({ inherits = 1; }) inherits; y.iff = 1; y.in-x = 2; }", `${many}a`];
  it("`or`: a name in attribute paths and inherit, a variable only as the argument right after a simple expression", () => {
    // each checked against nix-instantiate --parse (Nix 2.8): the good ones parse (some then fail as "undefined variable 'or'")
    const orBad = ["x: or", "[ or ]", "{ a = or; }", "or x", "f (or)", "f or or", "map or (or)", "f x.y or", "[ x.y or ]", "[ f or or ]", "(or: 1)", "({ or ? 1 }: 1)", "({ ... }@or: 1)", "let or = 1; in or", `${many}[ or ]`];
    const orGood = ["map or [ ]", "f or", "f x or", "(f or)", "[ f or ]", "[ (f) or ]", "x.or", "x.or or 1", "x.a or 1", "let or = 1; in 1", "{ inherit (x) or; }", "x ? or", "f ./a or", `${many}x.or`];
    const wrap = (body: string) => `let f = 1; x = 1; map = 1; in ${body}`;
    // Nix's own verdicts: the good ones parse, or fail only as "undefined variable 'or'" (not a syntax error)
    expect(nixParse(orBad.map(wrap)).map((r) => r.kind)).toEqual(orBad.map(() => "syntax"));
    expect(nixParse(orGood.map(wrap)).filter((r) => r.kind === "syntax").map((r) => r.error)).toEqual([]);
    for (const body of orBad) {
      const text = wrap(body);
      const e = syntaxErrorOf(text);
      expect(e, body).not.toBeNull();
      expect(parseNix(text).error, body).toEqual(e);
    }
    for (const body of orGood) {
      const text = wrap(body);
      expect(syntaxErrorOf(text), body).toBeNull();
      expect(parseNix(text).error, body).toBeNull();
    }
  });
  it("syntaxErrorOf and parseNix report each at the keyword, and accept what Nix accepts", () => {
    for (const text of bad) {
      const e = syntaxErrorOf(text);
      expect(e, text).not.toBeNull();
      expect(e!.message, text).toMatch(/^the keyword "\w+" where a name belongs/);
      expect(parseNix(text).error, text).toEqual(e);
    }
    for (const text of good) {
      expect(syntaxErrorOf(text), text).toBeNull();
      expect(parseNix(text).error, text).toBeNull();
    }
  });
});
