/**
 * non-flake-generators: nixos-generators fetched without flakes —
 * `fetchTarball "…/nixos-generators/…"`, `fetchFromGitHub { repo = "nixos-generators"; }`,
 * niv/npins `sources.nixos-generators`, a `<nixos-generators>` channel. There
 * is no call to rewrite there; each is reported with the non-flake recipe.
 */
import { meta } from "./non-flake-generators.meta.js";
import type { PassOutput, RawFinding, Transform } from "../src/types.js";
import type { SyntaxNode } from "../src/parse.js";
import { attrName, calleeName, descendants, field, fields, textOf } from "../src/nix/ast.js";
import { resolveName, variableName } from "../src/nix/scope.js";
import { generatorsView, type GeneratorsView } from "../src/nix/generators.js";

const RECIPE =
  "nixos-generators is retired: NixOS 25.05 builds images itself. Without flakes, build with " +
  "`nixos-rebuild build-image --image-variant <variant>` (NIXOS_CONFIG=/path/to/configuration.nix) or " +
  "`nix-build '<nixpkgs/nixos>' -A config.system.build.images.<variant>` (variants: `nixgen-migrate --list-formats`), " +
  "then drop this source (`niv drop nixos-generators`, `npins remove nixos-generators`)";

export const nonFlakeGenerators: Transform<typeof meta.rules> = {
  id: "non-flake-generators",
  ...meta,
  appliesTo: (path) => path.endsWith(".nix"),
  needles: ["nixos-generators"],
  input: "nix",
  run(ctx): PassOutput {
    const src = ctx.text;
    const findings: RawFinding[] = [];
    let view: GeneratorsView | null | undefined;
    const report = (node: SyntaxNode, what: string) =>
      findings.push({ rule: "non-flake-generators", message: `${what}. ${RECIPE}`, start: node.start, end: node.end });
    for (const n of descendants(ctx.file!.root)) {
      if (n.type === "apply_expression") {
        const fn = field(n, "function")!;
        const name = calleeName(src, fn);
        if (!name || !/^(fetchTarball|fetchurl|fetchGit|fetchFromGitHub|fetchzip|fetchgit)$/.test(name)) continue;
        const arg = field(n, "argument")!;
        if (textOf(src, arg).includes("nixos-generators")) report(n, `nixos-generators is fetched with ${name} here`);
      } else if (n.type === "select_expression") {
        // niv / npins: sources.nixos-generators
        const base = field(n, "expression")!;
        const baseName = variableName(src, base);
        const first = fields(field(n, "attrpath")!, "attr")[0];
        if (baseName && /^(sources|npins|pins)$/.test(baseName) && first && attrName(src, first) === "nixos-generators") {
          report(n, `nixos-generators comes from ${baseName}.nixos-generators (niv/npins) here`);
        } else if (isPackageReference(src, n, () => (view ??= generatorsView(src, ctx.file!.root, ctx.path, ctx.project)))) {
          findings.push({ rule: "generators-package", message: PACKAGE_NOTE, start: n.start, end: n.end });
        }
      } else if (n.type === "spath_expression" && /<nixos-generators[/>]/.test(textOf(src, n))) {
        report(n, "nixos-generators comes from the <nixos-generators> channel here");
      } else if (n.type === "variable_expression" && isPackageReference(src, n, () => (view ??= generatorsView(src, ctx.file!.root, ctx.path, ctx.project)))) {
        findings.push({ rule: "generators-package", message: PACKAGE_NOTE, start: n.start, end: n.end });
      }
    }
    return { edits: [], findings };
  },
};

export default nonFlakeGenerators;

const PACKAGE = "nixos-generators";
const PACKAGE_NOTE =
  "this is nixos-generators' command-line tool (nixos-generate) as a package, which is retired: NixOS 25.05 and later build " +
  "images with `nixos-rebuild build-image --image-variant <variant>` (nixos-rebuild is part of every NixOS system); remove " +
  "the package once no script runs nixos-generate (nixgen-migrate rewrites those it finds)";

/**
 * `pkgs.nixos-generators`, `with pkgs; [ nixos-generators ]`: the nixpkgs package of that name, not the flake input
 * (what the view resolves to the input, `inputs.nixos-generators`, `sources.nixos-generators`, is something else).
 */
function isTheInput(n: SyntaxNode, view: GeneratorsView | null): boolean {
  const r = view?.ref(n);
  return !!r && (r.input === view!.name || r.input === null);
}

function isPackageReference(src: string, n: SyntaxNode, view: () => GeneratorsView | null): boolean {
  if (n.type === "select_expression") {
    if (n.parent?.type === "select_expression" && n.field === "expression") return false;
    const keys = fields(field(n, "attrpath")!, "attr").map((a) => attrName(src, a));
    if (keys.at(-1) !== PACKAGE) return false;
    const base = keys.length > 1 ? null : field(n, "expression")!;
    const before = keys.length > 1 ? keys.at(-2) : variableName(src, base!) ?? (base!.type === "select_expression" ? attrName(src, fields(field(base!, "attrpath")!, "attr").at(-1)!) : null);
    if (before === "inputs" || before === "inputs'" || (before && /^(sources|npins|pins)$/.test(before))) return false;
    return !isTheInput(n, view());
  }
  if (n.type === "variable_expression" && variableName(src, n) === PACKAGE) {
    const r = resolveName(src, n, PACKAGE);
    return !r.definition && r.withs.length > 0 && !isTheInput(n, view());
  }
  return false;
}
