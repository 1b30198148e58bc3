import type { PassMeta, RuleSpec } from "../src/types.js";

export const rules = {
  "nixpkgs-too-old": {
    severity: "error",
    summary: "The flake pins nixpkgs older than 25.05, which has no system.build.images.",
    explanation:
      "`system.build.images`, `image.modules` and `nixos-rebuild build-image` first shipped in NixOS 25.05, so a migrated " +
      "flake would not evaluate on the release it pins. Nothing in the flake (or in its module files) is changed. Move " +
      "nixpkgs to nixos-25.05 or later (`inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-25.05\";`, then " +
      "`nix flake update nixpkgs`), check the flake still builds, and run nixgen-migrate again; or pass " +
      "`--allow-old-nixpkgs` if you will update nixpkgs in the same change.",
  },
  "nixpkgs-may-be-old": {
    severity: "warning",
    summary: "nixpkgs may be older than 25.05: a branch locked before its release, or a commit the tool cannot place.",
    explanation:
      "The flake follows a moving branch (nixos-unstable, master) that flake.lock holds at a date before NixOS 25.05 was " +
      "released, or pins a commit from the months when only unstable had `system.build.images`, or one the tool cannot date. " +
      "The flake was migrated; run `nix flake update nixpkgs` (or pin nixos-25.05 or newer) before building, and check the " +
      "result with `nix flake check`.",
  },
} as const satisfies Record<string, RuleSpec>;

export const meta: PassMeta<typeof rules> = {
  summary: "refuse flakes that pin nixpkgs older than 25.05",
  doc:
    "Runs first on every flake. `system.build.images` and `nixos-rebuild build-image` came with NixOS 25.05: a flake whose " +
    "nixpkgs input is an older release (a release branch or tarball in its URL or in flake.lock, or a commit flake.lock dates " +
    "before November 2024) is not migrated at all, and neither are its module files, unless `--allow-old-nixpkgs` is given. " +
    "A moving branch that flake.lock holds at a date before NixOS 25.05, or a commit it cannot place, gets a warning.",
  rules,
};
