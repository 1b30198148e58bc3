// Phase 4 (both placements): the call's argument set as nixosSystem's. Drop
// format / nixosSystem / customFormats, add the image modules a format needs
// (`image.modules.<variant>`) and `system` where the variant needs it.
import type { Rule } from "../nixos-generate-call.meta.js";
import type { TextEdit } from "../../src/edits.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import { entries, fields, inheritedNames, textOf, unparen } from "../../src/nix/ast.js";
import { firstLineComments, indentAt, removeEntry, removeInheritedName, startsLine } from "../../src/nix/layout.js";
import { nameStrings, possibleStrings } from "../../src/nix/values.js";
import { resolveName, variableName } from "../../src/nix/scope.js";
import { lineEndOf, lineStartOf } from "../../src/text.js";
import { arg, finding, MAX_LINE, type ArgEntry, type Call, type CallFile } from "./model.js";

/** The extra module as `{ a; b; }` on one line, or as a block indented from `indent`. */
function renderExtras(file: CallFile, lines: string[], indent: string | null): string {
  if (indent === null) return `{ ${lines.join(" ")} }`;
  return `{${lines.map((l) => file.eol + indent + file.unit + l).join("")}${file.eol}${indent}}`;
}

/**
 * Edits inside a call's argument set: drop format/nixosSystem/customFormats,
 * add image modules and `system` where needed. For the moved copy
 * (`moved`), comments on the `{` line are dropped (they stay at the call).
 */
export function argumentEdits(file: CallFile, call: Call, extras: string[] | null, moved: boolean): { edits: TextEdit[]; findings: RawFinding<Rule>[] } {
  const src = file.src;
  const out: TextEdit[] = [];
  const findings: RawFinding<Rule>[] = [];
  const drop = new Map<SyntaxNode, string[]>();
  for (const a of call.argEntries) {
    if (a.key === "format" || a.key === "nixosSystem" || a.key === "customFormats") drop.set(a.entry, [...(drop.get(a.entry) ?? []), a.key]);
  }
  for (const [entry, keys] of drop) {
    if (entry.type === "binding") out.push(removeEntry(src, entry));
    else {
      const names = inheritedNames(src, entry);
      if (names.every((n) => keys.includes(n.name))) out.push(removeEntry(src, entry));
      else for (const k of keys) out.push(removeInheritedName(src, entry, k)!);
    }
  }
  if (moved) {
    for (const c of firstLineComments(src, call.args)) {
      let s = c.start;
      while (s > 0 && (src[s - 1] === " " || src[s - 1] === "\t")) s--;
      if (!out.some((e) => e.start <= s && s < e.end)) out.push({ start: s, end: c.end, text: "" });
    }
  }
  const sdFormats = call.infos.filter((i) => i.requiresSystem);
  const required = sdFormats[0]?.requiresSystem;
  const additions: string[] = [];
  if (sdFormats.length && sdPlatformsFollowKey(file, call)) {
    // `inherit system; format = { aarch64-linux = "sd-aarch64"; … }.${system};`: each SD format is built on its own platform
  } else if (sdFormats.some((i) => i.requiresSystem !== required)) {
    // one call, SD images of two platforms: its `system` must follow the format, which only its uses know
    findings.push(finding(call.node, "sd-card-system",
      `the formats ${sdFormats.map((i) => `${i.format} (${i.requiresSystem})`).join(", ")} of this call map to the sd-card variant, which builds the SD image of the configuration's own platform: ` +
      `make sure \`system\` is that platform at every use${arg(call, "system") ? "" : " (nothing was added: the call has no `system`)"}`));
  } else if (required) {
    const check = systemCheck(file, call, required);
    findings.push(...check.findings);
    if (check.result === "absent") additions.push(`system = "${required}";`);
  }
  if (extras) {
    const mods = arg(call, "modules");
    if (!mods) additions.push(`modules = [ ${renderExtras(file, extras, null)} ];`);
    else if (mods.kind === "binding") out.push(...appendToList(file, mods.value!, extras));
    else {
      // inherit modules;  ->  keep it, add the image settings through a second list
      out.push(...replaceInheritedModules(file, mods, extras));
    }
  }
  if (additions.length) out.push(appendEntries(file, call.args, additions, out));
  return { edits: out, findings };
}

/**
 * The format is picked by the very `system` the configuration gets
 * (`format = { aarch64-linux = "sd-aarch64"; … }.${system};`) and every SD
 * format sits under the key of the platform it needs.
 */
function sdPlatformsFollowKey(file: CallFile, call: Call): boolean {
  const sel = call.selection;
  const sys = arg(call, "system");
  if (!sel || !sys || sys.kind === "inherit-from") return false;
  const key = unparen(sel.key);
  const name = variableName(file.src, key);
  if (name === null) return false;
  const sysName = sys.kind === "inherit" ? "system" : variableName(file.src, unparen(sys.value!));
  if (sysName !== name) return false;
  const here = resolveName(file.src, sys.kind === "inherit" ? sys.entry : sys.value!, name).definition;
  const there = resolveName(file.src, key, name).definition;
  if (!here || here !== there) return false;
  return sel.byKey.every(([k, f]) => {
    const info = call.infos.find((i) => i.format === f);
    return !info?.requiresSystem || info.requiresSystem === k;
  }) && (sel.fallback === null || !call.infos.find((i) => i.format === sel.fallback)?.requiresSystem);
}

