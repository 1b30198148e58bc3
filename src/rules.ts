// Every rule id a finding can carry, with its severity and a one-line summary
// (used by reports, SARIF rule descriptors and the README).
import type { Severity } from "./types.js";

export interface RuleInfo {
  readonly severity: Severity;
  readonly summary: string;
}

export const RULES: Record<string, RuleInfo> = {
  "nixpkgs-too-old": { severity: "error", summary: "The flake pins nixpkgs older than 25.05, which has no system.build.images." },
  "flake-lock-pruned": { severity: "note", summary: "The removed input and the lock nodes only it used were dropped from flake.lock." },
  "flake-lock-not-pruned": { severity: "warning", summary: "flake.lock could not be pruned safely; run nix flake lock." },
  "all-formats-removed": { severity: "note", summary: "The all-formats module import went; its formats are image variants now." },
  "all-formats-kept": { severity: "warning", summary: "The all-formats import stays because some formats cannot be migrated." },
  "all-formats-use": { severity: "error", summary: "A use of all-formats' options that has no direct upstream equivalent." },
  "format-module-removed": { severity: "note", summary: "A nixos-generators per-format module import went; use the image variant." },
  "format-option": { severity: "error", summary: "A read of formatAttr/fileExtension, options that no longer exist: replace it by hand." },
  "format-option-removed": { severity: "note", summary: "A formatAttr/fileExtension definition was dropped: the options no longer exist." },
  "format-option-read-rewritten": { severity: "note", summary: "A read of system.build.${config.formatAttr} now reads system.build.images.<variant>." },
  "format-module-kept": { severity: "warning", summary: "A per-format module stays because what it defines is read in a way that cannot be migrated." },
  "custom-format": { severity: "error", summary: "A custom format whose module cannot be turned into an image variant module." },
  "custom-format-migrated": { severity: "note", summary: "A custom format became an image variant module." },
  "generators-module": { severity: "error", summary: "A nixos-generators module used in a way the tool cannot rewrite." },
  "non-flake-generators": { severity: "error", summary: "nixos-generators fetched without flakes (fetchTarball, niv, npins): migrate by hand." },
  "syntax-error": { severity: "error", summary: "The file does not parse; nothing in it was changed." },
  "internal-error": { severity: "error", summary: "The migration produced invalid output; nothing was changed." },
  "migrated-call": { severity: "note", summary: "A nixosGenerate call now builds an image of a NixOS configuration." },
  "unsupported-format": { severity: "error", summary: "The format has no nixpkgs image variant; the call is left as it is." },
  "unknown-format": { severity: "error", summary: "The format is not one of nixos-generators' formats." },
  "dynamic-format": { severity: "error", summary: "The format is not known statically; change the lines named by hand." },
  "unmigratable-call": { severity: "error", summary: "The call's arguments cannot be migrated automatically." },
  "inline-configuration": { severity: "note", summary: "The configuration uses variables of its surroundings, so it is built in place." },
  "nixpkgs-source-changed": { severity: "warning", summary: "Images are now built from your nixpkgs instead of nixos-generators' own pin." },
  "sd-card-system": { severity: "warning", summary: "sd-card picks its SD module from the configuration's platform." },
  "variant-needs-newer-nixpkgs": { severity: "warning", summary: "The variant exists only in nixpkgs newer than 25.05." },
  "behaviour-change": { severity: "note", summary: "The upstream variant's defaults differ from nixos-generators'." },
  "output-paths": { severity: "note", summary: "Image file names and paths change; use passthru.filePath." },
  "generators-input-kept": { severity: "warning", summary: "The nixos-generators input is still used, so it stays." },
  "host-option-ignored": { severity: "warning", summary: "--host applies only when one configuration is created." },
  "unused-input-check": { severity: "note", summary: "Other files can reach the inputs; check they do not use nixos-generators." },
  // nixos-generate-cli (command lines in scripts, Makefiles, justfiles, CI YAML, Markdown)
  "migrated-cli": { severity: "note", summary: "A nixos-generate command line now runs nixos-rebuild (build-image, build-vm)." },
  "cli-unsupported-flag": { severity: "error", summary: "A nixos-generate flag has no nixos-rebuild counterpart; the command is left as it is." },
  "cli-invalid-arguments": { severity: "error", summary: "The arguments are not valid for nixos-generate or not known statically; the command is left as it is." },
  "cli-needs-configuration": { severity: "error", summary: "The format needs an image.modules entry in the configuration first; the command is left as it is." },
  "cli-unmigratable": { severity: "error", summary: "The command cannot be rewritten exactly in its context; it is left as it is." },
  "cli-old-nixpkgs": { severity: "error", summary: "The command builds with nixpkgs older than 25.05, which has no build-image." },
  "cli-dropped-flag": { severity: "warning", summary: "A flag that nixos-generate ignored was removed." },
  "cli-default-configuration": { severity: "warning", summary: "Without -c or --flake, nixos-rebuild builds a different default configuration." },
  "cli-config-path": { severity: "warning", summary: "NIXOS_CONFIG must be an absolute path." },
  "cli-not-rewritten": { severity: "warning", summary: "nixos-generate(s) is mentioned where no command line is rewritten; check it by hand." },
  "cli-list": { severity: "note", summary: "--list became build-image without a variant: it lists the configuration's variants and exits 1." },
  // image-only-options (options that exist only inside an image variant)
  "image-option-moved": { severity: "note", summary: "An option that exists only in an image variant moved into image.modules.<variant>." },
  "image-option-unbuilt": { severity: "warning", summary: "An option of an image variant the configuration does not build; it stays and fails to evaluate." },
  "image-option-not-moved": { severity: "warning", summary: "A definition that may hold image-only options could not be moved automatically." },
  "image-option-removed": { severity: "error", summary: "The option was removed from nixpkgs; remove the definition." },
  "generators-option": { severity: "error", summary: "formatAttr / fileExtension belonged to nixos-generators and exist nowhere now." },
  "moved-value-uses-config": { severity: "note", summary: "A moved value reads `config`, which is the base configuration, not the image's." },
  "image-module-import": { severity: "warning", summary: "A direct image-module import switches system.build.images off (nixpkgs 25.05)." },
  "image-module-import-removed": { severity: "note", summary: "A direct import of the variant's own image module was removed." },
  "image-module-import-moved": { severity: "note", summary: "A direct image-module import moved into image.modules.<variant>." },
  "image-variants-unknown": { severity: "note", summary: "Which variants a configuration builds is not known statically." },
  "module-not-followed": { severity: "note", summary: "A module could not be followed; it was not checked for image-only options." },
};
