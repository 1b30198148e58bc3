{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  outputs = { self, nixpkgs, nixos-generators }:
    let
      format = "install-iso";
      system = "x86_64-linux";
    in
    {
      packages.${system}.installer = nixos-generators.nixosGenerate {
        inherit format system;
        modules = [ ./configuration.nix ];
      };
    };
}