/** sd-card: does the configuration target the SD image's system? */
function systemCheck(file: CallFile, call: Call, required: string): { result: "ok" | "absent" | "other"; findings: RawFinding<Rule>[] } {
  const sys = arg(call, "system");
  const fmt = call.infos.find((i) => i.requiresSystem)!.format;
  if (!sys) {
    if (arg(call, "pkgs")) {
      return { result: "other", findings: [finding(call.node, "sd-card-system", `format "${fmt}" maps to the sd-card variant, which builds the SD image of the configuration's own platform; this call takes its system from \`pkgs\`, which was not checked: make sure it is ${required}`)] };
    }
    return { result: "absent", findings: [finding(call.node, "sd-card-system", `format "${fmt}" maps to the sd-card variant, which builds the SD image of the configuration's own platform: \`system = "${required}";\` was added`)] };
  }
  const values = sys.kind === "binding" ? possibleStrings(file.src, sys.value!) : sys.kind === "inherit" ? nameStrings(file.src, sys.entry, "system") : null;
  if (values?.known && values.values.length && values.values.every((v) => v === required)) return { result: "ok", findings: [] };
  const what = values?.known ? `targets ${values.values.join(", ")}` : "has a system that could not be checked";
  return { result: "other", findings: [finding(sys.entry, "sd-card-system", `format "${fmt}" maps to the sd-card variant, which picks its SD module from the configuration's platform (pkgs.targetPlatform.qemuArch); this configuration ${what}: set \`system = "${required}";\` (or \`nixpkgs.hostPlatform\`) so that images.sd-card builds the ${required} SD image`)] };
}

/**
 * `[ a b ]` -> `[ a b EXTRA ]` (or one element per line when that gets long);
 * `x` -> `x ++ [ EXTRA ]`.
 */
function appendToList(file: CallFile, value: SyntaxNode, lines: string[]): TextEdit[] {
  const src = file.src;
  const oneLine = renderExtras(file, lines, null);
  const lineIndent = indentAt(src, value);
  const fits = (extraLength: number) => lineEndOf(src, value.end) - lineStartOf(src, value.start) + extraLength <= MAX_LINE;
  const v = unparen(value);
  if (v.type === "list_expression" && v === value) {
    const close = v.children[v.children.length - 1]!;
    const elems = fields(v, "element");
    const last = elems[elems.length - 1];
    if (last && startsLine(src, last) && startsLine(src, close)) {
      const indent = indentAt(src, last);
      const at = lineEndOf(src, last.end);
      const text = indent.length + oneLine.length <= MAX_LINE ? oneLine : renderExtras(file, lines, indent);
      return [{ start: at, end: at, text: file.eol + indent + text }];
    }
    if (fits(oneLine.length + 1)) {
      if (!last) return [{ start: close.start, end: close.start, text: `${oneLine} ` }];
      return [{ start: last.end, end: last.end, text: ` ${oneLine}` }];
    }
    const hasComments = v.children.some((c) => c.type === "comment");
    if (!hasComments && !src.slice(v.start, v.end).includes("\n")) {
      // one element per line
      const inner = lineIndent + file.unit;
      const items = elems.map((e) => file.eol + inner + textOf(src, e)).join("");
      return [{ start: v.start, end: v.end, text: `[${items}${file.eol}${inner}${renderExtras(file, lines, inner)}${file.eol}${lineIndent}]` }];
    }
    return [{ start: (last ?? close).end, end: (last ?? close).end, text: ` ${oneLine}` }];
  }
  const extra = fits(oneLine.length + 8) ? oneLine : renderExtras(file, lines, lineIndent);
  const simple = ["variable_expression", "select_expression", "list_expression", "parenthesized_expression", "apply_expression"].includes(value.type);
  if (simple) return [{ start: value.end, end: value.end, text: ` ++ [ ${extra} ]` }];
  return [{ start: value.start, end: value.start, text: "(" }, { start: value.end, end: value.end, text: `) ++ [ ${extra} ]` }];
}

function replaceInheritedModules(file: CallFile, mods: ArgEntry, lines: string[]): TextEdit[] {
  const src = file.src;
  const from = mods.kind === "inherit-from" ? `${textOf(src, mods.value!)}.modules` : "modules";
  const rm = removeInheritedName(src, mods.entry, "modules");
  const edits: TextEdit[] = rm ? [rm] : [];
  const set = mods.entry.parent!.parent!;
  const indent = entries(set).length && startsLine(src, mods.entry) ? indentAt(src, mods.entry) : null;
  edits.push(appendEntries(file, set, [`modules = ${from} ++ [ ${renderExtras(file, lines, indent)} ];`]));
  return edits;
}

/** Adds `key = value;` entries at the end of an attrset literal. */
function appendEntries(file: CallFile, set: SyntaxNode, texts: string[], edits: readonly TextEdit[] = []): TextEdit {
  const src = file.src;
  // after the last entry that stays: one that goes away (`format = …;` last) takes its line with it
  const ents = entries(set).filter((e) => !edits.some((r) => r.text === "" && r.start <= e.start && e.end <= r.end));
  const last = ents[ents.length - 1];
  if (last && startsLine(src, last)) {
    const indent = indentAt(src, last);
    const at = lineEndOf(src, last.end);
    return { start: at, end: at, text: texts.map((t) => file.eol + indent + t).join("") };
  }
  const at = last ? last.end : set.children.find((c) => c.type === "{")!.end;
  return { start: at, end: at, text: texts.map((t) => " " + t).join("") };
}
