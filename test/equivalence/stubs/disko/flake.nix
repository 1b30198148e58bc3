{
  description = "nixgen-migrate equivalence tests: stub of nix-community/disko (its module, empty)";
  outputs = { self }: {
    _nixgenStubFlake = "disko";
    nixosModules.disko = { ... }: { };
    nixosModules.default = self.nixosModules.disko;
  };
}
