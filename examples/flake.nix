{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = {
    url = "github:nix-community/nixos-generators";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux = {
      vmware = nixos-generators.nixosGenerate {   # for the lab
        system = "x86_64-linux";
        modules = [ ./configuration.nix ];
        format = "vmware";
      };
      qcow = nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix ];
        format = "qcow";
      };
    };
  };
}
