import type { PassMeta, RuleSpec } from "../src/types.js";

export const rules = {
  "non-flake-generators": {
    severity: "error",
    summary: "nixos-generators fetched without flakes (fetchTarball, niv, npins): migrate by hand.",
    explanation:
      "nixos-generators is fetched here without flakes (`fetchTarball`, `fetchFromGitHub`, niv or npins `sources`, a " +
      "`<nixos-generators>` channel), so there is no flake input to remove. Build images with nixpkgs' own builder instead: " +
      "`nixos-rebuild build-image --image-variant <variant>` (with `NIXOS_CONFIG=<absolute path>` or `-I nixos-config=…`), or " +
      "`nix-build '<nixpkgs/nixos>' -A config.system.build.images.<variant>`; then drop the source (e.g. `niv drop nixos-generators`).",
  },
  "generators-package": {
    severity: "note",
    summary: "The nixos-generators package (the retired nixos-generate CLI) is installed here.",
    explanation:
      "`pkgs.nixos-generators` (or `nixos-generators` in a `with pkgs;` list) is the nixos-generate command-line tool from " +
      "nixpkgs, not the flake input: removing the input does not affect it, and it does not keep the input. The tool is " +
      "retired; NixOS 25.05 and later build images with `nixos-rebuild build-image --image-variant <variant>`. Remove the " +
      "package once no script runs nixos-generate (nixgen-migrate rewrites the command lines it finds).",
  },
} as const satisfies Record<string, RuleSpec>;

export const meta: PassMeta<typeof rules> = {
  summary: "report nixos-generators fetched without flakes (fetchTarball, niv, npins, channels) or installed as a package",
  doc:
    "`fetchTarball \"…/nixos-generators/…\"`, `fetchFromGitHub { repo = \"nixos-generators\"; }`, niv/npins " +
    "`sources.nixos-generators` and `<nixos-generators>` have no call to rewrite; each is reported with the non-flake recipe. " +
    "The nixpkgs package `pkgs.nixos-generators` (the nixos-generate CLI) gets a note.",
  rules,
};
