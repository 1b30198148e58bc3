{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.flake-utils.url = "github:numtide/flake-utils";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  inputs.nixos-generators.inputs.nixpkgs.follows = "nixpkgs";
  outputs = { self, nixpkgs, flake-utils, nixos-generators }:
    flake-utils.lib.eachSystem [ "x86_64-linux" ] (system:
      let
        pkgs = import nixpkgs { inherit system; overlays = [ (final: prev: { my-tool = prev.hello; }) ]; };
      in
      {
        packages.image = nixos-generators.nixosGenerate {
          inherit pkgs system;
          modules = [ ./configuration.nix ({ pkgs, ... }: { environment.systemPackages = [ pkgs.my-tool ]; }) ];
          format = "hyperv";
        };
      });
}
