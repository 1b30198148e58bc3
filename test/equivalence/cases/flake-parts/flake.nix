{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
    flake-parts.url = "github:hercules-ci/flake-parts";
    nixos-generators = {
      url = "github:nix-community/nixos-generators";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      perSystem = { system, pkgs, ... }: {
        packages.iso = inputs.nixos-generators.nixosGenerate {
          inherit system;
          modules = [ ./configuration.nix ];
          format = "iso";
        };
        packages.tools = pkgs.hello;
      };
      flake = {
        nixosModules.default = ./configuration.nix;
      };
    };
}
