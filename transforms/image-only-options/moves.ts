// Phase 4: where each moving definition goes, as edits. A module file keeps
// its definitions in place with their path prefixed
// (`image.modules.proxmox.proxmox.qemuConf.cores = 4;`, once per variant);
// the primary flake gathers the moved definitions of one configuration root
// into `image.modules.<v> = { … };` (merged into an existing one).
import type { Rule } from "../image-only-options.meta.js";
import { applyEdits } from "../../src/edits.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import { attrKey, attrName, attrpathKeys, attrsOf, entries, field, fields, inheritedNames, outer, textOf, unparen } from "../../src/nix/ast.js";
import { appendToSet, indentAt, reindent, removeRange, startsLine } from "../../src/nix/layout.js";
import type { WalkFile } from "../../src/nix/module-walk.js";
import { detectEol, detectIndentUnit, lineEndOf } from "../../src/text.js";
import { lineOf } from "./configurations.js";
import { fileEdit, finding, type FileEdit, type Move, type Unit } from "./model.js";

/** The moves that can be made (edits), and findings for the ones whose new place clashes with what is there. */
export function placeMoves(all: readonly Move[]): { placed: Move[]; edits: FileEdit[]; findings: RawFinding<Rule>[] } {
  // a definition whose new place clashes with an existing one (`image.modules.iso = { lib, ... }: …;`
  // next to `image.modules.iso.isoImage.x = …;` is "attribute already defined") stays, flagged
  const findings: RawFinding<Rule>[] = [];
  const moved = new Set(all.map((m) => m.entry));
  const placed = all.filter((m) => {
    const hit = clash(m, moved);
    if (!hit) return true;
    const src = m.ctx.unit.file.src;
    findings.push(finding(m.ctx.unit.file, m.entry, "image-option-not-moved",
      `\`${m.path.join(".")}\` exists only in image variants, but \`${attrpathText(src, hit)}\` (line ${lineOf(src, hit.start)}) already defines that part of \`image.modules\` in a way it cannot be merged with: move it into \`image.modules.${m.variants[0]}\` by hand`));
    return false;
  });
  const edits: FileEdit[] = [];
  for (const m of placed) if (!m.ctx.unit.file.isFlake) edits.push(...prefixInPlace(m));
  // flake.nix: per configuration root, one `image.modules.<v> = { … };` per variant
  const byRoot = new Map<string, Move[]>();
  for (const m of placed) {
    if (!m.ctx.unit.file.isFlake) continue;
    const k = `${m.ctx.root.start}:${rootSkipText(m)}`;
    byRoot.set(k, [...(byRoot.get(k) ?? []), m]);
  }
  for (const group of byRoot.values()) edits.push(...groupInFlake(group));
  return { placed, edits, findings };
}

/** An entry of the move's root that the new definition(s) would collide with. */
function clash(m: Move, moved: Set<SyntaxNode>): SyntaxNode | null {
  const src = m.ctx.unit.file.src;
  const head = rootSkipText(m) ? [rootSkipText(m).slice(0, -1)] : [];
  for (const v of m.variants) {
    if (m.ctx.unit.file.isFlake) {
      if (mergeTarget(m.ctx.unit, m.ctx.root, v)) continue;
      const hit = pathConflict(src, m.ctx.root, [...head, "image", "modules", v], true, moved);
      if (hit) return hit;
    } else {
      const value = field(m.entry, "expression");
      const literal = !!value && value.type === "attrset_expression";
      const hit = pathConflict(src, m.ctx.root, [...head, "image", "modules", v, ...m.newPath], literal, moved);
      if (hit) return hit;
    }
  }
  return null;
}

/** Module file: `proxmox.x = 1;` -> `image.modules.proxmox.proxmox.x = 1;` (one copy per variant). */
function prefixInPlace(m: Move): FileEdit[] {
  const file = m.ctx.unit.file;
  const src = file.src;
  if (m.ctx.top) {
    // a leaf of a mixed nested set: out of it, next to the root entry that holds it
    const top = m.ctx.top;
    const skipText = rootSkipText(m);
    const value = field(m.entry, "expression")!;
    const comment = trailingComment(src, m.entry.end);
    const indent = startsLine(src, top) ? indentAt(src, top) : null;
    const valueText = reindent(src, value.start, value.end, indentAt(src, m.entry), indent ?? indentAt(src, m.entry), file.strings);
    const texts = m.variants.map((v, i) => `${skipText}image.modules.${attrKey(v)}.${pathText(m.newPath)} = ${valueText};${i === 0 && comment ? " " + comment : ""}`);
    return [fileEdit(file, removeRange(src, m.entry.start, m.entry.end)), insertAfter(file, top, texts)];
  }
  const attrs = attrsOf(m.entry);
  const first = attrs[m.skip]!;
  const oldEnd = m.renamed ? attrs[m.skip + m.own.path.length - 1]!.end : first.start;
  const replaced = (v: string) => `image.modules.${attrKey(v)}.` + (m.renamed ? m.own.to!.join(".") : "");
  const out = [fileEdit(file, { start: first.start, end: oldEnd, text: replaced(m.variants[0]!) })];
  if (m.variants.length > 1) {
    const copies = m.variants.slice(1).map((v) => src.slice(m.entry.start, first.start) + replaced(v) + src.slice(oldEnd, m.entry.end));
    out.push(insertAfter(file, m.entry, copies));
  }
  return out;
}

