{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
    nixos-generators = {
      url = "github:nix-community/nixos-generators";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };
  outputs = inputs@{ self, nixpkgs, nixos-generators, ... }:
    let
      system = "x86_64-linux";
      pkgs = import nixpkgs { inherit system; config.allowUnfree = true; };
    in
    {
      packages.${system} = {
        # pkgs, lib and specialArgs (incl. all inputs) are passed through
        cloud = nixos-generators.nixosGenerate {
          inherit pkgs;
          lib = nixpkgs.lib;
          specialArgs = { inherit inputs; site = "eu-1"; };
          modules = [ ./configuration.nix ./site.nix ];
          format = "amazon";
        };
        default = self.packages.${system}.cloud;
      };
      checks.${system}.image = self.packages.${system}.cloud;
    };
}
