// Phase 2: what each call builds. The formats a call can have (literal, or
// listed statically in the file), each mapped to its image variant; custom
// formats become image variant modules. A call that cannot be migrated is
// reported here and goes no further.
import { applyEdits } from "../../src/edits.js";
import { lookupFormat, type FormatInfo } from "../../src/formats.js";
import type { SyntaxNode } from "../../src/parse.js";
import { attrKey, attrpathKeys, entries, field, stringValue, textOf, unparen } from "../../src/nix/ast.js";
import { customVariantName, migrateCustomModule } from "../../src/nix/custom-format.js";
import { compareRelease } from "../../src/nix/flake.js";
import { relativePath } from "../../src/nix/module-graph.js";
import { resolveName, variableName } from "../../src/nix/scope.js";
import { nameStrings, possibleStrings } from "../../src/nix/values.js";
import { arg, emptyOutput, finding, lineOf, type Call, type CallFile, type CallRule, type Output } from "./model.js";

const NIXOS_SYSTEM_ARGS = new Set(["system", "modules", "specialArgs", "pkgs", "lib"]);
const KNOWN_ARGS = new Set([...NIXOS_SYSTEM_ARGS, "format", "customFormats", "nixosSystem"]);

/** Custom format modules already migrated in this run of the pass (a customFormats set shared by several calls). */
export interface MigratedCustomModules {
  readonly modules: Set<SyntaxNode>;
  readonly files: Set<string>;
}

export function migratedCustomModules(): MigratedCustomModules {
  return { modules: new Set(), files: new Set() };
}

/**
 * Works out the formats of a call (sets `call.formats`, `formatExpr`, `infos`);
 * `ok` false when it cannot be migrated (reported).
 */
export function classifyCall(file: CallFile, call: Call, release: string | null, migrated: MigratedCustomModules): Output & { ok: boolean } {
  const out = emptyOutput();
  const fail = (node: { start: number; end: number }, rule: CallRule, message: string) => {
    out.findings.push(finding(node, rule, message));
    return { ...out, ok: false };
  };
  for (const a of call.argEntries) {
    if (!KNOWN_ARGS.has(a.key)) return fail(a.entry, "unmigratable-call", `nixosGenerate has no argument \`${a.key}\`; remove it, then run again`);
  }
  const customs = customFormats(file, call, migrated, out);
  if (customs === null) return { ...out, ok: false };
  const f = arg(call, "format");
  if (!f) return fail(call.node, "unmigratable-call", "nixosGenerate without `format`: add the format, then run again");
  let values;
  if (f.kind === "binding") values = possibleStrings(file.src, f.value!);
  else if (f.kind === "inherit") values = nameStrings(file.src, f.entry, "format");
  else values = { known: false as const, at: f.entry, reason: "`inherit (…) format` is not a literal" };
  if (!values.known) {
    const here = lineOf(file, f.entry);
    const where = lineOf(file, values.at);
    const expr = f.kind === "binding" ? textOf(file.src, f.value!) : "format";
    const elsewhere = where !== here ? ` (line ${where}: ${values.reason})` : ` (${values.reason})`;
    return fail(f.entry, "dynamic-format",
      `the format \`${expr.length > 60 ? expr.slice(0, 57) + "..." : expr}\` is not known in this file${elsewhere}; ` +
      `write the format as a literal (\`format = "iso";\`, or a literal list such as \`genAttrs [ "iso" "qcow" ] (format: …)\`) and run again, ` +
      `or migrate by hand to \`<configuration>.config.system.build.images.<variant>\` (\`nixgen-migrate --list-formats\` lists the variants)`);
  }
  const formats = [...new Set(values.values)];
  call.formats = formats;
  call.formatExpr = f.kind === "binding" && stringValue(file.src, f.value!) !== null ? null : f.kind === "inherit" ? "format" : textOf(file.src, unparen(f.value!));
  if (call.formatExpr !== null && formats.length === 1) call.formatExpr = null;
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
    } else call.infos.push(info);
  }
  return { ...out, ok };
}

