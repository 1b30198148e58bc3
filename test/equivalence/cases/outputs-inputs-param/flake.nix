{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  outputs = inputs: {
    packages.x86_64-linux.lxc-meta = inputs.nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
      format = "lxc-metadata";
    };
    packages.x86_64-linux.pct = inputs.nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
      format = "proxmox-lxc";
    };
  };
}
