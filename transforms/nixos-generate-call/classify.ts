// Phase 2: what each call builds. The formats a call can have (literal, or
// listed statically in the file), each mapped to its image variant; custom
// formats become image variant modules. A call that cannot be migrated is
// reported here and goes no further.
import type { Rule } from "../nixos-generate-call.meta.js";
import { applyEdits, type TextEdit } from "../../src/edits.js";
import { FORMATS, lookupFormat, variantRenames, type FormatInfo } from "../../src/formats.js";
import type { SyntaxNode } from "../../src/parse.js";
import { attrKey, attrpathKeys, entries, field, fields, stringValue, textOf, unparen } from "../../src/nix/ast.js";
import { customVariantName, migrateCustomModule } from "../../src/nix/custom-format.js";
import { compareRelease } from "../../src/nix/flake.js";
import { relativePath } from "../../src/nix/module-graph.js";
import { resolveName, variableName } from "../../src/nix/scope.js";
import { nameStrings, possibleStrings, stringSelection } from "../../src/nix/values.js";
import { nixosSystemText } from "./references.js";
import { arg, emptyOutput, finding, lineOf, type ArgEntry, type Call, type CallFile, type CallRule, type FormatSelection, type Output } from "./model.js";
import type { RawFinding } from "../../src/types.js";

const NIXOS_SYSTEM_ARGS = new Set(["system", "modules", "specialArgs", "pkgs", "lib"]);
const KNOWN_ARGS = new Set([...NIXOS_SYSTEM_ARGS, "format", "customFormats", "nixosSystem"]);

/** A call's classification: its findings, whether it can be migrated, and the custom modules it migrates in place. */
export interface Classified {
  readonly findings: RawFinding<Rule>[];
  readonly ok: boolean;
  readonly pending: PendingCustomModule[];
}

/**
 * Works out the formats of a call (sets `call.formats`, `formatExpr`, `infos`);
 * `ok` false when it cannot be migrated (reported).
 */
