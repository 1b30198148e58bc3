{
  description = "nixgen-migrate equivalence tests: stub of numtide/flake-utils";
  outputs = { self }:
    let
      b = builtins;
      defaultSystems = [ "aarch64-linux" "aarch64-darwin" "x86_64-darwin" "x86_64-linux" ];
      allSystems = defaultSystems ++ [ "i686-linux" "armv6l-linux" "armv7l-linux" "riscv64-linux" "powerpc64le-linux" "x86_64-freebsd" ];
      # { packages = …; } per system -> { packages.<system> = …; }
      eachSystem = systems: f:
        b.foldl'
          (attrs: system:
            let ret = f system; in
            b.foldl' (acc: key: acc // { ${key} = (acc.${key} or { }) // { ${system} = ret.${key}; }; }) attrs (b.attrNames ret))
          { }
          systems;
      eachSystemMap = systems: f: b.listToAttrs (map (system: { name = system; value = f system; }) systems);
    in
    {
      _nixgenStubFlake = "flake-utils";
      lib = {
        inherit defaultSystems allSystems eachSystem eachSystemMap;
        eachDefaultSystem = eachSystem defaultSystems;
        eachDefaultSystemMap = eachSystemMap defaultSystems;
        system = b.listToAttrs (map (s: { name = s; value = s; }) allSystems);
        mkApp = { drv, name ? drv.pname or drv.name, exePath ? drv.passthru.exePath or "/bin/${name}" }: { type = "app"; program = "${drv}${exePath}"; };
        flattenTree = tree: tree;
      };
    };
}
