// Every rule id a finding can carry, with its severity and a one-line summary
// (used by reports, SARIF rule descriptors and the README).
import type { Severity } from "./types.js";

export interface RuleInfo {
  readonly severity: Severity;
  readonly summary: string;
}

export const RULES: Record<string, RuleInfo> = {
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
