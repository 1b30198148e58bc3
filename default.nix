# For nix-build and callPackage users:
#   nix-build                                  builds nixgen-migrate (./result/bin/nixgen-migrate)
#   nix-build --arg pkgs 'import <nixpkgs> { }'  with a nixpkgs of your choice
# or, in your own expressions, `pkgs.callPackage ./package.nix { }` from a checkout.
# Without `pkgs`, nixpkgs is the revision flake.lock pins (one pin for both).
let
  lock = builtins.fromJSON (builtins.readFile ./flake.lock);
  pinned = lock.nodes.${lock.nodes.${lock.root}.inputs.nixpkgs}.locked;
in
{
  pkgs ? import (fetchTarball {
    url = "https://github.com/${pinned.owner}/${pinned.repo}/archive/${pinned.rev}.tar.gz";
    sha256 = pinned.narHash;
  }) { config = { }; overlays = [ ]; },
}:
pkgs.callPackage ./package.nix { }
