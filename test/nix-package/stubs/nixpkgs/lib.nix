# The part of nixpkgs' lib the tool's Nix files use, nothing more: a function
# they start to use fails here first (add it, with nixpkgs' semantics).
let
  inherit (builtins)
    attrNames
    concatMap
    listToAttrs
    pathExists
    readDir
    substring
    stringLength
    ;

  isPrefix = prefix: s: substring 0 (stringLength prefix) s == prefix;

  # every file under a path, as strings relative to `root`
  filesUnder =
    root: path:
    let
      prefix = stringLength (toString root) + 1;
      rel = substring prefix (stringLength (toString path) - prefix) (toString path);
      type = (readDir (dirOf path)).${baseNameOf path};
    in
    if type == "directory" then
      concatMap (name: filesUnder root (path + "/${name}")) (attrNames (readDir path))
    else
      [ rel ];
in
rec {
  genAttrs =
    names: f:
    listToAttrs (
      map (name: {
        inherit name;
        value = f name;
      }) names
    );

  importJSON = path: builtins.fromJSON (builtins.readFile path);

  # as in nixpkgs: a package without meta.mainProgram only gets a warning there; here it is an error
  getExe =
    drv:
    "${drv}/bin/${
      drv.meta.mainProgram or (throw "lib.getExe: ${drv.name or "?"} has no meta.mainProgram")
    }";

  licenses.mit = {
    spdxId = "MIT";
    shortName = "mit";
  };

  # A file set is the list of paths it was made of (each must exist, as in
  # nixpkgs); toSource records the files the source would hold.
  fileset = {
    unions =
      paths:
      assert builtins.isList paths;
      {
        _type = "fileset";
        paths = map (
          p:
          if builtins.isPath p && pathExists p then
            p
          else
            throw "lib.fileset.unions: ${toString p} is not a path that exists"
        ) paths;
      };
    toSource =
      { root, fileset }:
      assert fileset._type or null == "fileset";
      {
        _type = "stubSource";
        files = builtins.sort builtins.lessThan (
          concatMap (
            p:
            if isPrefix "${toString root}/" (toString p) then
              filesUnder root p
            else
              throw "lib.fileset.toSource: ${toString p} is not under the root ${toString root}"
          ) fileset.paths
        );
      };
  };
}
