// Phase 4b (calls rewritten in place): a `let` binding that only fed the
// call's format (`format = imageFormat;`, `inherit format;`) is unused once
// format is dropped, so it goes too, as deadnix would remove it (a `let` left
// empty goes whole). A hoisted call is left out: its text moves, with edits of
// its own.
import type { TextEdit } from "../../src/edits.js";
import type { SyntaxNode } from "../../src/parse.js";
import { contains, descendants, inheritedNames, unparen } from "../../src/nix/ast.js";
import { removeScopeEntries } from "../../src/nix/layout.js";
import { resolveName, variableName, type Definition } from "../../src/nix/scope.js";
import { arg, type Call, type CallFile } from "./model.js";

type LetBinding = Extract<Definition, { kind: "binding" }>;

/** Edits that remove the let bindings the calls' dropped formats leave unused (given the edits made so far). */
export function unusedFormatBindings(file: CallFile, calls: readonly Call[], edits: readonly TextEdit[]): TextEdit[] {
  const src = file.src;
  const deleted = (n: SyntaxNode) => edits.some((e) => e.text.trim() === "" && contains(e, n));
  // per let, the bindings that go
  const gone = new Map<SyntaxNode, Set<SyntaxNode>>();
  for (const call of calls) {
    const def = formatBinding(src, call);
    if (!def || references(src, def).some((r) => !deleted(r))) continue;
    gone.set(def.scope, (gone.get(def.scope) ?? new Set()).add(def.entry));
  }
  const out: TextEdit[] = [];
  for (const [scope, entries] of gone) {
    const removal = removeScopeEntries(src, scope, entries);
    if (removal.some((r) => edits.some((e) => e.start < r.end && r.start < e.end))) continue;
    out.push(...removal);
  }
  return out;
}

/** The `name = value;` of a let that the call's format names, if it is one. */
function formatBinding(src: string, call: Call): LetBinding | null {
  const a = arg(call, "format");
  if (!a) return null;
  let at: SyntaxNode | undefined;
  let name: string | null = null;
  if (a.kind === "binding" && a.value) {
    at = unparen(a.value);
    name = variableName(src, at);
  } else if (a.kind === "inherit") {
    at = inheritedNames(src, a.entry).find((n) => n.name === "format")?.node;
    name = "format";
  }
  if (!at || !name) return null;
  const def = resolveName(src, at, name).definition;
  return def?.kind === "binding" && def.value !== null && def.scope.type === "let_expression" ? def : null;
}

/** Every reference to the binding in its let: variables and `inherit name;` entries that resolve to it. */
function references(src: string, def: LetBinding): SyntaxNode[] {
  const isIt = (node: SyntaxNode) => {
    const d = resolveName(src, node, def.name).definition;
    return d?.kind === "binding" && d.entry === def.entry;
  };
  const out: SyntaxNode[] = [];
  for (const n of descendants(def.scope)) {
    if (n.type === "variable_expression" && variableName(src, n) === def.name && isIt(n)) out.push(n);
    else if (n.type === "inherit") for (const i of inheritedNames(src, n)) if (i.name === def.name && isIt(i.node)) out.push(i.node);
  }
  return out;
}
