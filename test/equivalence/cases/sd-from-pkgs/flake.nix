{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = { url = "github:nix-community/nixos-generators"; inputs.nixpkgs.follows = "nixpkgs"; };
  outputs = { self, nixpkgs, nixos-generators }: {
    # no system: it comes from pkgs
    packages.aarch64-linux.sd = nixos-generators.nixosGenerate {
      pkgs = nixpkgs.legacyPackages.aarch64-linux;
      modules = [ ./configuration.nix ];
      format = "sd-aarch64";
    };
  };
}
