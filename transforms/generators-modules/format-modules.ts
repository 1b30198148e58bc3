// Reads of what a per-format module (`nixosModules.<format>`) defined, decided
// for all files of the run before anything is rewritten:
//  - `….config.system.build.<formatAttr>` becomes `….config.system.build.images.<variant>`;
//  - `….config.system.build.${….config.formatAttr}` becomes `….config.system.build.images.<variant>`
//    when the configuration has one format module;
//  - any other read of `formatAttr` / `fileExtension` has no equivalent: the module stays in
//    the configurations it concerns (and their `system.build.<formatAttr>` reads with it).
import type { SyntaxNode } from "../../src/parse.js";
import { attrKey, textOf } from "../../src/nix/ast.js";
import { configSelects, finding, keysOf, labels, type ImportSite, type Migration, type Owner, type Unit } from "./model.js";

interface FormatRead {
  readonly unit: Unit;
  readonly node: SyntaxNode;
  readonly owners: readonly Owner[];
  /** The format modules of those configurations that could go. */
  readonly modules: readonly ImportSite[];
  /** What the read becomes once the module goes: the range and its text; null: nothing can replace it. */
  readonly rewrite: { start: number; end: number; text: string } | null;
  readonly option: "formatAttr" | "fileExtension" | "build";
}

/** Format modules (with a variant, that this pass can remove) imported into any of these configurations. */
function formatModulesOf(m: Migration, owners: readonly Owner[]): ImportSite[] {
  return m.imports.filter((i) => i.name !== "all-formats" && i.info?.variant && i.inList && i.owners.some((o) => owners.includes(o)));
}

/** The reads in one file. */
export function formatModuleReads(m: Migration, unit: Unit): FormatRead[] {
  const out: FormatRead[] = [];
  for (const { node, attrs, keys, owners, at: c } of configSelects(m, unit)) {
    const opt = keys[c];
    const modules = formatModulesOf(m, owners);
    if (opt === "formatAttr" || opt === "fileExtension") {
      out.push({ unit, node, owners, modules, option: opt, rewrite: opt === "formatAttr" ? builderRead(unit, node, c, modules) : null });
      continue;
    }
    if (opt !== "system" || keys[c + 1] !== "build" || !attrs[c + 2]) continue;
    const match = modules.find((i) => i.info!.formatAttr === keys[c + 2]);
    if (match) out.push({ unit, node, owners, modules: [match], option: "build", rewrite: { start: attrs[c + 2]!.start, end: attrs[c + 2]!.end, text: `images.${attrKey(match.info!.variant!)}` } });
  }
  return out;
}

/**
 * `X.config.system.build.${X.config.formatAttr}`, `read` being the inner select (its option at `optionAt`):
 * the `system.build.${…}` part and what it becomes, or null.
 */
function builderRead(unit: Unit, read: SyntaxNode, optionAt: number, modules: readonly ImportSite[]): { start: number; end: number; text: string } | null {
  const interpolation = read.parent;
  const outer = interpolation?.type === "interpolation" ? interpolation.parent?.parent : null;
  if (outer?.type !== "select_expression" || interpolation!.parent?.type !== "attrpath") return null;
  const { attrs, keys } = keysOf(unit.src, outer);
  const i = attrs.indexOf(interpolation!);
  if (i !== attrs.length - 1 || keys[i - 1] !== "build" || keys[i - 2] !== "system") return null;
  // the same configuration on both sides: `config` … `config`, or `host.config` … `host.config`
  const innerBase = unit.src.slice(read.start, keysOf(unit.src, read).attrs[optionAt]!.start);
  const outerBase = unit.src.slice(outer.start, attrs[i - 2]!.start);
  if (innerBase !== outerBase) return null;
  const start = attrs[i - 2]!.start;
  // Also for a module's own `config`: such reads were evaluated in the configuration that held the
  // format module, where `system.build.image` no longer exists; `images.<v>` does (a module that is
  // part of configurations of several formats keeps them).
  const variants = new Set(modules.map((mod) => mod.info!.variant!));
  if (variants.size !== 1) return null;
  return { start, end: interpolation!.end, text: `system.build.images.${attrKey([...variants][0]!)}` };
}

/** Decides which format modules stay, then rewrites the reads of the ones that go. */
export function rewriteFormatModuleReads(m: Migration, reads: readonly FormatRead[]) {
  for (const r of reads) {
    if (r.option === "build" || r.rewrite) continue;
    for (const o of r.modules.length ? r.owners : []) o.keepFormatModules = true;
  }
  for (const r of reads) {
    const kept = r.modules.length > 0 && r.owners.some((o) => o.keepFormatModules);
    if (r.option !== "build" && (!r.rewrite || kept)) {
      const stays = r.modules.length ? `; nixosModules.${[...new Set(r.modules.map((mod) => mod.name))].join(", nixosModules.")} stays in ${labels(r.owners)} until it is replaced` : "";
      finding(m, r.unit, r.node, "format-option",
        `\`${r.option}\` was a nixos-generators option and no longer exists; use \`config.system.build.images.<variant>.passthru.filePath\` for the file, \`image.fileName\` / \`image.baseName\` for its name (inside \`image.modules.<variant>\`)${stays}`);
      continue;
    }
    if (kept || !r.rewrite) continue;
    r.unit.edits.push(r.rewrite);
    if (r.option === "formatAttr") {
      const text = textOf(r.unit.src, r.node);
      finding(m, r.unit, r.node, "format-option-read-rewritten",
        `\`system.build.\${${text}}\` is now \`${r.rewrite.text}\`: the image built from this configuration, which no longer includes the format module; the file in it may be named differently (\`.passthru.filePath\` names it)`);
    }
  }
}
