// all-formats' `formatConfigs.<f> = M` (a module applied only in format f's
// evaluation) becomes `image.modules.<variant> = M` (default priority: it
// extends the stock variant module; a value that is not a literal moves
// whole). Custom formats become `image.modules.<name>` when their module shows
// its builder (`formatAttr`). Decided for every file of the run first (plan),
// so that reads of a format whose definition stays stay too; then written.
import type { Rule } from "../generators-modules.meta.js";
import type { TextEdit } from "../../src/edits.js";
import { lookupFormat } from "../../src/formats.js";
import type { SyntaxNode } from "../../src/parse.js";
import { applyChain, attrKey, attrName, attrpathKeys, attrsOf, descendants, entries, field, isAttrset, moduleParts, textOf, unparen } from "../../src/nix/ast.js";
import { customVariantName, migrateCustomModule } from "../../src/nix/custom-format.js";
import { indentAt, reindent, removeEntry, startsLine } from "../../src/nix/layout.js";
import { resolveFilePath } from "../../src/nix/module-graph.js";
import { moduleShape } from "../../src/nix/module-walk.js";
import { detectEol, lineEndOf } from "../../src/text.js";
import { finding, labels, ownersOf, type Migration, type Owner, type Unit } from "./model.js";
import type { UnfollowedRead } from "./formats-reads.js";
import { unitFor } from "./units.js";

/** One format's definition: `formatConfigs.<n> = M;`, or `<n> = M;` inside `formatConfigs = { … };` (nested). */
interface FormatConfig {
  /** The file holding the entry (another one than the binding's for `formatConfigs = import ./f.nix;`). */
  readonly unit: Unit;
  readonly entry: SyntaxNode;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly name: string;
  readonly value: SyntaxNode;
  /** `formatConfigs = …` holding the entry, in `nestedIn`. */
  readonly nested: SyntaxNode | null;
  readonly nestedIn: Unit;
  readonly owners: readonly Owner[];
}

/** What becomes of one definition: its variant and the edits of its module, or why it stays. */
type Plan =
  | { readonly fc: FormatConfig; readonly variant: string; readonly edits: readonly TextEdit[]; readonly note: { rule: Rule; message: string; node: SyntaxNode } | null }
  | { readonly fc: FormatConfig; readonly variant: null; readonly rule: Rule; readonly message: string };

/** The decisions of one run: made before anything is written. */
export interface FormatConfigsPlan {
  readonly plans: Plan[];
  /** `formatConfigs = <expression this pass does not read>` and `formats` definitions, with their units. */
  readonly opaque: { unit: Unit; node: SyntaxNode; message: string }[];
  /** Formats whose definition stays under all-formats: reads of them stay too. */
  readonly kept: Set<string>;
  /** Custom formats (not built-in) that become variants, by name. */
  readonly custom: Set<string>;
  /** Configurations whose formats are defined in a way this pass does not read: none of their reads can go. */
  readonly opaqueOwners: Set<Owner>;
  /** `formatConfigs = { };`: renamed like a set with formats. */
  readonly empty: { unit: Unit; node: SyntaxNode }[];
}

const OPAQUE = "`formatConfigs` is defined here as a whole by an expression this tool does not read, so the all-formats import stays; write `image.modules.<variant> = …;` for each format by hand (`nixgen-migrate --list-formats` names the variants), then run again";
const FORMATS_DEFINED = "`formats` is defined here: all-formats' `formats` option (the images it builds) has no upstream equivalent, so the all-formats import stays. " +
  "An image of your own is a custom image variant: `image.modules.<name> = { config, ... }: { system.build.image = <the derivation>; };`, built as `config.system.build.images.<name>`; write that, remove this definition, then run again";

