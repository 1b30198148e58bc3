import type { PassMeta, RuleSpec } from "../src/types.js";
import { FORMAT_RULES } from "./format-rules.js";

const F = FORMAT_RULES;

export const rules = {
  "migrated-cli": {
    severity: "note",
    summary: "A nixos-generate command line now runs nixos-rebuild (build-image, build-vm).",
    explanation:
      "`nixos-generate -f <format> …` became `nixos-rebuild build-image --image-variant <variant> …` (`--run` and the VM " +
      "formats: `nixos-rebuild build-vm`). nixos-rebuild leaves `./result` and prints the image path on stdout.",
  },
  "cli-unsupported-flag": {
    severity: "error",
    summary: "A nixos-generate flag has no nixos-rebuild counterpart; the command is left as it is.",
    explanation:
      "The command uses a flag nixos-rebuild has no counterpart for (`--format-path`, `--system` or `--disk-size` without a " +
      "flake …). The command stays; the finding gives the replacement (usually a setting in the configuration: " +
      "`nixpkgs.hostPlatform`, `virtualisation.diskSize` inside `image.modules.<variant>`). Apply it, then run again.",
  },
  "cli-invalid-arguments": {
    severity: "error",
    summary: "The arguments are not valid for nixos-generate or not known statically; the command is left as it is.",
    explanation:
      "nixos-generate would reject these arguments, or they come from variables whose values the tool cannot see. Rewrite " +
      "the command by hand with the flag table (`nixgen-migrate --explain migrated-cli`, `--list-formats`).",
  },
  "cli-needs-configuration": {
    severity: "error",
    summary: "The format needs an image.modules entry in the configuration first; the command is left as it is.",
    explanation:
      "The format is its variant plus settings nixpkgs does not have (install-iso-hyperv, lxc-metadata …). Add the " +
      "`image.modules.<variant>` entry the finding gives to the configuration, then rewrite the command to " +
      "`nixos-rebuild build-image --image-variant <variant>`.",
  },
  "cli-unmigratable": {
    severity: "error",
    summary: "The command cannot be rewritten exactly in its context; it is left as it is.",
    explanation:
      "The command's context keeps the tool from rewriting it exactly (its output is captured, it is part of a longer " +
      "pipeline, it is spread over several lines in a way the tool cannot edit safely). The finding gives the replacement " +
      "command; apply it by hand.",
  },
  "cli-old-nixpkgs": {
    severity: "error",
    summary: "The command builds with nixpkgs older than 25.05, which has no build-image.",
    explanation:
      "The command pins nixpkgs (a channel, `-I nixpkgs=…`, `NIX_PATH`) to a release before 25.05, which has neither " +
      "`system.build.images` nor `nixos-rebuild build-image`. Point it at nixos-25.05 or later, then run again (or pass " +
      "`--allow-old-nixpkgs`).",
  },
  "cli-dropped-flag": {
    severity: "warning",
    summary: "A flag that nixos-generate ignored was removed.",
    explanation:
      "nixos-generate accepted but ignored this flag in the mode the command uses (`-c` or `--disk-size` next to " +
      "`--flake`, `--system` with a flake …), so it was dropped. If you relied on it, set the matching option in the " +
      "configuration.",
  },
  "cli-default-configuration": {
    severity: "warning",
    summary: "Without -c or --flake, nixos-rebuild builds a different default configuration.",
    explanation:
      "nixos-generate without `-c`/`--flake` built `$NIXOS_CONFIG`, or its own demo configuration when that was unset; " +
      "nixos-rebuild builds `$NIXOS_CONFIG`, else `<nixos-config>`, else /etc/nixos/configuration.nix. Name the " +
      "configuration: `NIXOS_CONFIG=<absolute path>` or `--flake <flake>#<host>`.",
  },
  "cli-config-path": {
    severity: "warning",
    summary: "NIXOS_CONFIG must be an absolute path.",
    explanation:
      "nixos-rebuild reads the configuration from `NIXOS_CONFIG`, which must be an absolute path. Make it absolute " +
      "(`NIXOS_CONFIG=\"$PWD/configuration.nix\"`).",
  },
  "cli-not-rewritten": {
    severity: "warning",
    summary: "nixos-generate(s) is mentioned where no command line is rewritten; check it by hand.",
    explanation:
      "nixos-generate or the nixos-generators package is mentioned where the tool cannot tell whether it runs or installs " +
      "it (`sh -c \"…\"`, `command -v`, here-documents, `nix-shell -p nixos-generators`, Makefile variables). Rewrite it by " +
      "hand with nixos-rebuild, or remove it.",
  },
  "cli-list": {
    severity: "note",
    summary: "--list became build-image without a variant: it lists the configuration's variants and exits 1.",
    explanation:
      "`nixos-rebuild build-image` without `--image-variant` prints the configuration's image variants and exits with " +
      "status 1; add `|| true` where the script needs success.",
  },
  "unsupported-format": F["unsupported-format"],
  "unknown-format": F["unknown-format"],
  "dynamic-format": F["dynamic-format"],
  "sd-card-system": F["sd-card-system"],
  "variant-needs-newer-nixpkgs": F["variant-needs-newer-nixpkgs"],
  "behaviour-change": F["behaviour-change"],
  "output-paths": F["output-paths"],
} as const satisfies Record<string, RuleSpec>;

export const meta: PassMeta<typeof rules> = {
  summary: "nixos-generate command lines (scripts, Makefiles, justfiles, CI YAML, Markdown) -> nixos-rebuild build-image --image-variant <variant>",
  doc:
    "`nixos-generate -f <format> …` in shell scripts, Makefiles, justfiles, CI YAML and Markdown code blocks becomes " +
    "`nixos-rebuild build-image --image-variant <variant> …` (`--run` and the VM formats: `nixos-rebuild build-vm`; " +
    "`--list`: `build-image` without a variant). A command is rewritten completely or not at all; only the words that " +
    "change are edited, so quoting, line continuations and layout stay. Mentions that are not command lines are reported.",
  rules,
};
