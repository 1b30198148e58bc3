// `….config.formats.<f>` written in text (a script's `nix build`, a CI step, a
// README, a Nix string): all-formats' output for format f. Every NixOS 25.05
// or later configuration has `config.system.build.images.<variant>` itself
// (nixos/modules/image/images.nix is in the module list, docs/upstream.md §E), all-formats or not,
// so a reference with a known format is rewritten; one that cannot be gets an
// error that says what to write.
import type { Rule } from "./meta.js";
import { FORMATS, lookupFormat } from "../../src/formats.js";
import type { TextEdit } from "../../src/edits.js";
import type { RawFinding } from "../../src/types.js";
import type { Range } from "../../src/shell/tokenize.js";
import { clip, finding, oneLine, variantRenames } from "./common.js";

export interface FormatsRef extends Range {
  /** The `formats` key. */
  readonly key: Range;
  /** The format name (inside quotes when quoted), or the dynamic part. */
  readonly name: Range;
  /** The format name when it is written out; null when it is filled in (`${format}`, `$F`, `${{ matrix.format }}`). */
  readonly literal: string | null;
  /** Written after `nixosConfigurations.<host>.`: surely a NixOS configuration's attribute. */
  readonly strong: boolean;
}

/** A part filled in later: `${{ … }}`, `${…}`, `$(X)`, `$X`, `{{ … }}`. */
const DYNAMIC = String.raw`\$\{\{[^}\n]*\}\}|\$\{[^}\n]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{[^}\n]*\}\}`;
/** A documentation placeholder: `<host>`, `<format>`. */
const PLACEHOLDER = String.raw`<[A-Za-z][\w.-]*>`;
/** A host name: written out, quoted, filled in, a placeholder, or a mix (`nixos-${{ matrix.arch }}`). */
const HOST = String.raw`(?:[A-Za-z0-9_'-]|"[^"\n]*"|${DYNAMIC}|${PLACEHOLDER})+`;
const REF = new RegExp(String.raw`(nixosConfigurations\.(?:${HOST})\.)?config\.(formats)\.(?:([A-Za-z0-9_][A-Za-z0-9_-]*|${PLACEHOLDER})|\\?"([^"\n$\\]*)\\?"|(${DYNAMIC}))`, "g");

export const mayHaveFormatsRefs = (text: string) => text.includes("config.formats.");

