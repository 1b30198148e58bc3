/**
 * leftover-references: every line of code that still names nixos-generators
 * after the other passes gets a warning, unless another finding covers it (the
 * engine drops a `fallback` rule's finding then: see src/engine.ts). Comments
 * and strings are text, not uses: a description or a URL is left alone.
 */
import { meta, type Rule } from "./leftover-references.meta.js";
import type { PassOutput, RawFinding, Transform } from "../src/types.js";
import type { SyntaxNode } from "../src/parse.js";
import { generatorsView } from "../src/nix/generators.js";
import { LineIndex } from "../src/text.js";

/** Tokens that are nixos-generators' own names (the input's name is added per file). */
const NAMES = new Set(["nixosGenerate", "formatConfigs", "formatAttr", "nixos-generate", "nixos-generators"]);

export const leftoverReferences: Transform<typeof meta.rules> = {
  id: "leftover-references",
  ...meta,
  appliesTo: (path) => path.endsWith(".nix"),
  needles: ["nixosGenerate", "nixos-generat", "formatConfigs", "config.formats", "formatAttr"],
  input: "nix",
  run(ctx): PassOutput<Rule> {
    const src = ctx.text;
    const root = ctx.file!.root;
    const names = new Set(NAMES);
    const input = generatorsView(src, root, ctx.path, ctx.project)?.name;
    if (input) names.add(input);
    const findings: RawFinding<Rule>[] = [];
    let lastLine = -1;
    const lines = new LineIndex(src);
    // leaves in document order, outside comments and string contents
    const stack: SyntaxNode[] = [root];
    const leaves: SyntaxNode[] = [];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === "comment" || n.type === "string_fragment" || n.type === "indented_string_fragment") continue;
      if (n.children.length === 0) leaves.push(n);
      else for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i]!;
      const text = src.slice(leaf.start, leaf.end);
      // `config.formats`: all-formats' option read
      const formatsRead = text === "formats" && i >= 2 && src.slice(leaves[i - 2]!.start, leaves[i - 2]!.end) === "config" && src.slice(leaves[i - 1]!.start, leaves[i - 1]!.end) === ".";
      if (!names.has(text) && !formatsRead) continue;
      const line = lines.position(leaf.start).line;
      if (line === lastLine) continue;
      lastLine = line;
      const what = formatsRead ? "`config.formats`" : `\`${text}\``;
      findings.push({
        rule: "reference-left",
        message: `${what} still names nixos-generators here and nothing migrated it: nixos-generators is retired; replace this use by hand or remove it (\`nixgen-migrate --explain reference-left\`)`,
        start: leaf.start,
        end: leaf.end,
      });
    }
    return { edits: [], findings };
  },
};
