{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  outputs = { self, nixpkgs, nixos-generators }:
    let
      gen = nixos-generators.nixosGenerate;
      common = [ ./configuration.nix ];
    in
    {
      packages.x86_64-linux.hyperv = gen {
        system = "x86_64-linux";
        modules = common;
        format = "hyperv";
      };
      packages.x86_64-linux.azure = gen {
        system = "x86_64-linux";
        modules = common ++ [ { services.waagent.enable = nixpkgs.lib.mkForce true; } ];
        format = "azure";
      };
      lib = nixpkgs.lib;
    };
}
