{
  description = "nixgen-migrate equivalence tests: stub of nix-systems/default";
  outputs = { self }: { _nixgenStubFlake = "systems"; };
}
