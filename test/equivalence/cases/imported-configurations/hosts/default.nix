{ nixpkgs }: {
  laptop = nixpkgs.lib.nixosSystem {
    system = "x86_64-linux";
    modules = [ { networking.hostName = "laptop"; } ];
  };
}
