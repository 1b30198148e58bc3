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
  "generators-special-arg": {
    severity: "warning",
    summary: "A specialArgs entry that nixos-generators' formats read does nothing in an image variant.",
    explanation:
      "nixos-generators' revisions from February to October 2024 read `specialArgs.diskSize` in the hyperv, proxmox, qcow, " +
      "raw, raw-efi, vm and vmware formats. No image variant reads specialArgs: the disk size of `images.<variant>` is the " +
      "option the finding names (`virtualisation.diskSize`; `vmware.baseImageSize` for vmware before nixpkgs 26.05), set " +
      "inside `image.modules.<variant>`. Add that line to the configuration's modules to keep the size; the specialArgs entry " +
      "can then go. When flake.lock pins a nixos-generators revision that ignored it, nothing changes and nothing is said.",
  },
  "generators-fork": {
    severity: "note",
    summary: "The nixos-generators input is a fork or a local copy; its formats may differ from upstream's table.",
    explanation:
      "The migration maps each format to an image variant with upstream nixos-generators' table (`nixgen-migrate --list-formats`). " +
      "A fork may have changed a format or added one: compare its `formats/` directory with the table, and build the migrated " +
      "images before relying on them.",
  },
  "configuration-without-root": {
    severity: "warning",
    summary: "A configuration created for images has no root file system of its own, so `nix flake check` fails on it.",
    explanation:
      "nixos-generators' formats and upstream's image variants both set a root file system and a boot loader, but a variant " +
      "sets them only inside `images.<variant>`. The `nixosConfigurations.<host>` the migration creates is the configuration " +
      "without any variant, and when none of its modules sets `fileSystems.\"/\"` (a hardware-configuration.nix, disko, " +
      "`boot.isContainer`) it does not evaluate on its own. Its images build as before; `nix flake check`, which evaluates " +
      "every configuration's `system.build.toplevel`, and `nixos-rebuild switch` fail on it. The finding gives a module to " +
      "add when `nix flake check` must pass: a root file system and boot loader at a priority every image variant the " +
      "configuration builds overrides, checked against real nixpkgs to leave those images identical.",
  },
  "variant-platform": {
    severity: "warning",
    summary: "The format built something else on another platform; check the variant for this configuration's platform.",
    explanation:
      "nixos-generators' qcow booted GRUB for EFI on a configuration that is not x86_64-linux; upstream's qemu variant boots " +
      "legacy BIOS only, which such a platform cannot boot. When the call's `system` says which platform it is, the call is " +
      "migrated to the right variant (qemu-efi there); when it does not (a `system` from a function argument, `pkgs`), the " +
      "x86_64 variant stays and this warning says to use `images.qemu-efi` for the other platforms.",
  },
  ...FORMAT_RULES,
} as const satisfies Record<string, RuleSpec>;

/** The id of a rule of this pass: its findings name nothing else. */
export type Rule = keyof typeof rules;

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
