# Normalises any value into JSON-safe data for the before/after comparison of
# test/equivalence. Used by the nixpkgs stub for its records and, inlined, by
# the harness's output walker (test/equivalence/harness.ts), so it must stay a
# self-contained expression (builtins only, no imports).
let
  inherit (builtins) typeOf split filter isString concatStringsSep mapAttrs attrNames functionArgs;
  # /nix/store/<hash>-source/x.nix -> ./x.nix (the two sides live in different store paths)
  stripStore = s:
    let
      parts = split "/nix/store/[0-9a-z]{32}-([^/]*)" s;
      piece = p: if isString p then p else if builtins.head p == "source" then "." else "<store:${builtins.head p}>";
    in concatStringsSep "" (map piece parts);
  isFlake = v: v ? sourceInfo && v ? outPath;
  norm = depth: v:
    let t = typeOf v; in
    if t == "string" then stripStore v
    else if t == "path" then stripStore (toString v)
    else if t == "lambda" then { __function = attrNames (functionArgs v); }
    else if t == "list" then (if depth <= 0 then "<depth>" else map (norm (depth - 1)) v)
    else if t == "set" then
      if v ? _nixgenRecord then v.data
      else if isFlake v then { __flake = v._nixgenStubFlake or "other"; }
      else if v ? _nixgenPkgs then { __pkgs = v.system; config = norm 3 v._nixgenPkgsConfig; overlays = builtins.length v._nixgenPkgsOverlays; }
      else if v ? _nixgenLib then "<lib>"
      else if v ? _nixgenConfiguration then "<nixos-configuration>"
      else if (v.type or null) == "derivation" then { __drv = v.name or "?"; }
      else if v ? __functor then { __functor = attrNames (removeAttrs v [ "__functor" ]); }
      else if depth <= 0 then "<depth>"
      else mapAttrs (n: norm (depth - 1)) v
    else if t == "float" then toString v
    else v;
in
{ inherit norm stripStore isFlake; }
