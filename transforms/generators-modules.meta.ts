import type { PassMeta, RuleSpec } from "../src/types.js";
import { FORMAT_RULES } from "./format-rules.js";

const { "custom-format": customFormat, "unsupported-format": unsupported, "unknown-format": unknown, "dynamic-format": dynamic } = FORMAT_RULES;

export const rules = {
  "all-formats-removed": {
    severity: "note",
    summary: "The all-formats module import went; its formats are image variants now.",
    explanation:
      "`nixos-generators.nixosModules.all-formats` was removed from the configuration: every NixOS 25.05 configuration has " +
      "`config.system.build.images.<variant>`, and the reads of `config.formats.<format>` were rewritten to it. Build with " +
      "`nix build .#nixosConfigurations.<host>.config.system.build.images.<variant>`.",
  },
  "all-formats-kept": {
    severity: "warning",
    summary: "The all-formats import stays because some of its uses cannot be migrated.",
    explanation:
      "Some use of all-formats (a format without a variant, a read the tool cannot attribute to a configuration, a custom " +
      "`formats` definition) cannot be migrated, so the import stays and the configuration keeps working. The other findings " +
      "name those uses; fix them by hand and run again to remove the import.",
  },
  "all-formats-use": {
    severity: "error",
    summary: "A use of all-formats' options that has no direct upstream equivalent.",
    explanation:
      "all-formats' options (`formats`, `formatConfigs`) are read or defined here in a way the tool cannot rewrite (through a " +
      "function argument, a computed name, a custom output). Rewrite it by hand: `config.formats.<format>` is " +
      "`config.system.build.images.<variant>` (`nixgen-migrate --list-formats`), `formatConfigs.<format> = M` is " +
      "`image.modules.<variant> = M`. Until then the all-formats import stays.",
  },
  "format-module-removed": {
    severity: "note",
    summary: "A nixos-generators per-format module import went; use the image variant.",
    explanation:
      "`nixos-generators.nixosModules.<format>` defines `system.build.image`, which switches `system.build.images` off on " +
      "NixOS 25.05, so the import was removed and `config.system.build.<formatAttr>` reads now say " +
      "`config.system.build.images.<variant>`.",
  },
  "format-option": {
    severity: "error",
    summary: "A read of formatAttr/fileExtension, options that no longer exist: replace it by hand.",
    explanation:
      "`config.formatAttr` and `config.fileExtension` were options of nixos-generators' format module; without it they do " +
      "not exist. Use `config.system.build.image` for the image of the current variant, " +
      "`config.system.build.images.<variant>.passthru.filePath` for its file, `image.fileName`/`image.baseName` for its name.",
  },
  "format-option-removed": {
    severity: "note",
    summary: "A formatAttr/fileExtension definition was dropped: the options no longer exist.",
    explanation:
      "A definition of `formatAttr` or `fileExtension` would fail to evaluate without nixos-generators' format module; an " +
      "image variant sets `system.build.image` and `image.extension` instead, which the rewrite added where needed.",
  },
  "custom-format-migrated": {
    severity: "note",
    summary: "A custom format became an image variant module.",
    explanation:
      "The custom format's module now sets `system.build.image` (at `mkDefault`) instead of `formatAttr`, as " +
      "`image.modules.<name>`; build it as `config.system.build.images.<name>`.",
  },
  "generators-module": {
    severity: "error",
    summary: "A nixos-generators module used in a way the tool cannot rewrite.",
    explanation:
      "A nixos-generators module is used somewhere the tool cannot follow (computed, passed through a function, imported " +
      "outside a module list). Remove the import by hand and build `config.system.build.images.<variant>` of the " +
      "configuration instead (`nixgen-migrate --list-formats` gives the variant).",
  },
  "custom-format": customFormat,
  "unsupported-format": unsupported,
  "unknown-format": unknown,
  "dynamic-format": dynamic,
} as const satisfies Record<string, RuleSpec>;

export const meta: PassMeta<typeof rules> = {
  summary: "nixos-generators' all-formats and per-format NixOS modules -> image variants",
  doc:
    "`nixos-generators.nixosModules.all-formats`: the import goes, `….config.formats.<f>` becomes " +
    "`….config.system.build.images.<variant>` (also in the run's other files), `formatConfigs.<f> = M` becomes " +
    "`image.modules.<variant> = M` (default priority: it extends the stock variant module), custom formats become " +
    "`image.modules.<name>`. `nixosModules.<format>`: the import goes (left in, it switches `system.build.images` off) and " +
    "`config.system.build.<formatAttr>` becomes `config.system.build.images.<variant>`. Uses that cannot be migrated keep " +
    "the import, with an error naming them.",
  rules,
};
