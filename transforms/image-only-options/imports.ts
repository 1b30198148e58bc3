// Direct imports of nixpkgs modules that build an image themselves
// (`proxmox-image.nix`, `installation-cd-minimal.nix` …): left in a
// configuration they define `system.build.image`, which switches
// `system.build.images` off on nixpkgs 25.05. Removed when the variant
// imports the module itself, moved into `image.modules.<v>.imports` when it
// adds more (installer profiles), flagged otherwise.
import type { TextEdit } from "../../src/edits.js";
import type { SyntaxNode } from "../../src/parse.js";
import { attrKey, attrpathKeys, field, fields, outer, textOf } from "../../src/nix/ast.js";
import { removeEntry, removeRange } from "../../src/nix/layout.js";
import type { ModuleWalk } from "../../src/nix/module-walk.js";
import { imageModule } from "../../src/variant-options.js";
import { variantsOf } from "./definitions.js";
import { fileEdit, finding, labels, type Changes, type Config, type ImportSite } from "./model.js";

/** The nixpkgs modules the walk met that build an image. */
export function imageImports(walk: ModuleWalk<Config>): ImportSite[] {
  const out: ImportSite[] = [];
  for (const site of walk.nixpkgsModules.values()) {
    const info = imageModule(site.path);
    // other nixpkgs modules declare their own options
    if (info) out.push({ ...site, info, display: textOf(site.file.src, site.node) });
  }
  return out;
}

export function rewriteImports(sites: readonly ImportSite[]): Changes {
  const out: Changes = { edits: [], findings: [] };
  for (const site of sites) {
    const builds = variantsOf(site.configs);
    const src = site.file.src;
    const targets = site.info.provides.filter((v) => builds.has(v));
    if (targets.length === 0) {
      const what = site.info.provides.length ? `the ${site.info.provides.join(" / ")} image` : "an image";
      out.findings.push(finding(site.file, site.node, "image-module-import",
        `\`${site.display}\` builds ${what} itself (it sets \`system.build.image\`), which switches \`system.build.images\` off for ${labels(site.configs)} on nixpkgs 25.05 ` +
        `(newer nixpkgs warns); ${labels(site.configs)} ${site.configs.size > 1 ? "build" : "builds"} none of its variants: ` +
        (site.info.provides.length ? `remove the import and build \`config.system.build.images.${site.info.provides[0]}\`, or move it into \`image.modules.${site.info.provides[0]}\`` : "keep it out of configurations that build images")));
      continue;
    }
    const lossless = targets.every((v) => site.info.includedBy.includes(v));
    if (lossless) {
      out.edits.push(fileEdit(site.file, removeElement(src, site.element)));
      out.findings.push(finding(site.file, site.node, "image-module-import-removed",
        `removed the import of \`${site.display}\`: images.${targets.join(" and images.")} import${targets.length > 1 ? "" : "s"} it already, and with it in ${labels(site.configs)} \`system.build.images\` would not exist on nixpkgs 25.05`));
    } else {
      const el = textOf(src, site.element);
      const inner = targets.map((v) => `image.modules.${attrKey(v)}.imports = [ ${el} ];`).join(" ");
      out.edits.push(fileEdit(site.file, { start: site.element.start, end: site.element.end, text: `{ ${inner} }` }));
      out.findings.push(finding(site.file, site.node, "image-module-import-moved",
        `\`${site.display}\` builds an image itself (it sets \`system.build.image\`), which would switch \`system.build.images\` off for ${labels(site.configs)} on nixpkgs 25.05: ` +
        `moved into ${targets.map((v) => `\`image.modules.${v}\``).join(" and ")}, where it adds what the stock variant module lacks` +
        (/installation-|installer/.test(site.display) ? "; the installer's generated /etc/nixos/configuration.nix (installer.cloneConfig) no longer lists it, since it only lists nixosSystem's own modules" : "")));
    }
  }
  return out;
}

/** Removes a list element, and an `imports = [ … ];` it leaves empty. */
function removeElement(src: string, element: SyntaxNode): TextEdit {
  const list = outer(element).parent;
  const binding = list?.type === "list_expression" && list.field === "expression" && list.parent?.type === "binding" ? list.parent : null;
  if (binding && fields(list!, "element").length === 1 && attrpathKeys(src, field(binding, "attrpath"))?.join(".") === "imports") return removeEntry(src, binding);
  return removeRange(src, outer(element).start, outer(element).end);
}
