{
  # docs/upstream.md §E, the `system.build ? image` guard: the configuration imports the image module itself, so a
  # migrated configuration has no system.build.images
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = {
    url = "github:nix-community/nixos-generators";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, nixos-generators }: {
    packages.x86_64-linux.pve = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ./proxmox.nix ];
      format = "proxmox";
    };
  };
}
