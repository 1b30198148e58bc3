# nixgen-migrate built from this repository with nixpkgs' buildNpmPackage:
# `pkgs.callPackage ./package.nix { }` (flake.nix and default.nix do that).
# The build is `npm run build` (tsc and the rolldown bundle) on the committed
# grammar/tree-sitter-nix.wasm, so no emscripten; the installed files are what
# `npm pack` ships (package.json "files"), run by `nodejs`.
{
  lib,
  buildNpmPackage,
  nodejs,
}:

let
  packageJson = lib.importJSON ./package.json;
in
buildNpmPackage {
  pname = packageJson.name;
  inherit (packageJson) version;
  inherit nodejs;

  # what the build reads, and LICENSE; not the fixtures, tests, playground, benches or docs
  src = lib.fileset.toSource {
    root = ./.;
    fileset = lib.fileset.unions [
      ./package.json
      ./package-lock.json
      ./tsconfig.json
      ./src
      ./transforms
      ./scripts/bundle.mjs
      ./bin
      ./grammar/tree-sitter-nix.wasm
      ./grammar/tree-sitter-nix.wasm.sha256
      ./LICENSE
    ];
  };

  # The npm dependencies, a fixed-output derivation made from package-lock.json
  # (package-lock.json sha256-68Q0EiIPH8BfUA4f4lhEMUOlLAmblbP938VbJkfvOUY=).
  # After the lock changes: `node scripts/npm-deps-hash.mjs --write`.
  npmDepsHash = "sha256-6LTnjfGcSi4MwNQnvS0FukVOh1Hfs5DBkS6ckzidRxA=";

  # `npm pack` lists the files to install; without this it would run `prepare`,
  # a second build
  npmPackFlags = [ "--ignore-scripts" ];

  doInstallCheck = true;
  installCheckPhase = ''
    runHook preInstallCheck
    [ "$("$out/bin/nixgen-migrate" --version)" = "${packageJson.version}" ]
    runHook postInstallCheck
  '';

  meta = {
    inherit (packageJson) description;
    license = lib.licenses.mit;
    mainProgram = "nixgen-migrate";
  };
}
