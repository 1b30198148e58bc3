{
  description = "nixgen-migrate equivalence tests: stub of nix-community/nixos-generators";
  # Like the real flake, its own nixpkgs; the harness overrides it with the nixpkgs stub
  # (or the user's flake makes it follow theirs).
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixpkgs-unstable";

  outputs = { self, nixpkgs }:
    let
      lib = nixpkgs.lib;
      data = nixpkgs._nixgenStubData;
      formatNames = builtins.attrNames data.formats;
      # recognisable stand-ins for `{ imports = [ ./formats/<f>.nix ./format-module.nix ]; }`
      formatModule = name: { _file = "nixos-generators/formats/${name}.nix"; _nixgenStub = "format:${name}"; };
      customFormatModule = name: value: { _file = "nixos-generators/custom-format/${name}"; imports = [ value { _nixgenStub = "format-module"; } ]; };
      systems = [ "x86_64-linux" "x86_64-darwin" "i686-linux" "aarch64-linux" "aarch64-darwin" ];
      cli = system: nixpkgs.legacyPackages.${system}.nixos-generators;
    in
    {
      _nixgenStubFlake = "nixos-generators";

      nixosModules = lib.genAttrs formatNames formatModule // {
        all-formats = { _file = "nixos-generators/all-formats.nix"; _nixgenStub = "all-formats"; };
      };

      # Same signature and body shape as the real nixosGenerate (docs/upstream.md §A); the
      # result is the nixpkgs stub's record of the image, plus what nixosGenerate
      # itself was given.
      nixosGenerate =
        { pkgs ? null
        , lib ? null
        , nixosSystem ? null
        , format
        , system ? null
        , specialArgs ? { }
        , modules ? [ ]
        , customFormats ? { }
        }:
        let
          extraFormats = builtins.mapAttrs customFormatModule customFormats;
          formatModule' = builtins.getAttr format (self.nixosModules // extraFormats);
          nixosSystem' = if nixosSystem != null then nixosSystem else nixpkgs.lib.nixosSystem;
          image = nixosSystem' {
            inherit pkgs specialArgs;
            system = if system != null then system else pkgs.system;
            lib = if lib != null then lib else nixpkgs.lib;
            modules = [ formatModule' ] ++ modules;
          };
          result = image.config.system.build.${image.config.formatAttr};
          custom = customFormats.${format} or null;
          N = import "${nixpkgs}/lib/norm.nix";
        in
        # like the real one, the image is config.system.build.<formatAttr> without the configuration
        # (images.<v> carry theirs in passthru.config)
        removeAttrs result [ "passthru" "config" ] // {
          data = result.data // {
            kind = "format";
            inherit format;
            # what the caller gave: the generators stub passes `lib` and the format module on
            modules = builtins.tail result.data.modules;
            hasLib = lib != null;
            hasPkgs = pkgs != null;
            customFormats = builtins.attrNames customFormats;
            viaNixosSystemArgument = nixosSystem != null;
            # a custom format given as a path is the image's own module, like image.modules.<name> = ./x.nix after
            deferredPaths = builtins.sort builtins.lessThan (result.data.deferredPaths
              ++ (if builtins.isPath custom || builtins.isString custom then [ (N.stripStore (toString custom)) ] else [ ]));
          };
        };

      packages = lib.genAttrs systems (system: { default = cli system; nixos-generate = cli system; });
    };
}