/**
 * `customFormats = { <name> = M; }`: each becomes a format whose variant is
 * `image.modules.<name>` = M as an image variant module (formatAttr ->
 * system.build.image). A string is the reason one cannot be migrated; null:
 * the whole argument cannot (reported).
 */
function customFormats(file: CallFile, call: Call, migrated: MigratedCustomModules, out: Output): Map<string, FormatInfo | string> | null {
  const formats = new Map<string, FormatInfo | string>();
  const a = arg(call, "customFormats");
  if (!a) return formats;
  // a literal here, or a name bound to a literal (`inherit customFormats;`): then the
  // modules are migrated where they are defined and referred to by name
  let set: SyntaxNode | null = a.kind === "binding" ? unparen(a.value!) : null;
  let shared: string | null = null;
  if (set?.type === "variable_expression" || a.kind === "inherit") {
    const name = a.kind === "inherit" ? "customFormats" : variableName(file.src, set!)!;
    const d = resolveName(file.src, a.kind === "inherit" ? a.entry : set!, name).definition;
    set = d?.kind === "binding" && d.value ? unparen(d.value) : null;
    shared = name;
  }
  if (!set || set.type !== "attrset_expression") {
    out.findings.push(finding(a.entry, "unmigratable-call", "customFormats is not an attribute set literal in this file: move each custom format to `image.modules.<name>` (it must set `system.build.image`; drop formatAttr/fileExtension) and build `config.system.build.images.<name>` by hand"));
    return null;
  }
  for (const e of entries(set)) {
    if (e.type !== "binding") continue;
    const keys = attrpathKeys(file.src, field(e, "attrpath"));
    const name = keys?.length === 1 ? keys[0]! : null;
    const module = field(e, "expression");
    if (!name || !module) continue;
    const variant = customVariantName(name);
    const m = customModule(file, module, shared ? `${shared}.${attrKey(name)}` : null, migrated, out);
    if (!m.ok) {
      formats.set(name, `custom format "${name}": ${m.reason}; define it as \`image.modules.${variant} = { config, lib, ... }: { …; system.build.image = config.system.build.<builder>; };\` (no formatAttr/fileExtension) and build \`config.system.build.images.${variant}\``);
      continue;
    }
    formats.set(name, { format: name, variant, formatAttr: "image", fileExtension: "", variantModule: m.text });
  }
  return formats;
}

/**
 * The custom module as image variant module text. With `sharedRef`, the
 * module is migrated where it stands and referred to by that expression; a
 * module file is migrated in place and referred to by its path.
 */
function customModule(file: CallFile, module: SyntaxNode, sharedRef: string | null, migrated: MigratedCustomModules, out: Output): { ok: true; text: string } | { ok: false; reason: string } {
  const m = unparen(module);
  const path = relativePath(file.src, m, file.ctx.path);
  if (path) {
    const parsed = file.ctx.project.inside(path) ? file.ctx.project.parse(path) : undefined;
    if (!parsed || parsed.error) return { ok: false, reason: `${path} could not be read` };
    const body = field(parsed.root, "expression");
    const r = body ? migrateCustomModule(parsed.source, body) : { ok: false as const, reason: "the file is empty" };
    if (!r.ok) return { ok: false, reason: `${path}: ${r.reason}` };
    if (r.edits.length && !migrated.files.has(path)) out.otherFiles.push({ path, edits: r.edits });
    migrated.files.add(path);
    return { ok: true, text: textOf(file.src, m) };
  }
  const r = migrateCustomModule(file.src, m);
  if (!r.ok) return r;
  if (sharedRef) {
    if (!migrated.modules.has(m)) out.edits.push(...r.edits);
    migrated.modules.add(m);
    return { ok: true, text: sharedRef };
  }
  const shifted = r.edits.map((e) => ({ start: e.start - m.start, end: e.end - m.start, text: e.text }));
  return { ok: true, text: applyEdits(textOf(file.src, m), shifted) };
}
