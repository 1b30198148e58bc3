# Developer tool, not CI: does a module that gives an image-only configuration a
# root of its own (src/formats.ts, STANDALONE_MODULES) leave its images identical?
#
#   nix-instantiate --eval --strict --json scripts/realnix-standalone.nix \
#     --arg nixpkgs /path/to/nixpkgs --argstr module root|container|none --arg variants '[ "qemu" "lxc" ]'
#
# prints the configuration's toplevel drvPath ("FAILED" when it does not
# evaluate, as `nix flake check` would find) and each variant's image drvPath;
# run it with module none and with a module and compare. Few variants per run:
# Nix 2.8 keeps all it allocates (about 1.4 GB per image).
{ nixpkgs, module ? "none", variants, system ? "x86_64-linux" }:
let
  modules = {
    none = [ ];
    root = [ ({ lib, ... }: { fileSystems."/" = lib.mkOverride 1400 { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; }; boot.loader.grub.devices = lib.mkOverride 1400 [ "nodev" ]; }) ];
    container = [ ({ lib, ... }: { boot.isContainer = lib.mkOverride 1400 true; }) ];
  };
  configuration = { ... }: {
    networking.hostName = "lab";
    users.users.admin = { isNormalUser = true; extraGroups = [ "wheel" ]; };
    system.stateVersion = "25.05";
  };
  nixos = import "${nixpkgs}/nixos/lib/eval-config.nix" { inherit system; modules = [ configuration ] ++ modules.${module}; };
  try = x: let r = builtins.tryEval x; in if r.success then r.value else "FAILED";
in {
  toplevel = try nixos.config.system.build.toplevel.drvPath;
  images = builtins.listToAttrs (map (v: { name = v; value = try nixos.config.system.build.images.${v}.drvPath; }) variants);
}
