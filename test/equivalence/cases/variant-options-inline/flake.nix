{
  # issue 8: options that only the image variant declares, set in the call's modules
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = {
    url = "github:nix-community/nixos-generators";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, nixos-generators }: {
    packages.x86_64-linux.pve = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [
        ./configuration.nix
        { proxmox.qemuConf.cores = 4; proxmox.qemuConf.memory = 4096; }
      ];
      format = "proxmox";
    };
  };
}