/** Plans every unit's `formatConfigs` (and finds `formats` definitions). Blocks the configurations whose definitions stay. */
export function planFormatConfigs(m: Migration, units: readonly Unit[]): FormatConfigsPlan {
  const out: FormatConfigsPlan = { plans: [], opaque: [], kept: new Set(), custom: new Set(), opaqueOwners: new Set(), empty: [] };
  for (const unit of units) {
    const found = formatConfigEntries(m, unit);
    for (const node of found.opaque) out.opaque.push({ unit, node, message: OPAQUE });
    for (const node of found.empty) out.empty.push({ unit, node });
    for (const node of formatsDefinitions(unit)) out.opaque.push({ unit, node, message: FORMATS_DEFINED });
    const plans = found.entries.map(plan);
    // a `formatConfigs = { … }` of another file renames its keys there: all of them go, or none
    for (const p of plans) {
      const failed = p.fc.nestedIn !== p.fc.unit && plans.some((q) => q.fc.nested === p.fc.nested && q.variant === null);
      out.plans.push(failed && p.variant !== null
        ? { fc: p.fc, variant: null, rule: "all-formats-use", message: `formatConfigs.${p.fc.name} stays with all-formats: another format of the same set (in ${p.fc.unit.path}) cannot be migrated; move this one to \`image.modules.${p.variant} = …;\` by hand` }
        : p);
    }
  }
  for (const o of out.opaque) {
    for (const owner of ownersOf(m, o.unit, o.node)) {
      owner.blocked = true;
      out.opaqueOwners.add(owner);
    }
  }
  // what such a configuration's `formats.<f>` builds is not known: its reads stay, and so do their definitions
  for (const [i, p] of out.plans.entries()) {
    const opaque = p.fc.owners.filter((o) => out.opaqueOwners.has(o));
    if (p.variant === null || opaque.length === 0) continue;
    out.plans[i] = { fc: p.fc, variant: null, rule: "all-formats-use", message: `formatConfigs.${p.fc.name} stays with all-formats: ${labels(opaque)} ${opaque.length > 1 ? "define" : "defines"} \`formats\` or \`formatConfigs\` in a way this tool does not read (see there), so its reads of \`formats.<f>\` stay, and with them what they build` };
  }
  for (const p of out.plans) {
    if (p.variant === null) {
      out.kept.add(p.fc.name);
      for (const owner of p.fc.owners) owner.blocked = true;
    } else if (!lookupFormat(p.fc.name)) out.custom.add(p.fc.name);
  }
  return out;
}

/**
 * Reads of `config.formats.<f>` that stay (their configuration is not known) still build format f
 * through all-formats, with its `formatConfigs.<f>`: that definition stays with them (every
 * definition when the format read is not literal). Before the followed reads are decided.
 */
export function keepDefinitionsOfReads(plan: FormatConfigsPlan, reads: readonly UnfollowedRead[]) {
  if (!reads.length) return;
  for (const [i, p] of plan.plans.entries()) {
    if (p.variant === null) continue;
    const read = reads.find((r) => r.format === null || r.format === p.fc.name);
    if (!read) continue;
    const line = read.unit.src.slice(0, read.node.start).split("\n").length;
    plan.plans[i] = { fc: p.fc, variant: null, rule: "all-formats-use", message: `formatConfigs.${p.fc.name} stays with all-formats: \`config.formats${read.format === null ? "" : `.${read.format}`}\` is read at ${read.unit.path}:${line} through something this tool does not follow, and that image still comes from all-formats with this definition; change that read by hand, then run again` };
    plan.kept.add(p.fc.name);
    for (const owner of p.fc.owners) owner.blocked = true;
  }
}