export function classifyCall(file: CallFile, call: Call, np: string): Classified {
  const release = file.release;
  const out = emptyOutput();
  const fail = (node: { start: number; end: number }, rule: CallRule, message: string): Classified => {
    out.findings.push(finding(node, rule, message));
    return { findings: out.findings, ok: false, pending: [] };
  };
  for (const a of call.argEntries) {
    if (!KNOWN_ARGS.has(a.key)) return fail(a.entry, "unmigratable-call", `nixosGenerate has no argument \`${a.key}\`; remove it, then run again`);
  }
  const custom = customFormats(file, call, out);
  if (custom === null) return { findings: out.findings, ok: false, pending: [] };
  const customs = custom.formats;
  const f = arg(call, "format");
  if (!f) return fail(call.node, "unmigratable-call", "nixosGenerate without `format`: add the format, then run again");
  let values;
  if (f.kind === "binding") values = possibleStrings(file.src, f.value!);
  else if (f.kind === "inherit") values = nameStrings(file.src, f.entry, "format");
  else values = { known: false as const, at: f.entry, reason: "`inherit (…) format` is not a literal" };
  if (!values.known) {
    const here = lineOf(file, f.entry);
    const where = lineOf(file, values.at);
    const expr = f.kind === "binding" ? textOf(file.src, f.value!) : f.kind === "inherit" ? "format" : `${textOf(file.src, f.value!)}.format`;
    const elsewhere = where !== here ? ` (line ${where}: ${values.reason})` : ` (${values.reason})`;
    const e = /^[A-Za-z_][\w'-]*$/.test(expr) ? expr : `(${expr})`;
    const renames = variantRenames().map(([format, variant]) => `${attrKey(format)} = "${variant}";`).join(" ");
    return fail(f.entry, "dynamic-format",
      `the format \`${expr.length > 60 ? expr.slice(0, 57) + "..." : expr}\` is not known in this file${elsewhere}. ` +
      `Make its values visible here (a literal, \`format = "iso";\`, or a literal list, \`genAttrs [ "iso" "qcow" ] (format: …)\`) and run again, ` +
      `or by hand: replace \`${textOf(file.src, call.fn)}\` by \`(${nixosSystemText(file, call, np, call.node)}\`, drop the \`format\` argument and add ` +
      `\`).config.system.build.images.\${{ ${renames} }.\${${e}} or ${e}}\` after the call's closing brace ` +
      `(${FORMATS.filter((x) => x.variantModule || x.forcedModule).map((x) => x.format).join(", ")} also need their \`image.modules\` entry, and ` +
      `${FORMATS.filter((x) => !x.variant).map((x) => x.format).join(", ")} have no variant: \`nixgen-migrate --list-formats\`)`);
  }
  const formats = [...new Set(values.values)];
  call.formats = formats;
  call.formatExpr = f.kind === "binding" && stringValue(file.src, f.value!) !== null ? null : f.kind === "inherit" ? "format" : textOf(file.src, unparen(f.value!));
  if (call.formatExpr !== null && formats.length === 1) call.formatExpr = null;
  if (call.formatExpr !== null && f.kind === "binding") call.selection = formatSelection(file, f.value!);
  let ok = true;
  for (const name of formats) {
    // a custom format shadows the built-in one of the same name, as in nixosGenerate
    const custom = customs.get(name);
    if (custom) {
      if (typeof custom === "string") {
        out.findings.push(finding(f.entry, "custom-format", custom));
        ok = false;
      } else call.infos.push(custom);
      continue;
    }
    const info = lookupFormat(name);
    if (!info) {
      out.findings.push(finding(f.entry, "unknown-format", `"${name}" is not a nixos-generators format (see \`nixgen-migrate --list-formats\`); the call is left as it is`));
      ok = false;
    } else if (!info.variant) {
      out.findings.push(finding(f.entry, "unsupported-format", `format "${name}" has no nixpkgs image variant; the call is left as it is and nixos-generators stays. ${info.recipe}`));
      ok = false;
    } else if (info.newerThan2505 && release && compareRelease(release, "25.05") <= 0) {
      out.findings.push(finding(f.entry, "unsupported-format", `the ${info.variant} variant is not in nixpkgs ${release}, which this flake pins (it was added after 25.05); the call is left as it is: update nixpkgs to a newer release (or unstable), then run again, or keep nixos-generators for this output`));
      ok = false;
    } else {
      // tests of --verify only: a deliberately wrong variant (MigrateOptions.testSwapVariant)
      const swapped = file.ctx.options.testSwapVariant?.[info.variant];
      const platform = onPlatform(file, call, swapped ? { ...info, variant: swapped } : info);
      if (platform.warning) out.findings.push(finding(f.entry, "variant-platform", platform.warning));
      call.infos.push(...platform.infos);
      if (platform.system) call.bySystem.set(name, platform.system);
    }
  }
  return { findings: out.findings, ok, pending: custom.pending };
}

/**
 * A format that built something else on a configuration that is not
 * x86_64-linux (qcow: GRUB for EFI) maps to that variant when the call's
 * system says so; when its system is an expression, the variant is chosen by
 * it (`system` is returned: both variants' infos are); with no system to read,
 * the x86_64 variant stays, with a warning.
 */
function onPlatform(file: CallFile, call: Call, info: FormatInfo): { infos: FormatInfo[]; system?: string; warning?: string } {
  if (!info.notX86) return { infos: [info] };
  const base = lookupFormat(info.notX86)!;
  const sys = arg(call, "system");
  const values = sys?.kind === "binding" ? possibleStrings(file.src, sys.value!) : sys?.kind === "inherit" ? nameStrings(file.src, sys.entry, "system") : null;
  const why = `nixos-generators' ${info.format} booted GRUB for EFI on a configuration that is not x86_64-linux, which upstream's ${info.variant} variant (legacy BIOS) cannot boot`;
  const other: FormatInfo = {
    ...base, format: info.format, diskSizeOption: info.diskSizeOption, parityModule: info.parityModuleNotX86 ?? base.parityModule,
    difference: `${why}, so ${info.format} images of other platforms are the ${base.variant} variant: ${info.differenceNotX86 ?? base.difference}`,
    // measured on aarch64-linux: with the parity module, only the partition table and the /boot mount remain
    differenceWithParity: `upstream's ${base.variant} image has an EFI partition table with /boot (vfat) mounted, instead of a hybrid table`,
  };
  if (values?.known && values.values.length && values.values.every((v) => v === "x86_64-linux")) return { infos: [info] };
  if (values?.known && values.values.length && values.values.every((v) => v !== "x86_64-linux")) return { infos: [other] };
  // the platform as nixosGenerate took it: `system`, else `pkgs`' own
  const pkgs = arg(call, "pkgs");
  const from = sys ?? pkgs;
  if (from) {
    const name = sys ? "system" : "pkgs";
    let text = from.kind === "inherit" ? name : from.kind === "inherit-from" ? `${textOf(file.src, from.value!)}.${name}` : textOf(file.src, unparen(from.value!));
    if (!/^[A-Za-z_][\w'.-]*$/.test(text)) text = `(${text})`;
    return { infos: [info, other], system: sys ? text : `${text}.stdenv.hostPlatform.system` };
  }
  return {
    infos: [info],
    warning: `this call names neither \`system\` nor \`pkgs\` (which nixosGenerate needed), so its platform is the one its modules set: ${why}. It was migrated to the ${info.variant} variant, ` +
      `which is right for x86_64-linux; for another platform use \`images.${base.variant}\` (what ${info.notX86} migrates to)`,
  };
}

/** `format = { <key> = "<format>"; … }.${KEY}` with one format per key (then each key's variant is picked the same way). */
function formatSelection(file: CallFile, value: SyntaxNode): FormatSelection | null {
  const sel = stringSelection(file.src, value);
  if (!sel || sel.fallbackIsKey || sel.byKey.some(([, v]) => v.length !== 1) || (sel.fallback && sel.fallback.length !== 1)) return null;
  return { byKey: sel.byKey.map(([k, v]) => [k, v[0]!] as const), key: sel.key, fallback: sel.fallback?.[0] ?? null };
}

/** A custom format module, and how the migrated call refers to it. */
interface CustomEntry {
  readonly name: string;
  readonly module: SyntaxNode;
  /** `customFormats.<name>` when the set is bound to a name (the module is migrated where it stands). */
  readonly sharedRef: string | null;
  /** What other calls can share: the module file's path, or the module in a named set; null: this call's own. */
  readonly key: CustomKey | null;
}

/** A custom format module other calls can use too: its file, or its place in a named set. */
export type CustomKey = SyntaxNode | string;

/**
 * The entries of a call's `customFormats`: a literal here, or a name bound to a
 * literal (`inherit customFormats;`), whose modules are migrated where they
 * are defined and referred to by name. null: no customFormats; a finding: it
 * is not a literal.
 */
function customEntries(file: CallFile, call: Call): CustomEntry[] | RawFinding<Rule> | null {
  const all = call.argEntries.filter((x) => x.key === "customFormats");
  const isDotted = (x: ArgEntry) => x.kind === "binding" && fields(field(x.entry, "attrpath")!, "attr").length > 1;
  // `customFormats.<name> = M;` entries of the call's own set (Nix merges them with a `customFormats = { … };`)
  const dotted = all.filter(isDotted).flatMap((x) => dottedEntry(file, x.entry));
  const a = all.find((x) => !isDotted(x));
  if (!a) return all.length ? dotted : null;
  let set: SyntaxNode | null = a.kind === "binding" ? unparen(a.value!) : null;
  let shared: string | null = null;
  if (set?.type === "variable_expression" || a.kind === "inherit") {
    const name = a.kind === "inherit" ? "customFormats" : variableName(file.src, set!)!;
    const d = resolveName(file.src, a.kind === "inherit" ? a.entry : set!, name).definition;
    set = d?.kind === "binding" && d.value ? unparen(d.value) : null;
    shared = name;
  }
  if (!set || set.type !== "attrset_expression") {
    return finding(a.entry, "unmigratable-call", "customFormats is not an attribute set literal in this file: move each custom format to `image.modules.<name>` (it must set `system.build.image`; drop formatAttr/fileExtension) and build `config.system.build.images.<name>` by hand");
  }
  const out: CustomEntry[] = [];
  for (const e of entries(set)) {
    if (e.type !== "binding") continue;
    const keys = attrpathKeys(file.src, field(e, "attrpath"));
    const name = keys?.length === 1 ? keys[0]! : null;
    const module = field(e, "expression");
    if (!name || !module) continue;
    const m = unparen(module);
    const path = relativePath(file.src, m, file.ctx.path);
    out.push({ name, module: m, sharedRef: shared ? `${shared}.${attrKey(name)}` : null, key: path ?? (shared ? m : null) });
  }
  return [...out, ...dotted];
}

/** `customFormats.<name> = M;`: one custom format of the call (nothing for a deeper or dynamic path). */
function dottedEntry(file: CallFile, entry: SyntaxNode): CustomEntry[] {
  const keys = attrpathKeys(file.src, field(entry, "attrpath"));
  const module = field(entry, "expression");
  if (keys?.length !== 2 || !module) return [];
  const m = unparen(module);
  return [{ name: keys[1]!, module: m, sharedRef: null, key: relativePath(file.src, m, file.ctx.path) }];
}

/**
 * The custom format modules a call left as it is keeps using: nixosGenerate
 * imports the module of its format only, any of them when the format is not known.
 */
export function customModuleKeys(file: CallFile, call: Call): CustomKey[] {
  const entries = customEntries(file, call);
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((e) => (e.key === null || (call.formats && !call.formats.includes(e.name)) ? [] : [e.key]));
}

/**
 * `customFormats = { <name> = M; }`: each becomes a format whose variant is
 * `image.modules.<name>` = M as an image variant module (formatAttr ->
 * system.build.image), and the edits that migrate M where it is. A string is
 * the reason one cannot be migrated; null: the whole argument cannot (reported).
 */
function customFormats(file: CallFile, call: Call, out: Output): { formats: Map<string, FormatInfo | string>; pending: PendingCustomModule[] } | null {
  const formats = new Map<string, FormatInfo | string>();
  const pending: PendingCustomModule[] = [];
  const entries = customEntries(file, call);
  if (entries === null) return { formats, pending };
  if (!Array.isArray(entries)) {
    out.findings.push(entries);
    return null;
  }
  for (const e of entries) {
    const variant = customVariantName(e.name);
    const m = customModule(file, e);
    if (!m.ok) {
      formats.set(e.name, `custom format "${e.name}": ${m.reason}; define it as \`image.modules.${variant} = { config, lib, ... }: { …; system.build.image = config.system.build.<builder>; };\` (no formatAttr/fileExtension) and build \`config.system.build.images.${variant}\``);
      continue;
    }
    if (m.migration) pending.push({ name: e.name, key: e.key, ...m.migration });
    formats.set(e.name, { format: e.name, variant, formatAttr: "image", fileExtension: "", variantModule: m.text });
  }
  return { formats, pending };
}

/** Edits that migrate a shared custom format module where it is; made once every call that uses it is migrated. */
export interface PendingCustomModule {
  /** The custom format's name. */
  readonly name: string;
  readonly key: CustomKey | null;
  /** Edits in this file, or in the module file `path`. */
  readonly edits: TextEdit[];
  readonly path?: string;
}

/**
 * The custom module as image variant module text. With `sharedRef`, the
 * module is migrated where it stands and referred to by that expression; a
 * module file is migrated in place and referred to by its path; otherwise the
 * text is a migrated copy.
 */
function customModule(file: CallFile, e: CustomEntry): { ok: true; text: string; migration?: { edits: TextEdit[]; path?: string } } | { ok: false; reason: string } {
  const m = e.module;
  const path = typeof e.key === "string" ? e.key : null;
  if (path) {
    const parsed = file.ctx.project.inside(path) ? file.ctx.project.parse(path) : undefined;
    if (!parsed || parsed.error) return { ok: false, reason: `${path} could not be read` };
    const body = field(parsed.root, "expression");
    const r = body ? migrateCustomModule(parsed.source, body) : { ok: false as const, reason: "the file is empty" };
    if (!r.ok) return { ok: false, reason: `${path}: ${r.reason}` };
    return { ok: true, text: textOf(file.src, m), migration: { edits: r.edits, path } };
  }
  const r = migrateCustomModule(file.src, m);
  if (!r.ok) return r;
  if (e.sharedRef) return { ok: true, text: e.sharedRef, migration: { edits: r.edits } };
  const shifted = r.edits.map((x) => ({ start: x.start - m.start, end: x.end - m.start, text: x.text }));
  return { ok: true, text: applyEdits(textOf(file.src, m), shifted) };
}
