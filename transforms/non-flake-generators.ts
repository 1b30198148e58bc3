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
import { variableName } from "../src/nix/scope.js";

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
        }
      } else if (n.type === "spath_expression" && /<nixos-generators[/>]/.test(textOf(src, n))) {
        report(n, "nixos-generators comes from the <nixos-generators> channel here");
      }
    }
    return { edits: [], findings };
  },
};

export default nonFlakeGenerators;
