# What test/nix-package.test.ts reads of the repository's flake, evaluated
# against the stub nixpkgs, as plain data (derivations are records there, see
# stubs/nixpkgs/pkgs.nix; functions and store paths are left out or named).
{ target, nixpkgs }:
let
  inherit (builtins) attrNames mapAttrs;
  # (an attribute set with outPath would be printed as that path)
  package = p: {
    inherit (p) name pname version meta;
    path = p.outPath;
    args = removeAttrs p.args [ "meta" ] // { nodejs = p.args.nodejs.name; };
  };
  # the overlay on a package set whose nodejs is another one: the package must come from `final`
  overlaid = (nixpkgs.legacyPackages.x86_64-linux.extend (final: prev: { nodejs = prev.nodejs_20; })).extend
    target.overlays.default;
in
{
  packages = mapAttrs (system: mapAttrs (name: package)) target.packages;
  apps = target.apps;
  overlay = {
    names = attrNames (target.overlays.default overlaid nixpkgs.legacyPackages.x86_64-linux);
    package = package overlaid.nixgen-migrate;
  };
  devShells = mapAttrs (
    system: shells: mapAttrs (name: shell: map (p: p.name) shell.args.packages) shells
  ) target.devShells;
  checks = mapAttrs (
    system: checks:
    {
      names = attrNames checks;
      package = checks.package.outPath;
      example = {
        inherit (checks.example) name;
        inherit (checks.example.args) buildCommand;
        nativeBuildInputs = map (p: p.outPath) checks.example.args.env.nativeBuildInputs;
      };
    }
  ) target.checks;
}
