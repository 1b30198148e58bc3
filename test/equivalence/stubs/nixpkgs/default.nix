# `import nixpkgs { system = …; }` of the stub.
{ system ? "x86_64-linux", localSystem ? null, crossSystem ? null, config ? { }, overlays ? [ ], ... }:
let
  lib = import ./lib { };
  sys = if localSystem != null then (if builtins.isString localSystem then localSystem else localSystem.system) else system;
in
import ./pkgs.nix { inherit lib config overlays; system = sys; }
