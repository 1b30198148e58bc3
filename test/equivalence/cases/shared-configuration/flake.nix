{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = {
    url = "github:nix-community/nixos-generators";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux = {
      # two formats, one configuration
      server-vmware = nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix { services.nginx.enable = true; } ];
        format = "vmware";
      };
      server-raw = nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix { services.nginx.enable = true; } ];
        format = "raw-efi";
      };
      # a different configuration
      desktop = nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix ({ pkgs, ... }: { environment.systemPackages = [ pkgs.firefox ]; }) ];
        format = "virtualbox";
      };
    };
  };
}
