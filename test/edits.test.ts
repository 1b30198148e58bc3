// src/edits.ts: edits as data, applied losslessly; offsets of an edited text mapped back.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applyEdits, mapOffsetBack, OverlappingEditsError, sortEdits, type TextEdit } from "../src/edits.js";

const edit = (start: number, end: number, text: string): TextEdit => ({ start, end, text });

describe("sortEdits", () => {
  it("orders by start, then end, and keeps the order of insertions at one offset", () => {
    const a = edit(5, 5, "a");
    const b = edit(5, 5, "b");
    const r = edit(5, 8, "r");
    const first = edit(0, 2, "x");
    expect(sortEdits([r, a, first, b])).toEqual([first, a, b, r]);
    // the input is not changed
    const input = [r, a];
    sortEdits(input);
    expect(input).toEqual([r, a]);
  });

  it("rejects overlapping edits, and accepts touching ones", () => {
    expect(() => sortEdits([edit(0, 4, ""), edit(3, 6, "")])).toThrow(OverlappingEditsError);
    expect(() => sortEdits([edit(0, 4, ""), edit(2, 2, "inside")])).toThrow(/overlapping edits \[0,4\) and \[2,2\)/);
    expect(() => sortEdits([edit(0, 4, ""), edit(4, 6, ""), edit(4, 4, "at the end")])).not.toThrow();
  });
});

describe("applyEdits", () => {
  it("changes only what the edits cover: comments, CRLF, a BOM and non-ASCII text stay", () => {
    const src = "\ufeff# café 😀\r\n{ a = 1; /* keep */ b = 2; }\r\n";
    const one = src.indexOf("1");
    const two = src.indexOf("2");
    const out = applyEdits(src, [edit(two, two + 1, "20"), edit(one, one + 1, "\"é\"")]);
    expect(out).toBe("\ufeff# café 😀\r\n{ a = \"é\"; /* keep */ b = 20; }\r\n");
    expect(applyEdits(src, [])).toBe(src);
  });

  it("refuses an edit outside the text", () => {
    expect(() => applyEdits("abc", [edit(2, 4, "x")])).toThrow(/outside the text \(length 3\)/);
    expect(() => applyEdits("abc", [edit(-1, 0, "x")])).toThrow(/outside the text/);
  });

  it("inserts at the same offset in the order given", () => {
    expect(applyEdits("ab", [edit(1, 1, "1"), edit(1, 1, "2"), edit(1, 2, "B")])).toBe("a12B");
  });
});

describe("mapOffsetBack", () => {
  it("maps offsets after, before and inside replaced text to the text before the edits", () => {
    const src = "let x = 1; in x";
    const edits = sortEdits([edit(8, 9, "100"), edit(0, 0, "# new\n")]);
    const out = applyEdits(src, edits);
    expect(out).toBe("# new\nlet x = 100; in x");
    // the final `x`
    expect(mapOffsetBack(out.lastIndexOf("x"), edits)).toBe(src.lastIndexOf("x"));
    // `let`, after the inserted comment
    expect(mapOffsetBack(out.indexOf("let"), edits)).toBe(0);
    // inside the inserted comment and inside "100": the start of what they replaced
    expect(mapOffsetBack(2, edits)).toBe(0);
    expect(mapOffsetBack(out.indexOf("00"), edits)).toBe(8);
    // the end of the text
    expect(mapOffsetBack(out.length, edits)).toBe(src.length);
  });

  it("is the inverse of the edits on every untouched character (property)", () => {
    const arb = fc
      .string({ minLength: 1, maxLength: 40 })
      .chain((src) =>
        fc
          .uniqueArray(fc.nat(src.length), { maxLength: 8 })
          .map((cuts) => cuts.sort((a, b) => a - b))
          .chain((cuts) =>
            fc.tuple(
              fc.constant(src),
              fc.array(fc.string({ maxLength: 5 }), { minLength: Math.floor(cuts.length / 2), maxLength: Math.floor(cuts.length / 2) }).map((texts) => {
                // pairs of cuts are the ranges replaced
                const edits: TextEdit[] = [];
                for (let i = 0; i + 1 < cuts.length; i += 2) edits.push(edit(cuts[i]!, cuts[i + 1]!, texts[i / 2]!));
                return edits;
              }),
            ),
          ),
      );
    fc.assert(
      fc.property(arb, ([src, edits]) => {
        const sorted = sortEdits(edits);
        const out = applyEdits(src, sorted);
        // where the inserted texts are in the output
        const inserted: [number, number][] = [];
        let delta = 0;
        for (const e of sorted) {
          const at = e.start + delta;
          inserted.push([at, at + e.text.length]);
          delta += e.text.length - (e.end - e.start);
        }
        for (let o = 0; o < out.length; o++) {
          if (inserted.some(([a, b]) => o >= a && o < b)) continue;
          expect(out[o]).toBe(src[mapOffsetBack(o, sorted)]);
        }
      }),
    );
  });
});
