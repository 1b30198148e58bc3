import type { PassMeta, RuleSpec } from "../src/types.js";

export const rules = {
  "flake-lock-pruned": {
    severity: "note",
    summary: "The removed input and the lock nodes only it used were dropped from flake.lock.",
    explanation:
      "flake.nix no longer declares the nixos-generators input, so flake.lock lost the input and the nodes nothing else " +
      "reaches (nixos-generators' own nixpkgs and nixlib), written the way Nix writes the file. Nothing to do; " +
      "`nix flake lock` would make the same change.",
  },
  "flake-lock-not-pruned": {
    severity: "warning",
    summary: "flake.lock could not be pruned safely; run nix flake lock.",
    explanation:
      "flake.lock is not in the form Nix writes, or another input `follows` a node of nixos-generators, so editing it " +
      "could break the lock. It was left as it is: run `nix flake lock` after the migration to drop the input.",
  },
} as const satisfies Record<string, RuleSpec>;

export const meta: PassMeta<typeof rules> = {
  summary: "prune the removed nixos-generators input from flake.lock",
  doc:
    "In the run that removes the nixos-generators input from flake.nix, flake.lock next to it loses the input and every " +
    "node nothing else reaches (nixos-generators' own nixpkgs and nixlib), in the lock's own layout, in the same diff.",
  rules,
};
