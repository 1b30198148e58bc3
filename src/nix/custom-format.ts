// A nixos-generators custom format module (customFormats.<n> / formatConfigs.<n>)
// as an image variant module: upstream, `image.modules.<n>` must set
// `system.build.image`; nixos-generators' `formatAttr` named the builder and
// `fileExtension` the file, options that no longer exist.
import type { TextEdit } from "../edits.js";
import type { SyntaxNode } from "../parse.js";
import { VARIANTS } from "../formats.js";
import { attrpathKeys, entries, field, fields, moduleParts, stringValue, textOf, unparen } from "./ast.js";
import { removeEntry } from "./layout.js";

export type CustomModuleMigration =
  | { ok: true; edits: TextEdit[]; formatAttr: string }
  | { ok: false; reason: string };

/** The variant name a custom format gets: its own, unless an upstream variant has it. */
export function customVariantName(name: string): string {
  return VARIANTS.includes(name) ? `${name}-custom` : name;
}

/**
 * Edits that turn a custom format module literal into an image variant module:
 * `formatAttr = "X";` -> `system.build.image = config.system.build.X;`,
 * `fileExtension` dropped, `config` added to the arguments.
 */
export function migrateCustomModule(source: string, module: SyntaxNode): CustomModuleMigration {
  const { fn, body } = moduleParts(module);
  if (!body) return { ok: false, reason: "the module is not an attribute set or a function returning one in this file" };
  let formatAttrEntry: SyntaxNode | null = null;
  let formatAttr: string | null = null;
  let setsImage = false;
  const edits: TextEdit[] = [];
  for (const e of entries(body)) {
    if (e.type !== "binding") continue;
    const path = attrpathKeys(source, field(e, "attrpath"))?.join(".");
    if (path === "formatAttr") {
      formatAttrEntry = e;
      formatAttr = stringValue(source, field(e, "expression"));
    } else if (path === "fileExtension") {
      edits.push(removeEntry(source, e));
    } else if (path === "system.build.image" || path?.startsWith("system.build.image.")) {
      setsImage = true;
    }
  }
  if (!setsImage) {
    if (!formatAttrEntry) return { ok: false, reason: "it sets neither `formatAttr` nor `system.build.image`" };
    if (formatAttr === null) return { ok: false, reason: "its `formatAttr` is not a string literal" };
    // mkDefault: a builder module the custom format imports (iso-image.nix, sd-image.nix …)
    // may set system.build.image itself, and two plain definitions would conflict
    edits.push({ start: formatAttrEntry.start, end: formatAttrEntry.end, text: `system.build.image = lib.mkDefault config.system.build.${formatAttr};` });
    // the module needs `config` and `lib`
    if (fn) {
      const formals = field(fn, "formals");
      if (!formals) return { ok: false, reason: "it is a function of one argument, not of module arguments" };
      const names = fields(formals, "formal").map((f) => textOf(source, field(f, "name")!));
      const missing = ["config", "lib"].filter((n) => !names.includes(n));
      if (missing.length) {
        const first = fields(formals, "formal")[0] ?? field(formals, "ellipses");
        if (first) edits.push({ start: first.start, end: first.start, text: missing.map((n) => `${n}, `).join("") });
        else edits.push({ start: formals.children[0]!.end, end: formals.children[0]!.end, text: ` ${missing.join(", ")}, ... ` });
      }
    } else {
      const m = unparen(module);
      edits.push({ start: m.start, end: m.start, text: "{ config, lib, ... }: " });
    }
  } else if (formatAttrEntry) {
    edits.push(removeEntry(source, formatAttrEntry));
  }
  return { ok: true, edits, formatAttr: formatAttr ?? "image" };
}
