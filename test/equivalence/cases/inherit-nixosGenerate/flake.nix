{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  inputs.nixos-generators.inputs.nixpkgs.follows = "nixpkgs";
  outputs = { self, nixpkgs, nixos-generators }:
    let
      inherit (nixos-generators) nixosGenerate;
    in
    {
      packages.x86_64-linux.kvm = nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix ];
        format = "kubevirt";
      };
    };
}
