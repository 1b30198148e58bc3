// Phase 4 (hoisted calls): each group becomes `nixosConfigurations.<host> =
// <nixosSystem> { … };` in the flake's outputs, and each call a reference to
// its image, `self.nixosConfigurations.<host>.config.system.build.images.<v>`.
import type { Rule } from "../nixos-generate-call.meta.js";
import { applyEdits, type TextEdit } from "../../src/edits.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import { attrKey, bindingSet, descendants, entries, field, fields, textOf, unparen } from "../../src/nix/ast.js";
import { firstLineComments, indentAt, startsLine } from "../../src/nix/layout.js";
import { entriesStartingWith, type OutputSet } from "../../src/nix/outputs.js";
import { isBlank, lineEndOf, lineStartOf } from "../../src/text.js";
import { argumentEdits } from "./arguments.js";
import { extraModules } from "./image-modules.js";
import { selfFormalEdit } from "./formals.js";
import { groupCalls, nameHosts, type Group } from "./group.js";
import { gapAfter, insideString, variantAccess, type Call, type CallFile } from "./model.js";
import { migratedNote } from "./notes.js";
import { nixosSystemText, selfExpr } from "./references.js";
import { withoutRootWarnings } from "./root-file-system.js";

type EntryText = (indent: string) => string;

export function rewriteHoisted(file: CallFile, calls: readonly Call[], target: OutputSet, np: string): { edits: TextEdit[]; findings: RawFinding<Rule>[] } {
  const src = file.src;
  const edits: TextEdit[] = [];
  const groups = groupCalls(file, calls, target);
  const findings = nameHosts(file, groups, target);
  const self = selfExpr(file)!;
  const selfEdit = selfFormalEdit(file);
  if (selfEdit) edits.push(selfEdit);

  const existingSet = entriesStartingWith(src, target, ["nixosConfigurations"]);
  const nested = existingSet.find((e) => fields(field(e, "attrpath")!, "attr").length === target.prefix.length + 1);
  const dottedPrefix = [...target.prefix, "nixosConfigurations", ""].join(".");
  const fresh: Group[] = [];
  for (const g of groups) {
    for (const call of g.calls) {
      call.host = g.host;
      const ref = `${self}.nixosConfigurations.${attrKey(g.host)}.config.system.build.images${variantAccess(call, file.src)}`;
      edits.push(...replaceCall(file, call, ref, g.calls[0] === call));
      findings.push(migratedNote(call, ref));
    }
    if (!g.reuse) fresh.push(g);
  }
  if (fresh.length === 0) return { edits, findings };
  findings.push(...withoutRootWarnings(file, fresh));
  const newConfigs = fresh.map((group) => {
    const config = configuration(file, group, np, target);
    findings.push(...config.findings);
    return { group, text: config.text };
  });

  if (nested) {
    const value = unparen(field(nested, "expression")!);
    if (value.type === "attrset_expression" || value.type === "rec_attrset_expression") {
      edits.push(insertIntoSet(file, value, newConfigs.map((c) => (indent: string) => c.text(indent, ""))));
      return { edits, findings };
    }
    // nixosConfigurations = <expr>;  ->  <expr> // { host = …; }
    const indent = indentAt(src, nested);
    const inner = indent + file.unit;
    const body = newConfigs.map((c) => inner + c.text(inner, "")).join(file.eol);
    const simple = ["apply_expression", "select_expression", "variable_expression", "parenthesized_expression"].includes(value.type);
    const fieldExpr = field(nested, "expression")!;
    if (!simple) {
      edits.push({ start: fieldExpr.start, end: fieldExpr.start, text: "(" });
      edits.push({ start: fieldExpr.end, end: fieldExpr.end, text: `) // {${file.eol}${body}${file.eol}${indent}}` });
    } else {
      edits.push({ start: fieldExpr.end, end: fieldExpr.end, text: ` // {${file.eol}${body}${file.eol}${indent}}` });
    }
    return { edits, findings };
  }
  const dotted = existingSet[existingSet.length - 1];
  if (dotted) {
    // after the last `nixosConfigurations.x = …;`
    const indent = indentAt(src, dotted);
    const text = newConfigs.map((c) => file.eol + indent + c.text(indent, dottedPrefix)).join("");
    const end = lineEndOf(src, dotted.end);
    const at = isBlank(src, dotted.end, end) ? end : dotted.end;
    edits.push({ start: at, end: at, text });
    return { edits, findings };
  }
  // before the entry of the target that holds the group's first call
  for (const c of newConfigs) {
    const holder = entryHolding(target.set, c.group.calls[0]!.node);
    edits.push(insertBefore(file, target.set, holder, (indent) => c.text(indent, dottedPrefix)));
  }
  return { edits, findings };
}

