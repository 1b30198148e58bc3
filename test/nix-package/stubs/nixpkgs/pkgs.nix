# A package set with the builders the tool's Nix files use. A "derivation" is
# a record: its name, a store path made up from the name, and the arguments it
# was built with (`args`), so that tests can read what package.nix passed.
{ lib, system }:

let
  derivationRecord = name: args: {
    type = "derivation";
    inherit name system args;
    outPath = "/nix/store/${builtins.substring 0 32 (builtins.hashString "sha256" "${system}/${name}")}-${name}";
  };

  package =
    pname: version:
    derivationRecord "${pname}-${version}" { } // { inherit pname version; meta.mainProgram = pname; };

  # buildNpmPackage's own arguments (nixpkgs pkgs/build-support/node/build-npm-package/default.nix)
  # and the mkDerivation attributes a package like this one sets. Any other name
  # would become an environment variable of the build: most likely a typo.
  buildNpmPackageArgs = [
    "name" "pname" "version" "src" "srcs" "sourceRoot" "prePatch" "patches" "postPatch" "patchFlags"
    "nativeBuildInputs" "buildInputs" "npmDepsHash" "npmDepsFetcherVersion" "forceGitDeps"
    "forceEmptyCache" "makeCacheWritable" "npmBuildScript" "npmFlags" "npmInstallFlags"
    "npmRebuildFlags" "npmBuildFlags" "npmPackFlags" "npmPruneFlags" "npmWorkspace" "nodejs"
    "npmDeps" "npmConfigHook" "npmBuildHook" "npmInstallHook" "dontNpmBuild" "dontNpmInstall"
    "dontNpmPrune" "meta" "passthru" "env" "doCheck" "checkPhase" "doInstallCheck"
    "installCheckPhase" "nativeInstallCheckInputs" "preBuild" "postBuild" "preInstall" "postInstall"
  ];

  # the set before overlays; `self` is the final set (callPackage reads from it, as in nixpkgs)
  basePackages = self: {
    inherit lib system;

    callPackage =
      fn: overrides:
      let
        f = if builtins.isFunction fn then fn else import fn;
        # as in nixpkgs: arguments from the package set, a missing one without a default is an error
        result = f (builtins.intersectAttrs (builtins.functionArgs f) self // overrides);
      in
      result // { override = more: self.callPackage fn (overrides // more); };

    buildNpmPackage =
      args:
      let
        unknown = builtins.filter (n: !builtins.elem n buildNpmPackageArgs) (builtins.attrNames args);
        nodejs = args.nodejs or self.nodejs;
      in
      if unknown != [ ] then
        throw "buildNpmPackage: unknown arguments ${toString unknown}"
      else
        derivationRecord "${args.pname}-${args.version}" args
        // {
          inherit (args) pname version;
          meta = args.meta or { } // {
            # buildNpmPackage's default
            platforms = args.meta.platforms or nodejs.meta.platforms;
          };
        };

    runCommand =
      name: env: buildCommand:
      derivationRecord name { inherit env buildCommand; };

    mkShell = args: derivationRecord (args.name or "nix-shell") args;

    nodejs = self.nodejs_22;
    nodejs_20 = package "nodejs" "20.19.4" // { meta = { mainProgram = "node"; platforms = [ system ]; }; };
    nodejs_22 = package "nodejs" "22.17.1" // { meta = { mainProgram = "node"; platforms = [ system ]; }; };
    nix = package "nix" "2.28.4";
  };

  # pkgs.extend overlay, as in nixpkgs: overlays are `final: prev: { … }`
  withOverlays =
    overlays:
    let
      self =
        builtins.foldl' (prev: overlay: prev // overlay self prev) (basePackages self) overlays
        // { extend = overlay: withOverlays (overlays ++ [ overlay ]); };
    in
    self;
in
withOverlays [ ]
