{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  inputs.nixos-generators.inputs.nixpkgs.follows = "nixpkgs";
  outputs = { self, nixpkgs, nixos-generators }: {
    # same modules and format, different systems: two configurations
    packages.x86_64-linux.raw = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
      format = "raw-efi";
    };
    packages.aarch64-linux.raw = nixos-generators.nixosGenerate {
      system = "aarch64-linux";
      modules = [ ./configuration.nix ];
      format = "raw-efi";
    };
  };
}
