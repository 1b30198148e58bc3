// How code at a place in the file refers to the things a migrated call needs:
// the nixpkgs input, `nixosSystem`, the flake itself.
import type { SyntaxNode } from "../../src/parse.js";
import { textOf } from "../../src/nix/ast.js";
import { resolveName } from "../../src/nix/scope.js";
import { arg, type Call, type CallFile } from "./model.js";

/** How code at `at` refers to flake input `name`: the outputs formal, `inputs.<name>`, `self.inputs.<name>`, or null. */
export function nixpkgsAt(file: CallFile, name: string, at: SyntaxNode): string | null {
  const o = file.outputs;
  if (o) {
    const r = resolveName(file.src, at, name);
    if (r.definition?.kind === "formal" && r.definition.scope === o.fn) return name;
    if (o.inputsParam) return `${o.inputsParam}.${name}`;
    return name;
  }
  // a module file: an argument named like the input, or the inputs set
  const own = resolveName(file.src, at, name).definition;
  if (own && (own.kind === "formal" || own.kind === "param") && file.view.roots.root(own) === null) return name;
  for (const p of ["inputs", "flakeInputs"]) {
    const d = resolveName(file.src, at, p).definition;
    if (d && (d.kind === "formal" || d.kind === "param")) return `${p}.${name}`;
  }
  // a file given the flake itself (`{ inherit self; }`) reaches the inputs through it
  const self = resolveName(file.src, at, "self").definition;
  if (self && (self.kind === "formal" || self.kind === "param")) return `self.inputs.${name}`;
  return null;
}

/** `<nixpkgs>.lib.nixosSystem`, or the call's own `nixosSystem` argument. */
export function nixosSystemText(file: CallFile, call: Call, np: string, at: SyntaxNode): string {
  const a = arg(call, "nixosSystem");
  if (a) {
    if (a.kind === "binding") return textOf(file.src, a.value!);
    if (a.kind === "inherit") return "nixosSystem";
    return `${textOf(file.src, a.value!)}.nixosSystem`;
  }
  return `${nixpkgsAt(file, np, at) ?? np}.lib.nixosSystem`;
}

/** How the outputs refer to the flake itself (null: they cannot). */
export function selfExpr(file: CallFile): string | null {
  const o = file.outputs!;
  if (o.formalNames.has("self")) return "self";
  if (o.inputsParam) return `${o.inputsParam}.self`;
  if (o.formals) return "self"; // added as a formal
  return null;
}
