{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = { url = "github:nix-community/nixos-generators"; inputs.nixpkgs.follows = "nixpkgs"; };
  outputs = { self, nixpkgs, nixos-generators }: {
    nixosConfigurations = import ./hosts { inherit nixpkgs; };
    packages.x86_64-linux.gce = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
      format = "gce";
    };
  };
}
