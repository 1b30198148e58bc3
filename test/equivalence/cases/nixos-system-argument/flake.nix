{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  outputs = { self, nixpkgs, nixos-generators }: {
    packages.x86_64-linux.cloud = nixos-generators.nixosGenerate {
      nixosSystem = nixpkgs.lib.nixosSystem;
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
      format = "gce";
    };
  };
}