/** The references in `text[from, to)`. */
export function findFormatsRefs(text: string, from = 0, to = text.length): FormatsRef[] {
  const out: FormatsRef[] = [];
  REF.lastIndex = from;
  for (let m = REF.exec(text); m && m.index < to; m = REF.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (end > to) break;
    if (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1]!)) continue;
    const keyStart = start + (m[1]?.length ?? 0) + "config.".length;
    const key = { start: keyStart, end: keyStart + "formats".length };
    const nameText = m[3] ?? m[4] ?? m[5]!;
    // a quoted name ends with its quote, escaped or not (`\"raw-efi\"` in a shell string)
    const nameStart = end - nameText.length - (m[4] !== undefined ? (m[0].endsWith('\\"') ? 2 : 1) : 0);
    out.push({ start, end, key, name: { start: nameStart, end: nameStart + nameText.length }, literal: m[5] === undefined ? nameText : null, strong: m[1] !== undefined });
  }
  // after `nixosConfigurations.<host>.` a selector not read above is still a reference: reported as not known
  for (const m of text.slice(from, to).matchAll(/nixosConfigurations\.\S*?config\.formats\.(\S*)/g)) {
    const start = from + m.index!;
    if (out.some((r) => r.start <= start + m[0].length - m[1]!.length && start < r.end)) continue;
    const keyStart = start + m[0].length - m[1]!.length - "formats.".length;
    const name = { start: keyStart + "formats.".length, end: start + m[0].length };
    out.push({ start, end: name.end, key: { start: keyStart, end: keyStart + "formats".length }, name, literal: null, strong: true });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** What to do with one reference: its edits and findings (none for a weak reference that is not a format). */
export function migrateFormatsRef(text: string, ref: FormatsRef, whole: string): { edits: TextEdit[]; findings: RawFinding<Rule>[] } {
  const shown = clip(oneLine(text.slice(ref.start, ref.end)), 120);
  const none = { edits: [], findings: [] };
  if (ref.literal === null) {
    if (!ref.strong) return none;
    const dyn = text.slice(ref.name.start, ref.name.end);
    return { edits: [], findings: [finding("dynamic-format", ref.name,
      `\`${shown}\` reads all-formats' \`formats.<format>\` with the format from \`${dyn}\`, which is not known here; every NixOS 25.05 or later configuration has \`config.system.build.images.<variant>\` instead: change the selection and its values by hand (${rowsFor(valuesNear(whole, dyn))})`)] };
  }
  const name = ref.literal;
  if (/^<.*>$/.test(name)) {
    // a template for people (`….config.formats.<format>`): the same template, upstream
    const edits: TextEdit[] = [{ start: ref.key.start, end: ref.key.end, text: "system.build.images" }, { start: ref.name.start, end: ref.name.end, text: "<variant>" }];
    return { edits, findings: [finding("migrated-formats-ref", ref,
      `\`${shown}\` -> \`….config.system.build.images.<variant>\`: all-formats' \`formats.<format>\` is \`system.build.images.<variant>\` of every NixOS 25.05 or later configuration (\`nixgen-migrate --list-formats\` gives each format's variant); ` +
      "it is the image builder's whole output: the file is at `<output>/<image.filePath>`")] };
  }
  const fmt = lookupFormat(name);
  if (!fmt) {
    if (!ref.strong) return none;
    return { edits: [], findings: [finding("unknown-format", ref.name,
      `\`${shown}\`: "${name}" is not a nixos-generators format; if it is a custom format of the flake (\`formatConfigs.${name}\`), it becomes \`image.modules.${name}\` when the flake is migrated, and this reference \`config.system.build.images.${name}\`: change it by hand then`)] };
  }
  if (!fmt.variant) {
    return { edits: [], findings: [finding("unsupported-format", ref.name, `\`${shown}\`: format ${name} has no nixpkgs image variant, so this reference stays: ${fmt.recipe}`)] };
  }
  if (fmt.variantModule) {
    return { edits: [], findings: [finding("cli-needs-configuration", ref.name,
      `\`${shown}\`: format ${name} is the ${fmt.variant} variant plus settings nixpkgs does not have: add \`image.modules.${fmt.variant} = ${fmt.variantModule};\` to the configuration ` +
      `(nixgen-migrate adds it when it migrates the flake that imports all-formats), then change this to \`config.system.build.images.${fmt.variant}\``)] };
  }
  const edits: TextEdit[] = [{ start: ref.key.start, end: ref.key.end, text: "system.build.images" }];
  if (fmt.variant !== name) edits.push({ start: ref.name.start, end: ref.name.end, text: fmt.variant });
  const after = text.slice(ref.start, ref.key.start) + "system.build.images" + text.slice(ref.key.end, ref.name.start) + fmt.variant + text.slice(ref.name.end, ref.end);
  const findings: RawFinding<Rule>[] = [finding("migrated-formats-ref", ref,
    `\`${shown}\` -> \`${clip(oneLine(after), 120)}\`: all-formats' \`formats.${name}\` is \`system.build.images.${fmt.variant}\` of every NixOS 25.05 or later configuration; ` +
    `it is the image builder's whole output, where \`formats.${name}\` was a directory with one link to the file: the file is now at \`<output>/<image.filePath>\` (\`.passthru.filePath\`); ` +
    `settings in \`formatConfigs.${name}\` apply once they are in \`image.modules.${fmt.variant}\` (nixgen-migrate moves them when it migrates the flake)`)];
  if (fmt.difference) {
    findings.push(finding("behaviour-change", ref, `${fmt.format} -> ${fmt.variant}: ${fmt.difference}${fmt.parityModule ? `; to keep nixos-generators' behaviour add \`image.modules.${fmt.variant} = ${fmt.parityModule};\` to the configuration` : ""}`));
  }
  if (fmt.requiresSystem) {
    findings.push(finding("sd-card-system", ref, `format ${fmt.format} maps to the sd-card variant, which picks its SD module from the configuration's platform: make sure the configuration targets ${fmt.requiresSystem} (\`nixpkgs.hostPlatform = "${fmt.requiresSystem}";\`)`));
  }
  if (fmt.newerThan2505) {
    findings.push(finding("variant-needs-newer-nixpkgs", ref, `the ${fmt.variant} variant exists only in nixpkgs newer than 25.05; check with \`nix eval .#nixosConfigurations.<host>.config.system.build.images --apply builtins.attrNames\``));
  }
  return { edits, findings };
}

/** The name a dynamic part reads: `${{ matrix.format }}` -> format, `${FORMAT:-iso}` and `$FORMAT` -> FORMAT, `$(FORMAT)`, `{{format}}`. */
function variableOf(dyn: string): string | null {
  const d = dyn.replace(/^["']|["']$/g, "");
  const m = /^(?:\$\{\{|\{\{|\$\{|\$\(|\$)\s*([A-Za-z_][\w.]*)/.exec(d);
  if (!m) return null;
  const path = m[1]!.split(".");
  return path[path.length - 1] || null;
}

/**
 * Formats the file lists for the variable of a dynamic part: a YAML matrix
 * (`format: [iso, qcow]`, a `- iso` list under `format:`, `format: iso` in
 * a list of maps), a shell loop (`for f in iso qcow`), an assignment
 * (`FORMAT=iso`, `FORMAT := iso`).
 */
export function valuesNear(text: string, dyn: string): string[] {
  const v = variableOf(dyn);
  if (!v) return [];
  const words: string[] = [];
  const esc = v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  for (const m of text.matchAll(new RegExp(String.raw`(?:^|\s)${esc}\s*:\s*\[([^\]\n]*)\]`, "gm"))) words.push(...m[1]!.split(","));
  for (const m of text.matchAll(new RegExp(String.raw`^([ \t]*)${esc}\s*:[ \t]*\r?\n((?:\1[ \t]*-[ \t]*[^\n]*\r?\n?)+)`, "gm"))) words.push(...m[2]!.split("\n").map((l) => l.replace(/^\s*-\s*/, "")));
  for (const m of text.matchAll(new RegExp(String.raw`\bfor\s+${esc}\s+in\s+([^;\n]*)`, "g"))) words.push(...m[1]!.split(/\s+/));
  for (const m of text.matchAll(new RegExp(String.raw`(?:^|[\s;])${esc}\s*(?::=|\?=|=)\s*([^\s;#]+)`, "gm"))) words.push(m[1]!);
  // a matrix of maps: `- name: web\n  format: iso`
  for (const m of text.matchAll(new RegExp(String.raw`^[ \t-]*${esc}[ \t]*:[ \t]*([^\s#{[\]|>][^\s#]*)[ \t]*\r?$`, "gm"))) words.push(m[1]!);
  const names = words.map((w) => w.trim().replace(/^["']|["']$/g, "")).filter((w) => lookupFormat(w) !== undefined);
  return [...new Set(names)];
}

/** format -> variant for the formats given, or the whole table. */
export function rowsFor(formats: readonly string[]): string {
  if (formats.length === 0) return variantRenames();
  return "format -> variant: " + formats.map((f) => {
    const info = lookupFormat(f)!;
    return info.variant ? `${f} -> ${info.variant}${info.variantModule ? " (plus an image.modules entry)" : ""}` : `${f} -> no variant (${FORMATS.find((x) => x.format === f)!.recipe!.split(/[.;:]/)[0]})`;
  }).join(", ");
}
