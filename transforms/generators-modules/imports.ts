// nixos-generators' module imports: found per configuration, then removed
// (all-formats unless a use of it cannot be migrated; a per-format module
// when its format has a variant).
import { lookupFormat } from "../../src/formats.js";
import type { SyntaxNode } from "../../src/parse.js";
import { attrpathKeys, field, fields, operatorOf, outer } from "../../src/nix/ast.js";
import { generatorsReferences } from "../../src/nix/generators.js";
import { removeEntry, removeRange } from "../../src/nix/layout.js";
import { finding, labels, ownersOf, type ImportSite, type Migration, type Unit } from "./model.js";
import { aloneInRun } from "./units.js";

export function collectImports(m: Migration, unit: Unit) {
  for (const { node, ref } of generatorsReferences(unit.view, unit.root)) {
    if (ref.path[0] !== "nixosModules" || ref.path.length !== 2) continue;
    const name = ref.path[1]!;
    const inList = outer(node).parent?.type === "list_expression";
    m.imports.push({ node, unit, owners: ownersOf(m, unit, node), name, info: name === "all-formats" ? undefined : lookupFormat(name), inList });
  }
}

export function removeImports(m: Migration) {
  for (const site of m.imports) {
    if (site.name === "all-formats") removeAllFormats(m, site);
    else removeFormatModule(m, site);
  }
}

function removeAllFormats(m: Migration, { node, unit, owners }: ImportSite) {
  if (owners.some((o) => o.blocked)) {
    finding(m, unit, node, "all-formats-kept", `the all-formats import stays in ${labels(owners)}: some of its uses cannot be migrated (see the other findings)`);
    return;
  }
  if (!removeListElement(m, unit, node)) return;
  finding(m, unit, node, "all-formats-removed",
    `all-formats removed from ${labels(owners)}: its images are \`config.system.build.images.<variant>\` now; each is the builder's full output (nixos-generators' \`formats.<f>\` was a directory with one symlink): use \`.passthru.filePath\` to find the file` +
      (aloneInRun(m.ctx) ? "; no other file of this run reads `config.formats.<f>` or defines `formatConfigs`: files that do (outputs split into files, modules loaded another way) must be migrated in the same run (`nixgen-migrate .` includes them), or changed by hand" : ""));
}

function removeFormatModule(m: Migration, { node, unit, owners, name, info }: ImportSite) {
  if (!info) {
    finding(m, unit, node, "unknown-format", `nixos-generators has no module "${name}"`);
    return;
  }
  if (!info.variant) {
    finding(m, unit, node, "unsupported-format", `nixosModules.${name} stays: format "${name}" has no nixpkgs image variant. ${info.recipe}`);
    return;
  }
  if (owners.some((o) => o.keepFormatModules)) {
    finding(m, unit, node, "format-module-kept", `nixosModules.${name} stays in ${labels(owners.filter((o) => o.keepFormatModules))}: what it defines (\`formatAttr\`/\`fileExtension\`) is read in a way that has no upstream equivalent (see the format-option errors); replace those reads, then run again`);
    return;
  }
  if (!removeListElement(m, unit, node)) return;
  finding(m, unit, node, "format-module-removed",
    `nixosModules.${name} removed from ${labels(owners)}: left in, it would define system.build.image and switch system.build.images off; ` +
    `the ${info.variant} image is \`config.system.build.images.${info.variant}\`, and the configuration itself no longer includes the ${name} settings` +
    (info.difference ? `; upstream differs: ${info.difference}` : ""));
}

/** Removes a list element (an import), and an `imports = [ ];` left empty; false (reported) when it is not one. */
function removeListElement(m: Migration, unit: Unit, node: SyntaxNode): boolean {
  const el = outer(node);
  const list = el.parent;
  if (list?.type !== "list_expression") {
    finding(m, unit, node, "generators-module", "this nixos-generators module is not an element of a `modules`/`imports` list, so it stays; remove it by hand (and whatever refers to it), then build `config.system.build.images.<variant>` of the configuration");
    return false;
  }
  const elems = fields(list, "element");
  const binding = list.parent?.type === "binding" && list.field === "expression" ? list.parent : null;
  if (elems.length === 1 && binding && attrpathKeys(unit.src, field(binding, "attrpath"))?.join(".") === "imports") {
    unit.edits.push(removeEntry(unit.src, binding));
    return true;
  }
  // `[ the-module ] ++ rest` (or `rest ++ [ the-module ]`): the list and its `++` go, not only the element
  const concat = list.parent;
  if (elems.length === 1 && concat?.type === "binary_expression" && operatorOf(concat) === "++") {
    const left = field(concat, "left")!;
    const right = field(concat, "right")!;
    const edit = left.start === list.start && left.end === list.end ? { start: list.start, end: right.start, text: "" } : { start: left.end, end: list.end, text: "" };
    // only `++` and spaces between them (a comment there stays, with the empty list)
    const between = left.start === list.start ? unit.src.slice(list.end, right.start) : unit.src.slice(left.end, list.start);
    if (/^\s*\+\+\s*$/.test(between)) {
      unit.edits.push(edit);
      return true;
    }
  }
  unit.edits.push(removeRange(unit.src, el.start, el.end));
  return true;
}
