{
  description = "literal formats, including the renamed ones";
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
    nixos-generators = {
      url = "github:nix-community/nixos-generators";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux = {
      qcow = nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix ];
        format = "qcow";
      };
      do = nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix ];
        format = "do";
      };
      gce = nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix ];
        format = "gce";
      };
      installer = nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix ];
        format = "install-iso";
      };
    };
    packages.aarch64-linux.sd = nixos-generators.nixosGenerate {
      system = "aarch64-linux";
      modules = [ ./configuration.nix ./hardware/pi.nix ];
      format = "sd-aarch64";
    };
  };
}
