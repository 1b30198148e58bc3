import type { PassMeta, RuleSpec } from "../src/types.js";
import { FORMAT_RULES } from "./format-rules.js";

export const rules = {
  "migrated-call": {
    severity: "note",
    summary: "A nixosGenerate call now builds an image of a NixOS configuration.",
    explanation:
      "The call became `self.nixosConfigurations.<host>.config.system.build.images.<variant>` (or a configuration built in " +
      "place): the same attribute still builds the image, and `nixos-rebuild build-image --flake .#<host> --image-variant " +
      "<variant>` builds it too.",
  },
  "unmigratable-call": {
    severity: "error",
    summary: "The call's arguments cannot be migrated automatically.",
    explanation:
      "The call passes something the tool cannot carry over exactly (an argument nixosGenerate does not take, a " +
      "`nixosSystem` it cannot see, arguments built by a function). It is left as it is; the finding names the argument. " +
      "Rewrite it as `nixpkgs.lib.nixosSystem { … }` plus `.config.system.build.images.<variant>` by hand.",
  },
  "inline-configuration": {
    severity: "note",
    summary: "The configuration uses variables of its surroundings, so it is built in place.",
    explanation:
      "The arguments use variables that exist only around the call (`system` from `forAllSystems (system: …)`), so the " +
      "configuration cannot move to `nixosConfigurations`; it is built where the call was: " +
      "`(nixpkgs.lib.nixosSystem { … }).config.system.build.images.<variant>`. `nixos-rebuild build-image` needs a " +
      "`nixosConfigurations.<host>`: add one if you want to use it.",
  },
  "nixpkgs-source-changed": {
    severity: "warning",
    summary: "Images are now built from your nixpkgs instead of nixos-generators' own pin.",
    explanation:
      "Without `inputs.nixos-generators.inputs.nixpkgs.follows = \"nixpkgs\"`, nixosGenerate used nixos-generators' own pinned " +
      "nixpkgs for its modules (and packages, unless `pkgs` was given). The migrated configuration uses your `nixpkgs` input: " +
      "package versions and module defaults may change. Build and test the images.",
  },
  "host-option-ignored": {
    severity: "warning",
    summary: "--host applies only when one configuration is created.",
    explanation:
      "`--host NAME` names the new `nixosConfigurations.<NAME>` only when the migration creates exactly one; this run " +
      "created several (or none), which got their names from the attributes they are bound to. Rename them by hand if needed.",
  },
  ...FORMAT_RULES,
} as const satisfies Record<string, RuleSpec>;

export const meta: PassMeta<typeof rules> = {
  summary: "nixosGenerate calls -> nixosConfigurations + config.system.build.images.<variant>",
  doc:
    "`nixos-generators.nixosGenerate { format = \"qcow\"; … }` (however the input is reached and named) becomes " +
    "`nixosConfigurations.<host> = nixpkgs.lib.nixosSystem { … }` plus `self.nixosConfigurations.<host>.config.system.build.images.qemu`; " +
    "calls with the same arguments share one configuration. When the arguments use variables of their surroundings, or the " +
    "call is in a module or library file, the configuration is built in place. Formats without an image variant are left " +
    "alone and reported with a recipe.",
  rules,
};
