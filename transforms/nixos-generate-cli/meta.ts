import type { PassMeta, RuleSpec } from "../../src/types.js";
import { FORMAT_RULES } from "../format-rules.js";

const F = FORMAT_RULES;

export const rules = {
  "migrated-cli": {
    severity: "note",
    summary: "A nixos-generate command line now runs nixos-rebuild (build-image, build-vm).",
    explanation:
      "`nixos-generate -f <format> …` became `nixos-rebuild build-image --image-variant <variant> …` (`--run` and the VM " +
      "formats: `nixos-rebuild build-vm`). nixos-rebuild leaves `./result` and prints the image path on stdout. With " +
      "`-o <link>` it became `nix build <flake>#nixosConfigurations.<host>.config.system.build.images.<variant> -o <link>` " +
      "(`nix-build '<nixpkgs/nixos>' -A … -o <link>` without a flake): the image is `<link>/<image.filePath>`.",
  },
  "cli-unsupported-flag": {
    severity: "error",
    summary: "A nixos-generate flag has no nixos-rebuild counterpart; the command is left as it is.",
    explanation:
      "The command uses a flag nixos-rebuild has no counterpart for (`--format-path`, `--special-arg`, `--system` or " +
      "`--disk-size` without a flake). The command stays; the finding gives the replacement (usually a setting in the configuration: " +
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
      "The command's context keeps the tool from rewriting it exactly: its output is captured and it has `-o <link>`, the " +
      "new command would not fit its YAML scalar or its Nix string, it runs nixos-generate from a path or a package this " +
      "tool does not rewrite, or it runs inside a derivation's builder (`runCommand`), where nix build cannot run. The " +
      "finding gives the replacement command; apply it by hand.",
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
  "migrated-formats-ref": {
    severity: "note",
    summary: "`….config.formats.<format>` in a script, document or Nix string now reads `config.system.build.images.<variant>`.",
    explanation:
      "all-formats' `config.formats.<format>` (`nix build .#nixosConfigurations.<host>.config.formats.iso`) became " +
      "`config.system.build.images.<variant>`, which every NixOS 25.05 or later configuration has, all-formats or not. " +
      "It is the image builder's whole output, where `formats.<format>` was a directory with one link to the image: the " +
      "file is now at `<output>/<image.filePath>` (`.passthru.filePath`; ISOs under `iso/`). Settings in " +
      "`formatConfigs.<format>` apply once they are in `image.modules.<variant>` (nixgen-migrate moves them when it " +
      "migrates the flake that imports all-formats).",
  },
  "cli-command-shown": {
    severity: "note",
    summary: "A comment, echo text or inline code shows a nixos-generate command; the note gives the command it is now.",
    explanation:
      "Text meant for people (a comment, an `echo`, Markdown inline code) shows a nixos-generate command. It is left as " +
      "it is, since it may be history or prose; the note gives the nixos-rebuild command it would be now. Update the " +
      "text if it tells people what to run.",
  },
  "cli-doc-mention": {
    severity: "note",
    summary: "A document mentions nixos-generators in text this tool does not rewrite (prose, a code block in another language).",
    explanation:
      "nixos-generators is retired: NixOS 25.05 builds images itself (`nixos-rebuild build-image`, " +
      "`config.system.build.images`). The document's prose (one note per file) or a code block this tool does not read " +
      "(a `nix` example, a block without a shell tag) still mentions it. Check that it describes what the project does now.",
  },
  "unsupported-format": F["unsupported-format"],
  "unknown-format": F["unknown-format"],
  "dynamic-format": F["dynamic-format"],
  "sd-card-system": F["sd-card-system"],
  "variant-needs-newer-nixpkgs": F["variant-needs-newer-nixpkgs"],
  "behaviour-change": F["behaviour-change"],
  "output-paths": F["output-paths"],
} as const satisfies Record<string, RuleSpec>;

/** The rules this pass reports: a finding with another id does not compile. */
export type CliRule = keyof typeof rules;

/** The id of a rule of this pass: its findings name nothing else. */
export type Rule = keyof typeof rules;

export const meta: PassMeta<typeof rules> = {
  summary:
    "nixos-generate command lines (scripts, Makefiles, justfiles, CI YAML, Markdown, Nix strings) -> nixos-rebuild build-image --image-variant <variant>; `config.formats.<f>` in text -> `config.system.build.images.<variant>`",
  doc:
    "`nixos-generate -f <format> …` in shell scripts, Makefiles, justfiles, CI YAML, Markdown code blocks and the string " +
    "literals of .nix files (`writeShellScriptBin` bodies, app scripts) becomes `nixos-rebuild build-image --image-variant " +
    "<variant> …` (`--run` and the VM formats: `nixos-rebuild build-vm`; `--list`: `build-image` without a variant; " +
    "`-o <link>`: `nix build <flake>#nixosConfigurations.<host>.config.system.build.images.<variant> -o <link>`), also " +
    "when run through `nix run`/`nix shell` of nixos-generators or `nix-shell -p nixos-generators --run`. A command is " +
    "rewritten completely or not at all; only the words that change are edited, so quoting, line continuations, layout " +
    "and a Nix string's escapes stay. `….config.formats.<format>` in the same texts becomes " +
    "`config.system.build.images.<variant>`. Mentions that are not command lines are reported: a warning where they may " +
    "run, a note where they are prose that shows a command or a document that mentions nixos-generators.\n\n" +
    "One pass in two modes: text files are read as shell where their kind says (a Makefile's recipes, a workflow's `run:`), " +
    ".nix files in their string literals only (Nix code is the other passes' business); the flag table, the phases and the " +
    "rules are the same.",
  rules,
};