/** Writes the plan: `image.modules.<variant>` where the definitions go, findings where they stay. */
export function applyFormatConfigs(m: Migration, plan: FormatConfigsPlan) {
  for (const o of plan.opaque) finding(m, o.unit, o.node, "all-formats-use", o.message);
  for (const { unit, node } of plan.empty) {
    const attr = attrsOf(node).find((a) => attrName(unit.src, a) === "formatConfigs")!;
    unit.edits.push({ start: attr.start, end: attr.end, text: "image.modules" });
  }
  const renamedParents = new Set<SyntaxNode>();
  for (const p of plan.plans) {
    const { fc } = p;
    if (p.variant === null) {
      finding(m, fc.unit, fc.entry, p.rule, p.message);
      continue;
    }
    fc.unit.edits.push(...p.edits);
    if (p.note) finding(m, fc.unit, p.note.node, p.note.rule, p.note.message);
    if (!fc.nested) {
      fc.unit.edits.push({ start: fc.keyStart, end: fc.keyEnd, text: `image.modules.${attrKey(p.variant)}` });
    } else if (plan.plans.some((q) => q.fc.nested === fc.nested && q.variant === null)) {
      // the set stays for the formats that cannot go: this one leaves it, next to it
      const attrs = attrsOf(fc.nested);
      const prefix = fc.unit.src.slice(attrs[0]!.start, attrs.find((a) => attrName(fc.unit.src, a) === "formatConfigs")!.start);
      fc.unit.edits.push(removeEntry(fc.unit.src, fc.entry), insertAfter(fc.unit.src, fc.nested, `${prefix}image.modules.${attrKey(p.variant)} = ${movedValue(fc)};`));
    } else {
      // formatConfigs = { iso = …; }  ->  image.modules = { iso = …; }
      if (!renamedParents.has(fc.nested)) {
        renamedParents.add(fc.nested);
        const attrs = attrsOf(fc.nested);
        const at = attrs.findIndex((a) => attrName(fc.nestedIn.src, a) === "formatConfigs");
        fc.nestedIn.edits.push({ start: attrs[at]!.start, end: attrs[at]!.end, text: "image.modules" });
      }
      if (p.variant !== fc.name) fc.unit.edits.push({ start: fc.keyStart, end: fc.keyEnd, text: attrKey(p.variant) });
    }
  }
}

/** The variant one definition becomes and the edits of its module, or why it stays. Pure. */
function plan(fc: FormatConfig): Plan {
  const info = lookupFormat(fc.name);
  if (info) {
    if (!info.variant) return { fc, variant: null, rule: "unsupported-format", message: `formatConfigs.${fc.name}: format "${fc.name}" has no nixpkgs image variant, so it stays with all-formats. ${info.recipe}` };
    return { fc, variant: info.variant, edits: [], note: null };
  }
  const custom = migrateCustomModule(fc.unit.src, fc.value);
  const variant = customVariantName(fc.name);
  if (!custom.ok) {
    return { fc, variant: null, rule: "custom-format", message: `custom format "${fc.name}": ${custom.reason}. Define it as \`image.modules.${variant} = { config, ... }: { …; system.build.image = config.system.build.<builder>; };\` (no formatAttr/fileExtension) and build \`config.system.build.images.${variant}\`` };
  }
  return {
    fc, variant, edits: custom.edits,
    note: { rule: "custom-format-migrated", node: fc.entry, message: `custom format "${fc.name}" is now the image variant \`${variant}\` (system.build.image = lib.mkDefault config.system.build.${custom.formatAttr}); \`passthru.filePath\` needs \`image.filePath\`: import "\${modulesPath}/image/file-options.nix" and set image.extension/image.filePath if you use it` },
  };
}

/** `formatConfigs.<n> = M;`, `formatConfigs = { <n> = M; };` and `formatConfigs = import ./f.nix;` (f.nix a set). */
function formatConfigEntries(m: Migration, unit: Unit): { entries: FormatConfig[]; opaque: SyntaxNode[]; empty: SyntaxNode[] } {
  const src = unit.src;
  const out: { entries: FormatConfig[]; opaque: SyntaxNode[]; empty: SyntaxNode[] } = { entries: [], opaque: [], empty: [] };
  for (const n of descendants(unit.root)) {
    if (n.type !== "binding") continue;
    const attrs = attrsOf(n);
    const keys = attrs.map((a) => attrName(src, a));
    const at = keys.indexOf("formatConfigs");
    if (at < 0 || (at > 0 && keys[at - 1] !== "config")) continue;
    const value = field(n, "expression")!;
    const owners = ownersOf(m, unit, n);
    if (attrs[at + 1]) {
      const name = keys[at + 1];
      if (name) out.entries.push({ unit, entry: n, keyStart: attrs[at]!.start, keyEnd: attrs[at + 1]!.end, name, value, nested: null, nestedIn: unit, owners });
      continue;
    }
    const set = formatsSet(m, unit, value, owners);
    if (!set) {
      out.opaque.push(n);
      continue;
    }
    // `formatConfigs = { };` (its formats commented out), here or in the file it imports: the name still goes with all-formats
    if (!entries(set.node).length) out.empty.push(n);
    for (const inner of entries(set.node)) {
      if (inner.type !== "binding") continue;
      const ia = attrsOf(inner);
      const name = attrName(set.unit.src, ia[0]!);
      if (name) out.entries.push({ unit: set.unit, entry: inner, keyStart: ia[0]!.start, keyEnd: ia[0]!.end, name, value: field(inner, "expression")!, nested: n, nestedIn: unit, owners });
    }
  }
  return out;
}

