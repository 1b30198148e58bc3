{
  description = "nixgen-migrate equivalence tests: stub of hercules-ci/flake-parts (mkFlake with systems, flake, perSystem, imports)";
  outputs = { self }:
    let
      b = builtins;
      recursiveUpdate = lhs: rhs:
        lhs // b.mapAttrs (n: v: if lhs ? ${n} && b.isAttrs v && b.isAttrs lhs.${n} && !(v ? type) then recursiveUpdate lhs.${n} v else v) rhs;
      perSystemKeys = [ "packages" "legacyPackages" "devShells" "apps" "checks" "formatter" ];

      mkFlake = args@{ inputs, ... }: module:
        let
          self' = inputs.self;
          lib = if inputs ? nixpkgs then inputs.nixpkgs.lib else (throw "nixgen stub flake-parts: no nixpkgs input for lib");
          withSystem = system: f: f (perSystemArgs system // perSystemResult system);
          topArgs = { inherit inputs lib withSystem; self = self'; config = { flake = flake; }; flake-parts-lib = { }; moduleWithSystem = f: f; getSystem = perSystemResult; };
          callModule = m: let m' = if b.isPath m || b.isString m then import m else m; in if b.isFunction m' then m' topArgs else m';
          collect = m: let r = callModule m; in [ r ] ++ b.concatMap collect (r.imports or [ ]);
          mods = collect module;
          systems = b.foldl' (acc: m: m.systems or acc) [ ] mods;
          flake = b.foldl' (acc: m: recursiveUpdate acc (m.flake or { })) { } mods;
          perSystems = b.concatMap (m: if m ? perSystem then [ m.perSystem ] else [ ]) mods;
          perSystemArgs = system: {
            inherit system inputs lib;
            pkgs = inputs.nixpkgs.legacyPackages.${system};
            self' = b.mapAttrs (_: v: v.${system} or { }) (b.intersectAttrs (b.listToAttrs (map (k: { name = k; value = null; }) perSystemKeys)) self');
            inputs' = b.mapAttrs (_: i: b.mapAttrs (_: v: if b.isAttrs v && v ? ${system} then v.${system} else v) i) inputs;
            config = perSystemResult system;
          };
          perSystemResult = system: b.foldl' (acc: f: recursiveUpdate acc (if b.isFunction f then f (perSystemArgs system) else f)) { } perSystems;
          transposed = b.foldl'
            (acc: system:
              let r = perSystemResult system; in
              b.foldl' (a: key: a // { ${key} = (a.${key} or { }) // { ${system} = r.${key}; }; }) acc (b.filter (k: r ? ${k}) perSystemKeys))
            { }
            systems;
        in
        recursiveUpdate transposed flake;
    in
    {
      _nixgenStubFlake = "flake-parts";
      lib = { inherit mkFlake; };
      flakeModules = { };
    };
}
