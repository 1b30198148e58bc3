{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  outputs = { self, nixpkgs, nixos-generators }: {
    packages.x86_64-linux.cloud = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
      format = "cloudstack";
    };
  };
}
