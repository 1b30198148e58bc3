{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
    flake-parts.url = "github:hercules-ci/flake-parts";
    nixos-generators = { url = "github:nix-community/nixos-generators"; inputs.nixpkgs.follows = "nixpkgs"; };
  };
  outputs = inputs@{ self, flake-parts, nixos-generators, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-linux" ];
      flake = {
        packages.x86_64-linux.vmware = nixos-generators.nixosGenerate {
          system = "x86_64-linux";
          modules = [ ./configuration.nix ];
          format = "vmware";
        };
      };
      perSystem = { pkgs, ... }: {
        devShells.default = pkgs.mkShell { packages = [ pkgs.git ]; };
      };
    };
}
