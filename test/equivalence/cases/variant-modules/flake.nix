{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  outputs = { self, nixpkgs, nixos-generators }: {
    # formats whose variant needs an image.modules entry (FORMATS' variantModule)
    packages.x86_64-linux.hyperv-installer = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
      format = "install-iso-hyperv";
    };
    packages.aarch64-linux.pi-installer = nixos-generators.nixosGenerate {
      system = "aarch64-linux";
      modules = [ ./configuration.nix ];
      format = "sd-aarch64-installer";
    };
  };
}