/** Inserts entries after `entry`: on their own lines when it stands on its own line, else on the same line. */
function insertAfter(file: WalkFile, entry: SyntaxNode, texts: string[]): FileEdit {
  const src = file.src;
  const le = lineEndOf(src, entry.end);
  const rest = src.slice(entry.end, le);
  if (startsLine(src, entry) && /^\s*(#.*)?$/.test(rest)) {
    const indent = indentAt(src, entry);
    const eol = detectEol(src);
    return fileEdit(file, { start: le, end: le, text: texts.map((t) => eol + indent + t).join("") });
  }
  return fileEdit(file, { start: entry.end, end: entry.end, text: texts.map((t) => " " + t).join("") });
}

/** flake.nix: the moved definitions of one configuration root become `image.modules.<v> = { … };`. */
function groupInFlake(moves: Move[]): FileEdit[] {
  const first = moves[0]!;
  const file = first.ctx.unit.file;
  const src = file.src;
  const eol = detectEol(src);
  const unit = first.ctx.unit;
  const root = first.ctx.root;
  const variants: string[] = [];
  for (const m of moves) for (const v of m.variants) if (!variants.includes(v)) variants.push(v);
  const unitIndent = detectIndentUnit(src);
  const anchor = first.ctx.top ?? first.entry;
  const multiLine = startsLine(src, anchor) && src.slice(root.start, root.end).includes("\n");
  const baseIndent = indentAt(src, anchor);
  const out: FileEdit[] = [];
  const groups: string[] = [];
  for (const v of variants) {
    const mine = moves.filter((m) => m.variants.includes(v));
    const target = mergeTarget(unit, root, v);
    if (target) {
      out.push(fileEdit(file, appendToSet(src, target, mine.map((m) => movedEntry(moves, m, indentAt(src, target) + unitIndent)))));
      continue;
    }
    const skipText = rootSkipText(first);
    if (multiLine) {
      const inner = baseIndent + unitIndent;
      const body = mine.map((m) => {
        const l = movedEntry(moves, m, inner);
        return eol + inner + l.text + (l.comment ? " " + l.comment : "");
      }).join("");
      groups.push(`${skipText}image.modules.${attrKey(v)} = {${body}${eol}${baseIndent}};`);
    } else {
      const body = mine.map((m) => movedEntry(moves, m, baseIndent).text).join(" ");
      groups.push(`${skipText}image.modules.${attrKey(v)} = { ${body} };`);
    }
  }
  // everything moved into another element of the configuration's list: the emptied element goes
  const element = outer(root);
  if (groups.length === 0 && unit.listOf && element.parent?.type === "list_expression" &&
      entries(root).every((e) => moves.some((m) => m.entry === e && !m.ctx.top)) && !root.children.some((c) => c.type === "comment")) {
    return [...out, fileEdit(file, removeRange(src, element.start, element.end))];
  }
  // remove the moved definitions; the groups take the place of the first one
  const removed = new Set<SyntaxNode>();
  let placed = groups.length === 0;
  for (const m of moves) {
    if (removed.has(m.entry) || moves.some((x) => within(m, x))) continue;
    removed.add(m.entry);
    if (!placed && !m.ctx.top) {
      const comment = multiLine ? trailingComment(src, m.entry.end) : null;
      const end = comment ? m.entry.end + src.slice(m.entry.end).indexOf(comment) + comment.length : m.entry.end;
      const joiner = multiLine ? eol + baseIndent : " ";
      out.push(fileEdit(file, { start: m.entry.start, end, text: groups.join(joiner) }));
      placed = true;
      continue;
    }
    out.push(fileEdit(file, removeRange(src, m.entry.start, m.entry.end)));
  }
  if (!placed) out.push(insertAfter(file, first.ctx.top!, groups));
  return out;
}

/** Is `inner` a leaf inside `outer`'s definition (`virtualbox = { vmFileName = …; }`)? */
function within(inner: Move, outer: Move): boolean {
  return inner !== outer && outer.entry.start <= inner.entry.start && inner.entry.end <= outer.entry.end;
}

/** `path = value;` of a move for the group, re-indented to `indent`; a leaf that leaves it moving itself is cut out. */
function movedEntry(moves: readonly Move[], m: Move, indent: string): { text: string; comment: string | null } {
  const src = m.ctx.unit.file.src;
  const value = field(m.entry, "expression")!;
  const cuts = moves.filter((x) => within(x, m)).map((x) => removeRange(src, x.entry.start, x.entry.end));
  const valueText = cuts.length
    ? reindent(applyEdits(src.slice(value.start, value.end), cuts.map((c) => ({ start: c.start - value.start, end: Math.min(c.end, value.end) - value.start, text: c.text }))), 0, Infinity, indentAt(src, m.entry), indent, [])
    : reindent(src, value.start, value.end, indentAt(src, m.entry), indent, m.ctx.unit.file.strings);
  const comment = trailingComment(src, m.entry.end);
  return { text: `${pathText(m.newPath)} = ${valueText};`, comment };
}

/**
 * An existing `image.modules.<v> = { … };` (attrset literal) to merge into: in the same root,
 * or, for a module that is an attrset element of one configuration's own list, in another
 * attrset element of that list (the one the migration wrote for --parity / variant modules).
 */
function mergeTarget(unit: Unit, root: SyntaxNode, v: string): SyntaxNode | null {
  const src = unit.file.src;
  const candidates: SyntaxNode[] = [root];
  if (unit.listOf && root === unparen(unit.expr) && root.type === "attrset_expression") {
    const list = root.parent;
    if (list?.type === "list_expression") for (const el of fields(list, "element")) if (unparen(el) !== root && unparen(el).type === "attrset_expression") candidates.push(unparen(el));
  }
  for (const set of candidates) {
    for (const e of entries(set)) {
      if (e.type !== "binding") continue;
      const keys = attrpathKeys(src, field(e, "attrpath"));
      const value = field(e, "expression");
      if (!keys || !value || value.type !== "attrset_expression") continue;
      if (keys.length === 3 && keys[0] === "image" && keys[1] === "modules" && keys[2] === v) return value;
    }
  }
  return null;
}

/** `config.` of `config.virtualisation = …` (the first `skip` attrs and their dot). */
function attrsText(src: string, entry: SyntaxNode, skip: number): string {
  if (skip === 0) return "";
  const attrs = attrsOf(entry);
  return src.slice(attrs[0]!.start, attrs[skip - 1]!.end) + ".";
}

/** `config.` when the move's entry in its root is `config.…` of a full module. */
function rootSkipText(m: Move): string {
  const src = m.ctx.unit.file.src;
  return m.ctx.top ? attrsText(src, m.ctx.top, m.ctx.topSkip) : attrsText(src, m.entry, m.skip);
}

function attrpathText(src: string, entry: SyntaxNode): string {
  const path = field(entry, "attrpath");
  return path ? textOf(src, path) : textOf(src, entry).split(/\s/)[0]!;
}

/**
 * Would a new binding `path = <value>` in `set` collide with an existing entry (other than `ignore`)?
 * Nix merges attrset literals (`a.b = { c = 1; }; a.b.d = 2;`), nothing else.
 */
function pathConflict(src: string, set: SyntaxNode, path: string[], literalValue: boolean, ignore: Set<SyntaxNode>): SyntaxNode | null {
  for (const e of entries(set)) {
    if (ignore.has(e)) continue;
    if (e.type !== "binding") {
      if (inheritedNames(src, e).some((n) => n.name === path[0])) return e;
      continue;
    }
    const keys = attrsOf(e).map((a) => attrName(src, a));
    const n = Math.min(keys.length, path.length);
    if (keys.slice(0, n).some((k, i) => k !== path[i])) continue;
    const value = field(e, "expression");
    const isLiteral = !!value && (value.type === "attrset_expression" || value.type === "rec_attrset_expression");
    if (keys.length < path.length) {
      if (!isLiteral) return e;
      const inner = pathConflict(src, value!, path.slice(keys.length), literalValue, ignore);
      if (inner) return inner;
    } else if (keys.length === path.length) {
      if (!(isLiteral && literalValue)) return e;
    } else if (!literalValue) return e;
  }
  return null;
}

/** A `#` comment after `end` on the same line, or null. */
function trailingComment(src: string, end: number): string | null {
  let i = end;
  while (i < src.length && (src[i] === " " || src[i] === "\t")) i++;
  if (src[i] !== "#") return null;
  return src.slice(i, lineEndOf(src, i));
}

function pathText(path: readonly string[]): string {
  return path.map(attrKey).join(".");
}
