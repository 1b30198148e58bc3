# The harness's view of a flake's outputs (nix eval --apply "(walk.nix) (norm.nix)").
# Walks the outputs to a fixed depth; images (records of the stubs) and NixOS
# configurations become tagged leaves, everything else is normalised JSON
# (functions by their formals, derivations by name, store paths stripped).
# Self-contained: it is inlined into the command line.
N: outputs:
let
  b = builtins;
  nixos = c:
    let
      build = c.config.system.build;
      top = build.toplevel.data;
      hasImages = build ? images;
    in
    {
      __nixos = {
        toplevel = top;
        images = if hasImages then b.attrNames build.images else null;
        # variants that have image.modules entries are evaluated too (their own option check)
        imageRecords = if hasImages then b.listToAttrs (map (v: { name = v; value = build.images.${v}.data; }) (b.filter (v: build.images ? ${v}) top.imageModules)) else { };
        formats = if c.config ? formats then b.attrNames c.config.formats else null;
      };
    };
  walk = depth: v:
    if b.isAttrs v then
      if v ? _nixgenConfiguration then nixos v
      else if v ? _nixgenRecord then { __record = v.data; }
      else if N.isFlake v || v ? _nixgenPkgs || v ? _nixgenLib || (v.type or null) == "derivation" || v ? __functor then N.norm 2 v
      else if depth <= 0 then "<depth>"
      else b.mapAttrs (n: walk (depth - 1)) v
    else if b.isList v then (if depth <= 0 then "<depth>" else map (walk (depth - 1)) v)
    else N.norm 0 v;
in
walk 7 outputs
