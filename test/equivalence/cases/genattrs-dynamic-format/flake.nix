{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  inputs.nixos-generators.inputs.nixpkgs.follows = "nixpkgs";
  outputs = { self, nixpkgs, nixos-generators }: {
    packages.x86_64-linux = nixpkgs.lib.genAttrs [ "iso" "qcow" ] (format:
      nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix ];
        inherit format;
      });
  };
}
