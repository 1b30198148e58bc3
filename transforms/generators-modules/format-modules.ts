// Reads of what a per-format module (`nixosModules.<format>`) defined:
// `….config.system.build.<formatAttr>` becomes
// `….config.system.build.images.<variant>`; `formatAttr`/`fileExtension`
// themselves are reported with their replacement.
import { attrKey } from "../../src/nix/ast.js";
import { configSelects, finding, type Migration, type Unit } from "./model.js";

export function rewriteFormatAttrUses(m: Migration, unit: Unit) {
  for (const { node: n, attrs, keys, owner, at: c } of configSelects(m, unit)) {
    const opt = keys[c];
    if (opt === "formatAttr" || opt === "fileExtension") {
      finding(m, unit, n, "format-option", `\`${opt}\` was a nixos-generators option and no longer exists; use \`config.system.build.images.<variant>.passthru.filePath\` for the file, \`image.fileName\` / \`image.baseName\` for its name (inside \`image.modules.<variant>\`)`);
      continue;
    }
    if (opt !== "system" || keys[c + 1] !== "build" || !attrs[c + 2]) continue;
    const name = keys[c + 2]!;
    const match = owner.formatModules.find((fm) => fm.info?.variant && fm.info.formatAttr === name);
    if (!match) continue;
    unit.edits.push({ start: attrs[c + 2]!.start, end: attrs[c + 2]!.end, text: `images.${attrKey(match.info!.variant!)}` });
  }
}
