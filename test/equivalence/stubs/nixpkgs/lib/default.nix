# A small nixpkgs `lib`: the functions flakes commonly use, written from their
# documented behaviour (no nixpkgs source is available here), plus the module
# helpers (mkIf, mkMerge, mkOverride, ...) in the shape the real module system
# uses, so that the stub's module walker (modules.nix) can read them.
{ }:
let
  b = builtins;
  lib = rec {
    _nixgenLib = true;
    inherit (b) attrNames attrValues head tail length elem elemAt filter map isAttrs isList isString isFunction
      isBool isInt isPath hasAttr getAttr toJSON fromJSON readFile pathExists concatLists genList foldl'
      listToAttrs intersectAttrs removeAttrs functionArgs typeOf concatStringsSep replaceStrings match split
      substring stringLength toString seq deepSeq trace mapAttrs any all sort lessThan;
    id = x: x;
    const = x: _: x;
    flip = f: a: c: f c a;
    pipe = v: fs: foldl' (acc: f: f acc) v fs;
    boolToString = x: if x then "true" else "false";
    warn = msg: v: b.trace "warning: ${msg}" v;
    warnIf = c: msg: v: if c then warn msg v else v;
    throwIf = c: msg: v: if c then throw msg else v;
    throwIfNot = c: msg: v: if c then v else throw msg;
    assertMsg = c: msg: c || throw msg;

    # attrsets
    genAttrs = names: f: listToAttrs (map (n: { name = n; value = f n; }) names);
    nameValuePair = name: value: { inherit name value; };
    mapAttrs' = f: set: listToAttrs (map (n: f n set.${n}) (attrNames set));
    mapAttrsToList = f: set: map (n: f n set.${n}) (attrNames set);
    attrsToList = set: mapAttrsToList nameValuePair set;
    filterAttrs = pred: set: listToAttrs (b.concatMap (n: if pred n set.${n} then [ (nameValuePair n set.${n}) ] else [ ]) (attrNames set));
    foldAttrs = op: nul: list: foldr (n: a: foldr (name: o: o // { ${name} = op n.${name} (a.${name} or nul); }) a (attrNames n)) { } list;
    recursiveUpdateUntil = pred: lhs: rhs:
      let f = attrPath: zipAttrsWith (n: values:
        let here = attrPath ++ [ n ]; in
        if length values == 1 || pred here (elemAt values 1) (head values) then head values
        else f here values);
      in f [ ] [ rhs lhs ];
    recursiveUpdate = lhs: rhs: recursiveUpdateUntil (path: l: r: !(isAttrs l && isAttrs r)) lhs rhs;
    zipAttrsWithNames = names: f: sets: genAttrs names (n: f n (b.catAttrs n sets));
    zipAttrsWith = f: sets: zipAttrsWithNames (unique (b.concatMap attrNames sets)) f sets;
    zipAttrs = zipAttrsWith (n: vs: vs);
    optionalAttrs = c: set: if c then set else { };
    attrByPath = path: default: set:
      if path == [ ] then set
      else if isAttrs set && set ? ${head path} then attrByPath (tail path) default set.${head path} else default;
    hasAttrByPath = path: set:
      if path == [ ] then true else isAttrs set && set ? ${head path} && hasAttrByPath (tail path) set.${head path};
    getAttrFromPath = path: set: attrByPath path (throw "cannot find attribute '${concatStringsSep "." path}'") set;
    setAttrByPath = path: value: if path == [ ] then value else { ${head path} = setAttrByPath (tail path) value; };
    collect = pred: v: if pred v then [ v ] else if isAttrs v then b.concatMap (collect pred) (attrValues v) else [ ];
    getAttrs = names: set: genAttrs names (n: set.${n});
    catAttrs = b.catAttrs;
    isDerivation = v: isAttrs v && (v.type or null) == "derivation";
    mergeAttrsList = list: foldl' (a: c: a // c) { } list;
    updateManyAttrsByPath = throw "nixgen stub: lib.updateManyAttrsByPath is not implemented";

    # lists
    optional = c: x: if c then [ x ] else [ ];
    optionals = c: xs: if c then xs else [ ];
    concatMap = b.concatMap;
    concatMapStrings = f: l: b.concatStringsSep "" (map f l);
    concatMapStringsSep = sep: f: l: b.concatStringsSep sep (map f l);
    concatMapAttrs = f: set: mergeAttrsList (mapAttrsToList f set);
    forEach = xs: f: map f xs;
    flatten = x: if isList x then b.concatMap flatten x else [ x ];
    foldl = foldl';
    foldr = op: nul: list: let len = length list; fold' = n: if n == len then nul else op (elemAt list n) (fold' (n + 1)); in fold' 0;
    unique = foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];
    imap0 = f: list: genList (n: f n (elemAt list n)) (length list);
    imap1 = f: list: genList (n: f (n + 1) (elemAt list n)) (length list);
    range = first: last: if first > last then [ ] else genList (n: first + n) (last - first + 1);
    last = list: elemAt list (length list - 1);
    init = list: genList (elemAt list) (length list - 1);
    take = count: list: genList (elemAt list) (if count > length list then length list else count);
    drop = count: list: let len = length list; in if count >= len then [ ] else genList (n: elemAt list (n + count)) (len - count);
    reverseList = xs: let l = length xs; in genList (n: elemAt xs (l - n - 1)) l;
    findFirst = pred: default: list: let found = filter pred list; in if found == [ ] then default else head found;
    partition = b.partition;
    groupBy = b.groupBy or (f: list: foldl' (acc: x: let k = f x; in acc // { ${k} = (acc.${k} or [ ]) ++ [ x ]; }) { } list);
    subtractLists = e: filter (x: !(elem x e));
    intersectLists = e: filter (x: elem x e);
    count = pred: foldl' (c: x: if pred x then c + 1 else c) 0;
    toList = x: if isList x then x else [ x ];
    remove = e: filter (x: x != e);
    zipListsWith = f: fst: snd: genList (n: f (elemAt fst n) (elemAt snd n)) (if length fst < length snd then length fst else length snd);

    # strings
    hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
    hasSuffix = suffix: content: let lc = stringLength content; ls = stringLength suffix; in lc >= ls && substring (lc - ls) lc content == suffix;
    hasInfix = infix: content: match ".*${b.replaceStrings [ "." "+" "*" "?" "(" ")" "[" "]" "{" "}" "|" "^" "$" "\\" ] [ "\\." "\\+" "\\*" "\\?" "\\(" "\\)" "\\[" "\\]" "\\{" "\\}" "\\|" "\\^" "\\$" "\\\\" ] infix}.*" content != null;
    removePrefix = pref: str: if hasPrefix pref str then substring (stringLength pref) (stringLength str) str else str;
    removeSuffix = suf: str: if hasSuffix suf str then substring 0 (stringLength str - stringLength suf) str else str;
    splitString = sep: s: filter isString (split (b.replaceStrings [ "." ] [ "\\." ] sep) s);
    concatStrings = b.concatStringsSep "";
    optionalString = c: s: if c then s else "";
    strings = { inherit hasPrefix hasSuffix removePrefix removeSuffix concatStringsSep optionalString splitString; };
    toLower = b.replaceStrings [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ] [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
    versionAtLeast = v1: v2: b.compareVersions v1 v2 >= 0;
    versionOlder = v1: v2: b.compareVersions v2 v1 > 0;
    fileContents = file: removeSuffix "\n" (readFile file);
    fix = f: let x = f x; in x;
    extends = f: rattrs: self: let super = rattrs self; in super // f self super;
    makeExtensible = rattrs: fix (self: rattrs self // { extend = f: makeExtensible (extends f rattrs); });
    callPackageWith = autoArgs: fn: args: let f = if isFunction fn then fn else import fn; in f (intersectAttrs (functionArgs f) autoArgs // args);
    composeManyExtensions = fs: final: prev: foldl' (acc: f: acc // f final (prev // acc)) { } fs;

    # modules: the shapes of lib/modules.nix, read by the stub's module walker
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mkMerge = contents: { _type = "merge"; inherit contents; };
    mkOverride = priority: content: { _type = "override"; inherit priority content; };
    mkOptionDefault = mkOverride 1500;
    mkDefault = mkOverride 1000;
    mkImageMediaOverride = mkOverride 60;
    mkForce = mkOverride 50;
    mkVMOverride = mkOverride 10;
    mkOrder = priority: content: { _type = "order"; inherit priority content; };
    mkBefore = mkOrder 500;
    mkAfter = mkOrder 1500;
    mkOption = attrs: attrs // { _type = "option"; };
    mkEnableOption = name: mkOption { default = false; type = types.bool; description = "Whether to enable ${name}."; };
    mkPackageOption = pkgs: name: extra: mkOption { type = types.package; default = pkgs.${name} or null; };
    mkRemovedOptionModule = from: msg: { _file = "<stub mkRemovedOptionModule>"; };
    mkRenamedOptionModule = from: to: { _file = "<stub mkRenamedOptionModule>"; };
    mkAliasOptionModule = from: to: { _file = "<stub mkAliasOptionModule>"; };
    literalExpression = text: { _type = "literalExpression"; inherit text; };
    literalMD = text: { _type = "literalMD"; inherit text; };
    mdDoc = x: x;
    types = let t = name: { _type = "option-type"; inherit name; }; in {
      str = t "str"; bool = t "bool"; int = t "int"; path = t "path"; package = t "package"; raw = t "raw";
      anything = t "anything"; attrs = t "attrs"; lines = t "lines"; port = t "port"; float = t "float";
      nullOr = e: t "nullOr"; listOf = e: t "listOf"; attrsOf = e: t "attrsOf"; lazyAttrsOf = e: t "lazyAttrsOf";
      enum = vs: t "enum"; either = a: c: t "either"; oneOf = ts: t "oneOf"; submodule = m: t "submodule";
      deferredModule = t "deferredModule"; functionTo = e: t "functionTo"; uniq = e: e; unique = _: e: e;
      ints = { positive = t "int"; unsigned = t "int"; between = a: c: t "int"; }; nonEmptyStr = t "str"; singleLineStr = t "str";
    };
    evalModules = throw "nixgen stub: lib.evalModules is not implemented (use lib.nixosSystem)";

    systems = rec {
      flakeExposed = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "armv6l-linux" "armv7l-linux" "i686-linux" "aarch64-darwin" "powerpc64le-linux" "riscv64-linux" "x86_64-freebsd" ];
      doubles = { all = flakeExposed; linux = filter (s: hasSuffix "-linux" s) flakeExposed; darwin = filter (s: hasSuffix "-darwin" s) flakeExposed; };
      elaborate = system: { inherit system; isLinux = hasSuffix "-linux" system; isDarwin = hasSuffix "-darwin" system; isx86_64 = hasPrefix "x86_64" system; isAarch64 = hasPrefix "aarch64" system; isAarch = hasPrefix "aarch64" system || hasPrefix "arm" system; isRiscV64 = hasPrefix "riscv64" system; };
    };
    trivial = { inherit id const flip pipe boolToString warn release; };
    release = (import ./modules.nix { inherit lib; }).release;
    version = "${release}-stub";
    oldestSupportedRelease = 2411;
    isInOldestRelease = _: true;

    nixos = { };
    nixosSystem = args: (import ./modules.nix { inherit lib; }).nixosSystem args;
  };
in
lib
