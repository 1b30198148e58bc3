{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  inputs.nixos-generators.inputs.nixpkgs.follows = "nixpkgs";
  outputs = { self, nixpkgs, nixos-generators }: {
    packages.x86_64-linux = builtins.mapAttrs
      (name: format: nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix { networking.hostName = name; } ];
        inherit format;
      })
      { cloud = "gce"; vm = "qcow"; lab = "vmware"; };
  };
}
