// The image modules a migrated call adds to its configuration: the modules
// some formats need to be that format at all (FormatInfo.variantModule, e.g.
// the Hyper-V guest of install-iso-hyperv) and, with --parity, the ones that
// keep nixos-generators' defaults. A call keeps exactly its own formats'
// modules: when two of its formats build one variant with different modules
// (install-iso and install-iso-hyperv through one helper), that variant's
// module is chosen by the call's format expression:
//   image.modules.iso-installer = { install-iso-hyperv = …; }.${format} or { };
import { attrKey } from "../../src/nix/ast.js";
import type { FormatInfo } from "../../src/formats.js";
import type { Call } from "./model.js";

/** What decides the image modules of a format: --parity. */
export interface ModuleChoice {
  readonly parity: boolean;
}

/**
 * The modules of one format for its variant, in order: variantModule,
 * forcedModule, then parityModule with --parity.
 */
function modulesOf(i: FormatInfo, c: ModuleChoice): string[] {
  const mods: string[] = [];
  if (i.variantModule) mods.push(i.variantModule);
  if (i.forcedModule) mods.push(i.forcedModule);
  // with --parity also where the pinned release has no difference (measured: the system is the same)
  if (c.parity && i.parityModule) mods.push(i.parityModule);
  return mods;
}

/** The image modules a format adds to its variant, as one string (equal strings: the same modules). */
export function moduleSignature(i: FormatInfo, c: ModuleChoice): string {
  return modulesOf(i, c).join("|");
}

/** One module expression of a list of modules. */
function oneModule(mods: readonly string[]): string {
  return mods.length === 1 ? mods[0]! : `{ imports = [ ${mods.map((m) => `(${m})`).join(" ")} ]; }`;
}

/** `image.modules.<v> = …;` lines for formats that need them (always, or with --parity). */
export function extraModules(infos: readonly FormatInfo[], c: ModuleChoice): string[] | null {
  const parts = new Map<string, string[]>();
  for (const i of infos) {
    for (const m of modulesOf(i, c)) {
      const list = parts.get(i.variant!) ?? [];
      if (!list.includes(m)) list.push(m);
      parts.set(i.variant!, list);
    }
  }
  if (parts.size === 0) return null;
  return [...parts].map(([v, mods]) => `image.modules.${v} = ${oneModule(mods)};`);
}

/** Two formats of the call that build one variant with different image modules (null: none). */
export function conflictingFormats(call: Call, c: ModuleChoice): { a: FormatInfo; b: FormatInfo } | null {
  const seen = new Map<string, FormatInfo>();
  for (const i of call.infos) {
    const other = seen.get(i.variant!);
    if (other && moduleSignature(other, c) !== moduleSignature(i, c)) return { a: other, b: i };
    if (!other) seen.set(i.variant!, i);
  }
  return null;
}

/**
 * The `image.modules.<v> = …;` lines of one call built in place: a variant
 * its formats want with different modules gets each format's own.
 */
export function callImageModules(call: Call, c: ModuleChoice): string[] | null {
  if (!conflictingFormats(call, c)) return extraModules(call.infos, c);
  const byVariant = new Map<string, FormatInfo[]>();
  for (const i of call.infos) byVariant.set(i.variant!, [...(byVariant.get(i.variant!) ?? []), i]);
  const lines: string[] = [];
  for (const [variant, infos] of byVariant) {
    const signatures = new Set(infos.map((i) => moduleSignature(i, c)));
    if (signatures.size === 1) {
      const mods = modulesOf(infos[0]!, c);
      if (mods.length) lines.push(`image.modules.${variant} = ${oneModule(mods)};`);
      continue;
    }
    const entries = infos.flatMap((i) => {
      const mods = modulesOf(i, c);
      return mods.length ? [`${attrKey(i.format)} = ${oneModule(mods)};`] : [];
    });
    lines.push(`image.modules.${variant} = { ${entries.join(" ")} }.${formatSelector(call)} or { };`);
  }
  return lines.length ? lines : null;
}

/** `${format}` / `${(expr)}` for the call's format expression. */
function formatSelector(call: Call): string {
  const expr = call.formatExpr!;
  return /^[A-Za-z_][\w'-]*$/.test(expr) ? `\${${expr}}` : `\${(${expr})}`;
}
