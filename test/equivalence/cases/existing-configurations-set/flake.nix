{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  inputs.nixos-generators.inputs.nixpkgs.follows = "nixpkgs";
  outputs = { self, nixpkgs, nixos-generators }: {
    nixosConfigurations = {
      laptop = nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ { networking.hostName = "laptop"; } ];
      };
    };
    packages.x86_64-linux = {
      server = nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix { networking.hostName = "server"; } ];
        format = "azure";
      };
    };
  };
}
