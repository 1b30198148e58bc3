{
  description = "nixgen-migrate package tests: stub of nixpkgs (the lib functions and packages flake.nix, package.nix and the README's git-hooks.nix example use; builders record their arguments)";
  outputs =
    { self }:
    let
      lib = import ./lib.nix;
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ] (system: import ./pkgs.nix { inherit lib system; });
    };
}
