// Rules about the format -> variant table, reported by every pass that meets a
// format name (nixosGenerate calls, all-formats reads, nixos-generate command lines).
import type { RuleSpec } from "../src/types.js";

export const FORMAT_RULES = {
  "unsupported-format": {
    severity: "error",
    summary: "The format has no nixpkgs image variant; the use is left as it is.",
    explanation:
      "docker, kexec-bundle, vm, vm-bootloader and vm-nogui have no image variant in nixpkgs, so there is nothing to rewrite " +
      "them to. The code stays as it was (and with it the nixos-generators input) and the finding gives the replacement: " +
      "`config.system.build.vm` and `nixos-rebuild build-vm` for the VM formats, the `kexec` variant for kexec-bundle, a custom " +
      "`image.modules.docker` variant for docker. Apply it by hand, then run nixgen-migrate again to remove what is left.",
  },
  "unknown-format": {
    severity: "error",
    summary: "The format is not one of nixos-generators' formats.",
    explanation:
      "nixos-generators would have failed on this name too (it has no such file in `formats/`). Fix the name " +
      "(`nixgen-migrate --list-formats` prints every format and its variant), then run again.",
  },
  "dynamic-format": {
    severity: "error",
    summary: "The format is not known statically; change the lines named by hand.",
    explanation:
      "The format comes from somewhere the tool cannot see the values of (a function argument called from another file, " +
      "a computed string, an environment variable). The finding names the expression and where its values come from. " +
      "Replace the format by its image variant with the table from `nixgen-migrate --list-formats` (for example " +
      "`images.${{ qcow = \"qemu\"; }.${format} or format}`), or make the values visible (literals in the same file), then run again.",
  },
  "behaviour-change": {
    severity: "note",
    summary: "The upstream variant's defaults differ from nixos-generators'.",
    explanation:
      "Some variants build a slightly different image than nixos-generators' format did (an ISO that is not EFI/USB " +
      "bootable, a qcow2 image with a plain MBR and no serial console …). The note says what differs and for which nixpkgs " +
      "release. Run with `--parity` to add the `image.modules.<variant>` settings that keep the old behaviour, or accept the new defaults.",
  },
  "output-paths": {
    severity: "note",
    summary: "Image file names and paths change; use passthru.filePath.",
    explanation:
      "nixos-generators' outputs held the image under the builder's own name; upstream images are " +
      "`$out/<image.filePath>` (for example `nixos-image-<label>-<system>.qcow2`, `iso/…` for ISOs). Scripts that glob " +
      "`result/*.qcow2` should read `<image>.passthru.filePath` instead (`nix eval --raw .#<output>.passthru.filePath`).",
  },
  "sd-card-system": {
    severity: "warning",
    summary: "sd-card picks its SD module from the configuration's platform.",
    explanation:
      "The `sd-card` variant builds the SD image of the configuration's own platform (`pkgs.targetPlatform.qemuArch`): " +
      "sd-aarch64 needs a configuration whose system is aarch64-linux, sd-x86_64 one for x86_64-linux. Set " +
      "`system = \"aarch64-linux\";` (or `nixpkgs.hostPlatform`) on the configuration named in the finding.",
  },
  "variant-needs-newer-nixpkgs": {
    severity: "warning",
    summary: "The variant exists only in nixpkgs newer than 25.05.",
    explanation:
      "The variant (cloudstack) was added to nixpkgs after the 25.05 release. On a flake pinned to 25.05 it does not exist. " +
      "Check with `nix eval .#nixosConfigurations.<host>.config.system.build.images --apply builtins.attrNames`, and update " +
      "nixpkgs or keep a custom `image.modules.<name>` variant.",
  },
  "custom-format": {
    severity: "error",
    summary: "A custom format whose module cannot be turned into an image variant module.",
    explanation:
      "A custom format (`customFormats`, `formatConfigs.<new>`) becomes `image.modules.<name>` only when its module shows " +
      "which derivation it builds (`formatAttr = \"…\"`). Write the variant by hand: `image.modules.<name> = { config, modulesPath, ... }: " +
      "{ imports = [ <the format's modules> \"${modulesPath}/image/file-options.nix\" ]; system.build.image = config.system.build.<attr>; " +
      "image.extension = \"<ext>\"; }`, and drop `formatAttr`/`fileExtension`.",
  },
} as const satisfies Record<string, RuleSpec>;
