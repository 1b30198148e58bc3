// The outputs function's formals a migrated flake needs: `self` (for the
// references to nixosConfigurations) and the nixpkgs input (for nixosSystem).
import type { TextEdit } from "../../src/edits.js";
import { field, fields, textOf } from "../../src/nix/ast.js";
import { indentAt, startsLine } from "../../src/nix/layout.js";
import type { CallFile } from "./model.js";

export function selfFormalEdit(file: CallFile): TextEdit | null {
  const o = file.outputs!;
  if (o.formalNames.has("self") || o.inputsParam || !o.formals) return null;
  // before a formal that stays (the generators formal goes in a later pass)
  const first = fields(o.formals, "formal").find((f) => textOf(file.src, field(f, "name")!) !== file.view.name) ?? null;
  if (!first) {
    const open = o.formals.children[0]!;
    return { start: open.end, end: open.end, text: " self," };
  }
  if (startsLine(file.src, first)) return { start: first.start, end: first.start, text: `self,${file.eol}${indentAt(file.src, first)}` };
  return { start: first.start, end: first.start, text: "self, " };
}

/**
 * The outputs function takes the nixpkgs input the configurations use as a
 * formal: `{ self, nixpkgs-unstable, … }` (it had only the generators one,
 * which went away with the calls). Before the first formal that stays, else
 * before `...`, else after the last one.
 */
export function nixpkgsFormalEdit(file: CallFile, name: string): TextEdit | null {
  const o = file.outputs;
  if (!o?.formals || o.inputsParam || o.formalNames.has(name)) return null;
  const all = fields(o.formals, "formal");
  const stays = all.find((f) => !["self", file.view.name].includes(textOf(file.src, field(f, "name")!))) ?? field(o.formals, "ellipses");
  if (stays) {
    if (startsLine(file.src, stays)) return { start: stays.start, end: stays.start, text: `${name},${file.eol}${indentAt(file.src, stays)}` };
    return { start: stays.start, end: stays.start, text: `${name}, ` };
  }
  const last = all[all.length - 1];
  if (!last) {
    const open = o.formals.children[0]!;
    return { start: open.end, end: open.end, text: ` ${name}` };
  }
  return { start: last.end, end: last.end, text: `, ${name}` };
}