/** The attrset literal a `formatConfigs = …` value is: in place, or the body of a file it imports. */
function formatsSet(m: Migration, unit: Unit, value: SyntaxNode, owners: readonly Owner[]): { unit: Unit; node: SyntaxNode } | null {
  const v = unparen(value);
  if (isAttrset(v)) return { unit, node: v };
  const { callee, args } = v.type === "apply_expression" ? applyChain(unit.src, v) : { callee: null, args: [] };
  const path = callee === "import" && args.length === 1 && unparen(args[0]!).type === "path_expression" ? textOf(unit.src, unparen(args[0]!)) : null;
  const target = path !== null ? resolveFilePath(m.ctx.project, unit.path, path) : null;
  if (!target || "reason" in target) return null;
  const file = unitFor(m, target.path, owners);
  let body = file ? field(file.root, "expression") : null;
  while (body && unparen(body).type === "let_expression") body = field(unparen(body), "body");
  return file && body && isAttrset(unparen(body)) ? { unit: file, node: unparen(body) } : null;
}

/** `formats = …;` / `formats.<x> = …;` / `config.formats… = …;` at the top of a module of the unit. */
function formatsDefinitions(unit: Unit): SyntaxNode[] {
  if (unit.kind === "reader") return [];
  const modules = unit.kind === "module" ? [field(unit.root, "expression") ?? unit.root] : [];
  const out: SyntaxNode[] = [];
  for (const module of modules) {
    const shape = moduleShape(unit.src, module);
    if (!shape) continue;
    for (const e of entries(shape.set)) {
      const keys = e.type === "binding" ? attrpathKeys(unit.src, field(e, "attrpath")) : null;
      if (!keys) continue;
      if (keys[0] === "formats" || (keys[0] === "config" && keys[1] === "formats")) out.push(e);
      const value = keys.length === 1 && keys[0] === "config" ? unparen(field(e, "expression")!) : null;
      if (value && isAttrset(value)) {
        for (const inner of entries(value)) if (inner.type === "binding" && attrpathKeys(unit.src, field(inner, "attrpath"))?.[0] === "formats") out.push(inner);
      }
    }
  }
  return out;
}

/** The value of a definition that leaves its `formatConfigs = { … }`, re-indented for its new place. */
function movedValue(fc: FormatConfig): string {
  const src = fc.unit.src;
  const indent = startsLine(src, fc.nested!) ? indentAt(src, fc.nested!) : indentAt(src, fc.entry);
  return reindent(src, fc.value.start, fc.value.end, indentAt(src, fc.entry), indent, []);
}

/** Inserts an entry after `entry`: on a line of its own when it stands on one, else on the same line. */
function insertAfter(src: string, entry: SyntaxNode, text: string): TextEdit {
  const le = lineEndOf(src, entry.end);
  if (startsLine(src, entry) && /^\s*(#.*)?$/.test(src.slice(entry.end, le))) return { start: le, end: le, text: detectEol(src) + indentAt(src, entry) + text };
  return { start: entry.end, end: entry.end, text: " " + text };
}

/** formatConfigs of a built-in format setting formatAttr/fileExtension: those options are gone. */
export function dropFormatOptions(m: Migration, plan: FormatConfigsPlan) {
  for (const p of plan.plans) {
    if (p.variant === null || !lookupFormat(p.fc.name)) continue;
    const { body } = moduleParts(p.fc.value);
    if (!body) continue;
    for (const e of entries(body)) {
      if (e.type !== "binding") continue;
      const key = attrpathKeys(p.fc.unit.src, field(e, "attrpath"))?.join(".");
      if (key !== "formatAttr" && key !== "fileExtension") continue;
      p.fc.unit.edits.push(removeEntry(p.fc.unit.src, e));
      finding(m, p.fc.unit, e, "format-option-removed", `formatConfigs.${p.fc.name}: \`${key}\` was removed, it no longer exists (the ${p.fc.name} image variant defines its own builder and file name)`);
    }
  }
}
