{
  description = "nixgen-migrate: migrate Nix flakes from nixos-generators to NixOS's own image builder";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
    in
    {
      overlays.default = final: prev: { nixgen-migrate = final.callPackage ./package.nix { }; };

      packages = forAllSystems (
        system: pkgs: {
          default = pkgs.callPackage ./package.nix { };
        }
      );

      apps = forAllSystems (
        system: pkgs: {
          default = {
            type = "app";
            program = lib.getExe self.packages.${system}.default;
            meta.description = "nixgen-migrate [paths..] [--write]: migrate flakes from nixos-generators";
          };
        }
      );

      # the Node.js the tool supports first and CI tests, and nix for the tests' parse oracle
      devShells = forAllSystems (
        system: pkgs: {
          default = pkgs.mkShell {
            packages = [
              pkgs.nodejs_20
              pkgs.nix
            ];
          };
        }
      );

      checks = forAllSystems (
        system: pkgs:
        let
          package = self.packages.${system}.default;
        in
        {
          inherit package;
          # the installed tool, run from the read-only store on examples/: a diff and exit 1
          # (changes needed), its V8 compile cache written under XDG_CACHE_HOME, then
          # --write, after which --check finds nothing
          example = pkgs.runCommand "nixgen-migrate-example" { nativeBuildInputs = [ package ]; } ''
            cp -r ${./examples} examples
            chmod -R u+w examples
            cd examples
            export XDG_CACHE_HOME=$PWD/cache
            status=0
            nixgen-migrate flake.nix > diff 2> report || status=$?
            cat diff report
            [ "$status" = 1 ]
            grep -qxF -- '+++ b/flake.nix' diff
            grep -qF 'nixosConfigurations.nixos.config.system.build.images.qemu' diff
            ls cache/nixgen-migrate/*.v8cache > /dev/null
            nixgen-migrate --write flake.nix
            nixgen-migrate --check flake.nix
            if grep -q nixos-generators flake.nix; then exit 1; fi
            touch $out
          '';
        }
      );
    };
}
