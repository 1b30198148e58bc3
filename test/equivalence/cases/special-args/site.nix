{ site, inputs, lib, ... }: {
  networking.domain = "${site}.example.org";
  nix.registry.nixpkgs.flake = inputs.nixpkgs;
  time.timeZone = lib.mkDefault "UTC";
}
