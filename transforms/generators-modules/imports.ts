// nixos-generators' module imports: found per configuration, then removed
// (all-formats unless a use of it cannot be migrated; a per-format module
// when its format has a variant).
import { lookupFormat } from "../../src/formats.js";
import type { SyntaxNode } from "../../src/parse.js";
import { attrpathKeys, field, fields, outer } from "../../src/nix/ast.js";
import { generatorsReferences } from "../../src/nix/generators.js";
import { removeEntry, removeRange } from "../../src/nix/layout.js";
import { finding, ownerOf, type Migration, type Unit } from "./model.js";
import { aloneInRun } from "./units.js";

export function collectImports(m: Migration, unit: Unit) {
  for (const { node, ref } of generatorsReferences(unit.view, unit.root)) {
    if (ref.path[0] !== "nixosModules" || ref.path.length !== 2) continue;
    const name = ref.path[1]!;
    const owner = ownerOf(m, unit, node);
    if (name === "all-formats") owner.allFormats.push({ node, unit });
    else owner.formatModules.push({ node, unit, info: lookupFormat(name), name });
  }
}

export function removeImports(m: Migration) {
  for (const owner of m.owners.values()) {
    for (const { node, unit } of owner.allFormats) {
      if (owner.blocked) {
        finding(m, unit, node, "all-formats-kept", `the all-formats import stays in ${owner.label}: some of its uses cannot be migrated (see the other findings)`);
        continue;
      }
      removeListElement(m, unit, node);
      finding(m, unit, node, "all-formats-removed",
        `all-formats removed from ${owner.label}: its images are \`config.system.build.images.<variant>\` now; each is the builder's full output (nixos-generators' \`formats.<f>\` was a directory with one symlink): use \`.passthru.filePath\` to find the file` +
          (aloneInRun(m.ctx) ? "; no other file of this run reads `config.formats.<f>`: files that do (outputs split into files) must be migrated in the same run (`nixgen-migrate .` includes them), or changed by hand" : ""));
    }
    for (const fm of owner.formatModules) {
      if (!fm.info) {
        finding(m, fm.unit, fm.node, "unknown-format", `nixos-generators has no module "${fm.name}"`);
        continue;
      }
      if (!fm.info.variant) {
        finding(m, fm.unit, fm.node, "unsupported-format", `nixosModules.${fm.name} stays: format "${fm.name}" has no nixpkgs image variant. ${fm.info.recipe}`);
        continue;
      }
      removeListElement(m, fm.unit, fm.node);
      finding(m, fm.unit, fm.node, "format-module-removed",
        `nixosModules.${fm.name} removed from ${owner.label}: left in, it would define system.build.image and switch system.build.images off; ` +
        `the ${fm.info.variant} image is \`config.system.build.images.${fm.info.variant}\`, and the configuration itself no longer includes the ${fm.name} settings` +
        (fm.info.difference ? `; upstream differs: ${fm.info.difference}` : ""));
    }
  }
}

/** Removes a list element (an import), and an `imports = [ ];` left empty. */
function removeListElement(m: Migration, unit: Unit, node: SyntaxNode) {
  const el = outer(node);
  const list = el.parent;
  if (list?.type !== "list_expression") {
    finding(m, unit, node, "generators-module", "this nixos-generators module is not an element of a `modules`/`imports` list; remove it by hand");
    return;
  }
  const elems = fields(list, "element");
  const binding = list.parent?.type === "binding" && list.field === "expression" ? list.parent : null;
  if (elems.length === 1 && binding && attrpathKeys(unit.src, field(binding, "attrpath"))?.join(".") === "imports") {
    unit.edits.push(removeEntry(unit.src, binding));
    return;
  }
  unit.edits.push(removeRange(unit.src, el.start, el.end));
}
