{
  description = "nixgen-migrate equivalence tests: stub of nixpkgs (lib, lib.nixosSystem with image variants, a fake package set)";
  outputs = { self }:
    let lib = import ./lib { }; in
    {
      _nixgenStubFlake = "nixpkgs";
      inherit lib;
      legacyPackages = lib.genAttrs lib.systems.flakeExposed (system: import ./default.nix { inherit system; });
      nixosModules.notDetected = "<nixpkgs>/nixos/modules/installer/scan/not-detected.nix";
      _nixgenStubData = builtins.fromJSON (builtins.readFile ./image-options.json);
    };
}
