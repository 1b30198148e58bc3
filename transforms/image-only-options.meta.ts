import type { PassMeta, RuleSpec } from "../src/types.js";

export const rules = {
  "image-option-moved": {
    severity: "note",
    summary: "An option that exists only in an image variant moved into image.modules.<variant>.",
    explanation:
      "nixos-generators evaluated your modules together with the format's image module; upstream, " +
      "`nixosConfigurations.<host>` is the base configuration and only `image.modules.<variant>` sees the image module's " +
      "options. The definition now sits inside `image.modules.<variant>` (prefixed in place in module files), so the " +
      "configuration evaluates and the image gets the same setting.",
  },
  "image-option-unbuilt": {
    severity: "warning",
    summary: "An option of an image variant the configuration does not build; it stays and fails to evaluate.",
    explanation:
      "The option exists only in an image variant that no configuration using this module builds, so there is no " +
      "`image.modules.<variant>` to move it to. In the base configuration it fails (\"The option … does not exist\"): remove " +
      "it, or build that variant (`config.system.build.images.<variant>`) and run again.",
  },
  "image-option-not-moved": {
    severity: "warning",
    summary: "A definition that may hold image-only options could not be moved automatically.",
    explanation:
      "The definition may set options that exist only in an image variant, but its shape (computed names, a value built by a " +
      "function, a merge the tool cannot split) keeps the tool from moving it. Move the image options into " +
      "`image.modules.<variant> = { … };` by hand.",
  },
  "image-option-removed": {
    severity: "error",
    summary: "The option was removed from nixpkgs; remove the definition.",
    explanation:
      "nixpkgs removed this option (the finding says what replaced it); it fails to evaluate in the base configuration and in " +
      "the image. Remove the definition, or set its replacement inside `image.modules.<variant>`.",
  },
  "generators-option": {
    severity: "error",
    summary: "formatAttr / fileExtension belonged to nixos-generators and exist nowhere now.",
    explanation:
      "`formatAttr` and `fileExtension` were declared by nixos-generators' format module. Remove the definition; a custom " +
      "image variant sets `system.build.image` and `image.extension`/`image.filePath` instead.",
  },
  "moved-value-uses-config": {
    severity: "note",
    summary: "A moved value reads `config`, which is the base configuration, not the image's.",
    explanation:
      "Inside `image.modules.<variant>` written in the base configuration's module, `config` is the base configuration; " +
      "nixos-generators evaluated the value in the image, where the image module may change what it reads. If that matters, " +
      "write the image module as a function: `image.modules.<variant> = { config, ... }: { … };`.",
  },
  "image-module-import": {
    severity: "warning",
    summary: "A direct image-module import switches system.build.images off (nixpkgs 25.05).",
    explanation:
      "A configuration that imports a nixpkgs image module directly (`proxmox-image.nix`, `iso-image.nix` …) defines " +
      "`system.build.image`, and on NixOS 25.05 `system.build.images` then does not exist (newer nixpkgs warns). Remove the " +
      "import and build `config.system.build.images.<variant>`, or move it into `image.modules.<variant>`.",
  },
  "image-module-import-removed": {
    severity: "note",
    summary: "A direct import of the variant's own image module was removed.",
    explanation:
      "The image variant imports this module itself; left in the base configuration it would switch `system.build.images` off " +
      "on NixOS 25.05.",
  },
  "image-module-import-moved": {
    severity: "note",
    summary: "A direct image-module import moved into image.modules.<variant>.",
    explanation:
      "The module adds more than the stock variant (an installer profile, for instance), so it moved into " +
      "`image.modules.<variant>.imports`, where it applies to the image only, instead of being removed.",
  },
  "image-variants-unknown": {
    severity: "note",
    summary: "Which variants a configuration builds is not known statically.",
    explanation:
      "An image of this configuration is selected with a computed variant name, so image-only options found in its modules " +
      "were moved into every variant that declares them. Check the moved definitions and drop the variants you do not build.",
  },
  "module-not-followed": {
    severity: "note",
    summary: "A module could not be followed; it was not checked for image-only options.",
    explanation:
      "The module comes from a flake input, a function call, a computed path or a file outside the repository, so the tool " +
      "did not read it. If it sets options that exist only in an image (`isoImage.*`, `sdImage.*`, `proxmox.*` …), move them " +
      "into `image.modules.<variant>` by hand.",
  },
} as const satisfies Record<string, RuleSpec>;

export const meta: PassMeta<typeof rules> = {
  summary: "variant-only options -> image.modules.<variant>; direct image-module imports removed",
  doc:
    "For every configuration whose images are built, its modules are followed (inline modules, let-bound ones, relative " +
    "paths and directories and their `imports`, inside the repository; never inputs, never by evaluating). Definitions of " +
    "options that exist only in an image variant (`proxmox.qemuConf.*`, `isoImage.*`, `sdImage.*` …) move into " +
    "`image.modules.<variant>` for every variant the configuration builds that declares them, renamed where nixpkgs renamed " +
    "them; direct imports of nixpkgs image modules are removed when the variant imports them itself, or moved into " +
    "`image.modules.<variant>.imports`. Modules that cannot be followed are reported.",
  rules,
};
