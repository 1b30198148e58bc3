{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  outputs = { nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux.kexec = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
      format = "kexec";
    };
  };
}
