// all-formats' `formatConfigs.<f> = M` (a module applied only in format f's
// evaluation) becomes `image.modules.<variant> = M` (default priority: it
// extends the stock variant module). Custom formats become
// `image.modules.<name>` when their module shows its builder (`formatAttr`).
import { lookupFormat } from "../../src/formats.js";
import type { SyntaxNode } from "../../src/parse.js";
import { attrKey, attrName, attrpathKeys, descendants, entries, field, fields, isAttrset, moduleParts, unparen } from "../../src/nix/ast.js";
import { customVariantName, migrateCustomModule } from "../../src/nix/custom-format.js";
import { removeEntry } from "../../src/nix/layout.js";
import { finding, ownerOf, type Migration, type Unit } from "./model.js";

/** One format's definition: `formatConfigs.<n> = M;`, or `<n> = M;` inside `formatConfigs = { … };` (nested). */
interface FormatConfig {
  readonly entry: SyntaxNode;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly nameAttr: SyntaxNode;
  readonly name: string;
  readonly value: SyntaxNode;
  readonly nested: SyntaxNode | null;
}

/** `formatConfigs.<n> = M;` and `formatConfigs = { <n> = M; };` bindings. */
function formatConfigEntries(unit: Unit): FormatConfig[] {
  const src = unit.src;
  const out: FormatConfig[] = [];
  for (const n of descendants(unit.root)) {
    if (n.type !== "binding") continue;
    const attrs = fields(field(n, "attrpath")!, "attr");
    const keys = attrs.map((a) => attrName(src, a));
    const at = keys.indexOf("formatConfigs");
    if (at < 0 || (at > 0 && keys[at - 1] !== "config")) continue;
    const value = field(n, "expression")!;
    if (attrs[at + 1]) {
      const name = keys[at + 1];
      if (name) out.push({ entry: n, keyStart: attrs[at]!.start, keyEnd: attrs[at + 1]!.end, nameAttr: attrs[at + 1]!, name, value, nested: null });
    } else if (isAttrset(unparen(value))) {
      for (const inner of entries(unparen(value))) {
        if (inner.type !== "binding") continue;
        const ia = fields(field(inner, "attrpath")!, "attr");
        const name = attrName(src, ia[0]!);
        if (name) out.push({ entry: inner, keyStart: ia[0]!.start, keyEnd: ia[0]!.end, nameAttr: ia[0]!, name, value: field(inner, "expression")!, nested: n });
      }
    }
  }
  return out;
}

/** Names defined by `formatConfigs.<n>` in the unit that are not built-in formats. */
export function customFormats(m: Migration, unit: Unit): Set<string> {
  let names = m.customNames.get(unit);
  if (!names) {
    names = new Set();
    for (const { name } of formatConfigEntries(unit)) if (!lookupFormat(name)) names.add(name);
    m.customNames.set(unit, names);
  }
  return names;
}

/** `formatConfigs.<f> = M` -> `image.modules.<variant> = M` */
export function rewriteFormatConfigs(m: Migration, unit: Unit) {
  const src = unit.src;
  const renamedParents = new Set<SyntaxNode>();
  for (const fc of formatConfigEntries(unit)) {
    const owner = ownerOf(m, unit, fc.entry);
    const info = lookupFormat(fc.name);
    let variant: string;
    if (info) {
      if (!info.variant) {
        finding(m, unit, fc.entry, "unsupported-format", `formatConfigs.${fc.name}: format "${fc.name}" has no nixpkgs image variant, so it stays with all-formats. ${info.recipe}`);
        owner.blocked = true;
        continue;
      }
      variant = info.variant;
      dropFormatOptions(m, unit, fc.value, fc.name);
    } else {
      const custom = migrateCustomModule(src, fc.value);
      if (!custom.ok) {
        finding(m, unit, fc.entry, "custom-format", `custom format "${fc.name}": ${custom.reason}. Define it as \`image.modules.${customVariantName(fc.name)} = { config, ... }: { …; system.build.image = config.system.build.<builder>; };\` (no formatAttr/fileExtension) and build \`config.system.build.images.${customVariantName(fc.name)}\``);
        owner.blocked = true;
        continue;
      }
      unit.edits.push(...custom.edits);
      variant = customVariantName(fc.name);
      finding(m, unit, fc.entry, "custom-format-migrated", `custom format "${fc.name}" is now the image variant \`${variant}\` (system.build.image = lib.mkDefault config.system.build.${custom.formatAttr}); \`passthru.filePath\` needs \`image.filePath\`: import "\${modulesPath}/image/file-options.nix" and set image.extension/image.filePath if you use it`);
    }
    if (fc.nested) {
      // formatConfigs = { iso = …; }  ->  image.modules = { iso = …; }
      if (!renamedParents.has(fc.nested)) {
        renamedParents.add(fc.nested);
        const attrs = fields(field(fc.nested, "attrpath")!, "attr");
        const at = attrs.findIndex((a) => attrName(src, a) === "formatConfigs");
        unit.edits.push({ start: attrs[at]!.start, end: attrs[at]!.end, text: "image.modules" });
      }
      if (variant !== fc.name) unit.edits.push({ start: fc.keyStart, end: fc.keyEnd, text: attrKey(variant) });
    } else {
      unit.edits.push({ start: fc.keyStart, end: fc.keyEnd, text: `image.modules.${attrKey(variant)}` });
    }
  }
}

/** formatConfigs of a built-in format setting formatAttr/fileExtension: those options are gone. */
function dropFormatOptions(m: Migration, unit: Unit, module: SyntaxNode, name: string) {
  const { body } = moduleParts(module);
  if (!body) return;
  for (const e of entries(body)) {
    if (e.type !== "binding") continue;
    const key = attrpathKeys(unit.src, field(e, "attrpath"))?.join(".");
    if (key !== "formatAttr" && key !== "fileExtension") continue;
    unit.edits.push(removeEntry(unit.src, e));
    finding(m, unit, e, "format-option-removed", `formatConfigs.${name}: \`${key}\` was removed, it no longer exists (the ${name} image variant defines its own builder and file name)`);
  }
}