/** Replaces a hoisted call by its reference, keeping its comments at the call site. */
function replaceCall(file: CallFile, call: Call, ref: string, representative: boolean): TextEdit[] {
  const src = file.src;
  const edits: TextEdit[] = [{ start: call.node.start, end: call.node.end, text: ref + gapAfter(file, call.node) }];
  const firstLine = firstLineComments(src, call.args);
  const firstSet = new Set(firstLine);
  if (firstLine.length) {
    const gapStart = (c: SyntaxNode) => {
      let s = c.start;
      while (s > 0 && (src[s - 1] === " " || src[s - 1] === "\t")) s--;
      return s;
    };
    const text = firstLine.map((c) => src.slice(gapStart(c), c.end)).join("");
    // after the `;` that ends the binding, if the rest of that line is free
    let after = call.node.end;
    while (after < src.length && (src[after] === " " || src[after] === "\t")) after++;
    const semi = src[after] === ";" ? after + 1 : -1;
    const lineRest = semi >= 0 ? src.slice(semi, lineEndOf(src, semi)) : "x";
    if (semi >= 0 && /^\s*(#.*)?$/.test(lineRest)) edits.push({ start: semi, end: semi, text });
    else edits.push(commentsAbove(file, call, firstLine));
  }
  if (!representative) {
    // other comments inside a duplicate call's arguments would vanish: keep them above the binding
    const inner = [...descendants(call.args)].filter((n) => n.type === "comment" && !firstSet.has(n));
    if (inner.length) edits.push(commentsAbove(file, call, inner));
  }
  return edits;
}

function commentsAbove(file: CallFile, call: Call, comments: SyntaxNode[]): TextEdit {
  const holder = enclosingEntry(call.node) ?? call.node;
  const indent = indentAt(file.src, holder);
  const at = lineStartOf(file.src, holder.start);
  const text = comments.map((c) => indent + textOf(file.src, c) + file.eol).join("");
  return { start: at, end: at, text };
}

/** The entry of `set` that `node` is part of (null: none). */
function entryHolding(set: SyntaxNode, node: SyntaxNode): SyntaxNode | null {
  const entries = bindingSet(set);
  for (let n: SyntaxNode | null = node; n?.parent; n = n.parent) if (n.parent === entries) return isEntry(n) ? n : null;
  return null;
}

function isEntry(n: SyntaxNode): boolean {
  return n.type === "binding" || n.type === "inherit" || n.type === "inherit_from";
}

function enclosingEntry(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (isEntry(n)) return n;
  return null;
}

/** Inserts an entry before `holder` (or at the end of `set`), keeping comments above `holder` with it. */
function insertBefore(file: CallFile, set: SyntaxNode, holder: SyntaxNode | null, make: EntryText): TextEdit {
  const src = file.src;
  if (!holder) return insertIntoSet(file, set, [make]);
  if (!startsLine(src, holder)) {
    const indent = indentAt(src, holder);
    return { start: holder.start, end: holder.start, text: make(indent) + " " };
  }
  const indent = indentAt(src, holder);
  let at = lineStartOf(src, holder.start);
  // comment lines directly above the entry (no blank line between) stay with it
  for (;;) {
    if (at === 0) break;
    const prevStart = lineStartOf(src, at - 1);
    const line = src.slice(prevStart, at).trim();
    if (!(line.startsWith("#") || (line.startsWith("/*") && line.endsWith("*/")))) break;
    at = prevStart;
  }
  return { start: at, end: at, text: indent + make(indent) + file.eol };
}

/** Appends entries to an attrset literal in its own layout. */
function insertIntoSet(file: CallFile, set: SyntaxNode, makers: EntryText[]): TextEdit {
  const src = file.src;
  const close = set.children[set.children.length - 1]!;
  const ents = entries(set);
  const last = ents[ents.length - 1];
  if (last && startsLine(src, last)) {
    const indent = indentAt(src, last);
    const end = lineEndOf(src, last.end);
    const at = isBlank(src, last.end, end) || src[trimStart(src, last.end)] === "#" ? end : last.end;
    return { start: at, end: at, text: makers.map((m) => file.eol + indent + m(indent)).join("") };
  }
  const outer = indentAt(src, set);
  const inner = outer + file.unit;
  if (!last) {
    const open = set.children.find((c) => c.type === "{")!;
    return { start: open.end, end: close.start, text: makers.map((m) => file.eol + inner + m(inner)).join("") + file.eol + outer };
  }
  return { start: last.end, end: last.end, text: makers.map((m) => " " + m(inner)).join("") };
}

function trimStart(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  return i;
}

/**
 * `nixosConfigurations.<host> = <fn> { …args without format… };` of a group,
 * as a function of where it goes (indent, attribute prefix); the findings
 * about its arguments now.
 */
function configuration(file: CallFile, g: Group, np: string, target: OutputSet): { text: (indent: string, prefix: string) => string; findings: RawFinding<Rule>[] } {
  const src = file.src;
  const rep = g.calls[0]!;
  const extras = extraModules(g.calls.flatMap((c) => c.infos), file);
  const args = argumentEdits(file, rep, extras, true);
  const argsIndent = indentAt(src, rep.args);
  const fn = nixosSystemText(file, rep, np, target.set.children.find((c) => c.type === "binding_set") ?? target.set);
  const text = (indent: string, prefix: string) => {
    // text inserted inside the moved set was indented for its old place
    const sub = args.edits.map((e) =>
      e.text.includes("\n") && argsIndent !== indent ? { ...e, text: e.text.split(file.eol + argsIndent).join(file.eol + indent) } : e);
    // re-indent every line of the moved argument set that is not inside a string or removed
    const removed = sub.filter((e) => e.text === "");
    for (let nl = src.indexOf("\n", rep.args.start); nl >= 0 && nl < rep.args.end; nl = src.indexOf("\n", nl + 1)) {
      const ls = nl + 1;
      if (insideString(file, ls)) continue;
      if (removed.some((e) => e.start <= ls && ls < e.end)) continue;
      if (sub.some((e) => e.start < ls && ls < e.end)) continue;
      if (src.startsWith(argsIndent, ls) && argsIndent !== indent) sub.push({ start: ls, end: ls + argsIndent.length, text: indent });
    }
    const shifted = sub.map((e) => ({ start: e.start - rep.args.start, end: e.end - rep.args.start, text: e.text }));
    const argsText = applyEdits(src.slice(rep.args.start, rep.args.end), shifted);
    return `${prefix}${attrKey(g.host)} = ${fn} ${argsText};`;
  };
  return { text, findings: args.findings };
}
