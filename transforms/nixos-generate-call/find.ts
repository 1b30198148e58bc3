// Phase 1: the nixosGenerate calls of a file, with their arguments.
import type { Rule } from "../nixos-generate-call.meta.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import { attrName, descendants, entries, field, fields, inheritedNames, outer, unparen } from "../../src/nix/ast.js";
import { finding, type ArgEntry, type Call, type CallFile } from "./model.js";

export function findCalls(file: CallFile): { calls: Call[]; findings: RawFinding<Rule>[] } {
  const calls: Call[] = [];
  const findings: RawFinding<Rule>[] = [];
  const isNixosGenerate = (node: SyntaxNode) => file.view.isGenerators(node, ["nixosGenerate"]);
  const seenFns = new Set<SyntaxNode>();
  for (const n of descendants(file.root)) {
    if (n.type !== "apply_expression") continue;
    const fn = field(n, "function");
    if (!fn || !isNixosGenerate(fn)) continue;
    seenFns.add(unparen(fn));
    const arg = field(n, "argument");
    const args = arg ? argumentSet(arg) : null;
    if (!args || args.type !== "attrset_expression") {
      findings.push(finding(n, "unmigratable-call", "the argument of nixosGenerate is not an attribute set literal; rewrite it as `<nixpkgs>.lib.nixosSystem { system = …; modules = …; }` and use `.config.system.build.images.<variant>` by hand"));
      continue;
    }
    calls.push({ node: n, fn, args, argEntries: argEntries(file.src, args), formats: null, formatExpr: null, selection: null, infos: [], bySystem: new Map(), bindingName: bindingNameOf(file.src, n) });
  }
  // nixosGenerate used as a value (map nixosGenerate …): cannot be rewritten.
  // The functions of the calls above are not looked into.
  const stack: SyntaxNode[] = [file.root];
  while (stack.length) {
    const n = stack.pop()!;
    if (seenFns.has(n)) continue;
    if ((n.type === "variable_expression" || n.type === "select_expression") && isNixosGenerate(n)) {
      if (!(n.parent?.type === "select_expression" && n.field === "expression") && !isAliasDefinition(n)) {
        findings.push(finding(n, "unmigratable-call", "nixosGenerate is used as a value here, not called with an attribute set; call `<nixpkgs>.lib.nixosSystem` and use `.config.system.build.images.<variant>` by hand"));
      }
    }
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return { calls, findings };
}

/**
 * The attribute set a call is given: through parentheses and `let … in`
 * (whose names the set may use: then it stays where it is, see place.ts).
 */
function argumentSet(arg: SyntaxNode): SyntaxNode {
  let n = unparen(arg);
  for (let guard = 0; n.type === "let_expression" && guard < 64; guard++) {
    const body = field(n, "body");
    if (!body) break;
    n = unparen(body);
  }
  return n;
}

/** The entries of an argument set by key (`inherit a b;` gives one per name). */
export function argEntries(src: string, args: SyntaxNode): ArgEntry[] {
  const out: ArgEntry[] = [];
  for (const e of entries(args)) {
    if (e.type === "binding") {
      const first = field(field(e, "attrpath"), "attr");
      const key = first ? attrName(src, first) : null;
      if (key !== null) out.push({ key, entry: e, kind: "binding", value: field(e, "expression") });
    } else {
      for (const inh of inheritedNames(src, e)) {
        out.push({ key: inh.name, entry: e, kind: e.type === "inherit" ? "inherit" : "inherit-from", value: field(e, "expression") });
      }
    }
  }
  return out;
}

/** `name = <call>;` -> name (last key), through parentheses. */
function bindingNameOf(source: string, call: SyntaxNode): string | null {
  const n = outer(call);
  if (n.field !== "expression" || n.parent?.type !== "binding") return null;
  // the last key only: `packages.${system}.iso = …` is named `iso`
  const attrs = fields(field(n.parent, "attrpath")!, "attr");
  const last = attrs[attrs.length - 1];
  return last ? attrName(source, last) : null;
}

/** `gen = nixos-generators.nixosGenerate;` — the value of an alias is not a use. */
function isAliasDefinition(n: SyntaxNode): boolean {
  const x = outer(n);
  return x.field === "expression" && x.parent?.type === "binding";
}
