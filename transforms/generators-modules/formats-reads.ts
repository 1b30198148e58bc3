// Reads of all-formats' outputs: `….config.formats.<f>` becomes
// `….config.system.build.images.<variant>` (valid on every NixOS >= 25.05
// configuration, all-formats or not); a read that cannot be attributed or
// mapped keeps the all-formats import.
import { lookupFormat } from "../../src/formats.js";
import type { SyntaxNode } from "../../src/parse.js";
import { attrKey, attrName, descendants, field, textOf } from "../../src/nix/ast.js";
import { customVariantName } from "../../src/nix/custom-format.js";
import { possibleStrings } from "../../src/nix/values.js";
import { allFormatsImporters, configSelects, finding, keysOf, labels, ownersOfConfigPath, type Migration, type Owner, type Unit } from "./model.js";

export function rewriteFormatsUses(m: Migration, unit: Unit) {
  for (const { node: n, attrs, keys, owners, at: fi } of configSelects(m, unit)) {
    if (keys[fi] !== "formats") continue;
    const opaque = owners.filter((o) => m.formatConfigs?.opaqueOwners.has(o));
    if (opaque.length) {
      finding(m, unit, n, "all-formats-use", `this read of \`config.formats\` stays: ${labels(opaque)} ${opaque.length > 1 ? "define" : "defines"} \`formats\` or \`formatConfigs\` in a way this tool does not read (see there), so what \`formats.<f>\` builds is not known here, and the all-formats import stays`);
      continue;
    }
    const fAttr = attrs[fi + 1];
    if (!fAttr) {
      finding(m, unit, n, "all-formats-use", "`config.formats` as a whole has no upstream equivalent; use `config.system.build.images` (its names are image variants, see `nixgen-migrate --list-formats`)");
      for (const o of owners) o.blocked = true;
      continue;
    }
    const replacement = imagesAccess(m, unit, fAttr, owners);
    if (!replacement) {
      for (const o of owners) o.blocked = true;
      continue;
    }
    unit.edits.push({ start: attrs[fi]!.start, end: fAttr.end, text: replacement });
  }
}

/**
 * `<x>.config.formats.<f>` where this pass cannot tell whose configuration `<x>` is (a `let`
 * binding, a function argument): left as it is, it would break once the import goes, so every
 * all-formats import stays until it is changed by hand.
 */
export function reportUnfollowedFormatsReads(m: Migration, unit: Unit): UnfollowedRead[] {
  // only where an import may be removed (a module file's own run under such a flake decides nothing)
  const importers = allFormatsImporters(m);
  if (importers.length === 0) return [];
  const out: UnfollowedRead[] = [];
  for (const node of descendants(unit.root)) {
    if (node.type !== "select_expression") continue;
    const { keys } = keysOf(unit.src, node);
    const at = keys.findIndex((k, i) => k === "config" && keys[i + 1] === "formats");
    if (at < 0 || ownersOfConfigPath(m, unit, node, keys)) continue;
    finding(m, unit, node, "all-formats-use", "a configuration's `config.formats` is read here through something this tool does not follow; change it to `config.system.build.images.<variant>` by hand (`nixgen-migrate --list-formats`), then run again: until then the all-formats import stays");
    for (const owner of importers) owner.blocked = true;
    const name = keys[at + 2];
    out.push({ unit, node, format: name === undefined || name === "\0dynamic" ? null : name });
  }
  return out;
}

/** A read of `config.formats` whose configuration is not known: `format` null when not literal (or the whole set). */
export interface UnfollowedRead {
  readonly unit: Unit;
  readonly node: SyntaxNode;
  readonly format: string | null;
}

/** `system.build.images.<v>` (or `.${…}`) for a `formats` key; null (reported) when not mappable. */
function imagesAccess(m: Migration, unit: Unit, attr: SyntaxNode, owners: readonly Owner[]): string | null {
  const src = unit.src;
  const name = attrName(src, attr);
  if (name !== null) {
    const v = variantFor(m, unit, name, attr, owners);
    return v === null ? null : `system.build.images.${attrKey(v)}`;
  }
  // formats.${expr} with a known set of values
  const expr = attr.type === "interpolation" ? field(attr, "expression") ?? attr.children.find((c) => c.named) : null;
  const values = expr ? possibleStrings(src, expr) : null;
  if (!expr || !values?.known) {
    finding(m, unit, attr, "dynamic-format", "the format in `formats.${…}` is not known in this file; use `system.build.images.<variant>` by hand (`nixgen-migrate --list-formats`)");
    return null;
  }
  const renames: string[] = [];
  for (const f of values.values) {
    const v = variantFor(m, unit, f, attr, owners);
    if (v === null) return null;
    if (v !== f) renames.push(`${attrKey(f)} = "${v}";`);
  }
  const e = textOf(src, expr);
  return renames.length ? `system.build.images.\${{ ${renames.join(" ")} }.\${${e}} or ${e}}` : `system.build.images.\${${e}}`;
}

/** The variant a format name builds (custom formatConfigs keep their name); reports when there is none. */
function variantFor(m: Migration, unit: Unit, name: string, at: SyntaxNode, owners: readonly Owner[]): string | null {
  const info = lookupFormat(name);
  if (info?.variant && m.formatConfigs?.kept.has(name)) {
    finding(m, unit, at, "all-formats-use", `\`formats.${name}\` stays: the \`formatConfigs.${name}\` definition cannot be migrated (see there), and with it left the image would lose its settings; the all-formats import stays`);
    for (const o of owners) o.blocked = true;
    return null;
  }
  if (info?.variant) return info.variant;
  if (info) {
    finding(m, unit, at, "unsupported-format", `format "${name}" has no nixpkgs image variant, so this use and the all-formats import stay. ${info.recipe}`);
    return null;
  }
  if (m.formatConfigs?.custom.has(name)) return customVariantName(name);
  if (m.formatConfigs?.kept.has(name)) {
    finding(m, unit, at, "all-formats-use", `\`formats.${name}\` stays: the definition of the custom format "${name}" cannot be migrated (see there), so neither can its reads, and the all-formats import stays`);
    for (const o of owners) o.blocked = true;
    return null;
  }
  finding(m, unit, at, "unknown-format", `"${name}" is neither a nixos-generators format nor a custom format defined in the files of this run; the all-formats import stays`);
  for (const o of owners) o.blocked = true;
  return null;
}
