# The stub's `lib.nixosSystem`: a small, lazy imitation of the NixOS module
# system that is just real enough to prove a migration equivalent.
#
#  * collects every module (following `imports`: paths that exist in the flake
#    are imported, nixpkgs module paths are recognised by their suffix, other
#    references are kept as opaque strings); functions are called with stub
#    arguments (config, options, lib, pkgs, modulesPath, specialArgs, and
#    `_module.args` for the rest);
#  * merges `config` lazily (mkIf / mkMerge / mkOverride / mkOrder are pushed
#    down to the leaves, like lib/modules.nix does), so modules may read
#    `config.<path>`;
#  * refuses definitions of options that exist only inside an image variant
#    (docs/upstream.md §J, data in ../image-options.json) with
#    `The option '<path>' does not exist`, unless a module that declares them
#    is part of the configuration;
#  * `config.system.build.images.<variant>` = the base configuration extended
#    with `image.modules.<variant>`, missing when the configuration imports an
#    image module itself (the `system.build ? image` guard, docs/upstream.md §E, the `system.build ? image` guard);
#  * `config.formats.<format>` when nixos-generators' all-formats module is
#    imported, `config.formatAttr` + `config.system.build.<formatAttr>` when a
#    nixos-generators format module is.
# Every image (and `system.build.toplevel`) is a *record*: normalised data
# about what was evaluated (system, specialArgs, definitions, ...), compared by
# test/equivalence/harness.ts.
{ lib }:
let
  b = builtins;
  data = b.fromJSON (b.readFile ../image-options.json);
  N = import ./norm.nix;
  inherit (N) norm stripStore;
  modulesPath = "<nixpkgs>/nixos/modules";
  # which nixpkgs this stub stands for (the harness writes release.json into a copy)
  stubSettings = if b.pathExists ../release.json then b.fromJSON (b.readFile ../release.json) else { };
  release = stubSettings.release or "unstable";
  # lenient: no module-system check (section J). Only for evaluating a broken input that the
  # migration repairs (the harness's repairs), to record what its definitions were meant to be.
  lenient = stubSettings.lenient or false;
  hasImages = release == "unstable" || b.compareVersions release data.releases.noImagesBefore >= 0;
  variants = b.filter (v: release == "unstable" || b.compareVersions release "25.05" > 0 || !(b.elem v data.releases.newerThan2505)) data.variants;

  splitPath = lib.splitString ".";
  isPrefix = pre: p: b.length p >= b.length pre && lib.take (b.length pre) p == pre;
  showPath = lib.concatStringsSep ".";

  # ------------------------------------------------------------ module references

  moduleVariant = s:
    let hits = b.filter (suf: s == suf || lib.hasSuffix ("/" + suf) s) (b.attrNames data.nixpkgsModules);
    in if hits == [ ] then null else data.nixpkgsModules.${b.head hits};

  formatOf = tag: if lib.hasPrefix "format:" tag then lib.removePrefix "format:" tag else null;
  formatVariants = f: b.filter (v: v != null) (map moduleVariant (data.formats.${f}.imports or [ ]));

  specialKeys = [ "_file" "key" "disabledModules" "imports" "options" "config" "meta" "freeformType" "_class" ];

  resolve = ctx: key: file: m:
    let t = b.typeOf m; in
    if t == "path" || t == "string" then resolvePath ctx key file m
    else if t == "lambda" then resolve ctx key file (m (moduleArgs ctx m))
    else if t == "set" then
      if m ? _nixgenStub then { key = "stub:" + m._nixgenStub; kind = "tag"; tag = m._nixgenStub; inherit file; }
      else if m ? __functor then resolve ctx key file (args: m.__functor m args)
      else { key = if m ? key then "key:" + toString m.key else key; kind = "module"; module = m; file = if m ? _file then stripStore (toString m._file) else file; }
    else throw "nixgen stub: a module must be a path, an attribute set or a function, not a ${t} (in ${file})";

  resolvePath = ctx: key: file: m:
    let
      s = toString m;
      v = moduleVariant s;
    in
    if v != null then { key = "nixpkgs:" + stripStore s; kind = "nixpkgs"; variant = v; ref = stripStore s; inherit file; }
    else if lib.hasPrefix b.storeDir s && b.pathExists s then
      (resolve ctx ("file:" + s) (stripStore s) (import m)) // { fileRef = stripStore s; }
    else { key = "opaque:" + stripStore s; kind = "opaque"; ref = stripStore s; inherit file; };

  # Real modules get every argument (and fail without `...` like here); names
  # that are not there come from config._module.args.
  moduleArgs = ctx: f:
    let
      fa = b.functionArgs f;
      missing = b.filter (n: !(ctx.args ? ${n}) && !fa.${n}) (b.attrNames fa);
    in ctx.args // lib.genAttrs missing (n: ctx.config._module.args.${n} or (throw "nixgen stub: module argument '${n}' is not provided (neither a specialArg nor in _module.args)"));

  # `extra`: modules that arrive through a deferred option (image.modules.<v>, formatConfigs.<f>), each
  # with the mkIf conditions its definition passed (see rawAt); everything they import inherits them
  closureOf = ctx: modules: extra: b.genericClosure {
    startSet = lib.imap0 (i: m: resolve ctx "top:${toString i}" "<modules argument>" m // { conds = [ ]; }) modules
      ++ lib.imap0 (i: e: resolve ctx "extra:${toString i}" "<deferred module>" e.module // { inherit (e) conds; }) extra;
    operator = node:
      if node.kind != "module" then [ ]
      else lib.imap0 (i: m: resolve ctx "${node.key}/imports.${toString i}" node.file m // { inherit (node) conds; }) (lib.toList (node.module.imports or [ ]));
  };

  moduleConfig = m: if m ? config || m ? options then (m.config or { }) else removeAttrs m specialKeys;

  # ------------------------------------------------------------ lazy merge

  unwrap = it:
    let v = it.value; in
    if b.isAttrs v && v ? _type then
      if v._type == "if" then unwrap (it // { value = v.content; conds = it.conds ++ [ v.condition ]; })
      else if v._type == "merge" then b.concatMap (c: unwrap (it // { value = c; })) v.contents
      else if v._type == "override" then unwrap (it // { value = v.content; prio = v.priority; })
      else if v._type == "order" then unwrap (it // { value = v.content; order = v.priority; })
      else [ it ]
    else [ it ];

  isSubtree = v: b.isAttrs v && !(v ? _type) && !(v ? _nixgenRecord) && !(v ? _nixgenPkgs) && !(v ? _nixgenLib)
    && !(v ? _nixgenConfiguration) && !(v ? __functor) && !(N.isFlake v) && (v.type or null) != "derivation";

  mergeItems = path: items:
    let ex = b.concatMap unwrap items; in
    if ex != [ ] && b.all (it: isSubtree it.value) ex then
      let names = lib.unique (b.concatMap (it: b.attrNames it.value) ex); in
      lib.genAttrs names (n: mergeItems (path ++ [ n ]) (b.concatMap (it: if it.value ? ${n} then [ (it // { value = it.value.${n}; }) ] else [ ]) ex))
    else leafValue path ex;

  leafValue = path: ex:
    let
      active = b.filter (it: b.all (c: c) it.conds) ex;
      best = b.foldl' (m: it: if it.prio < m then it.prio else m) 100000 active;
      top = b.filter (it: it.prio == best) active;
      ordered = b.sort (x: y: (x.order or 1000) < (y.order or 1000)) top;
    in
    if top == [ ] then throw "nixgen stub: the option '${showPath path}' is used but has no active definition"
    else if b.all (it: b.isList it.value) top then b.concatMap (it: it.value) ordered
    else (b.head top).value;

  # definitions down to their leaves (the deferred modules image.modules.<v> and
  # formatConfigs.<f> stay whole)
  deferredPath = p: (b.length p == 3 && lib.take 2 p == [ "image" "modules" ]) || (b.length p == 2 && b.head p == "formatConfigs");
  flattenItem = depth: path: it: b.concatMap
    (u:
      if !(deferredPath path) && depth > 0 && isSubtree u.value && u.value != { } then
        b.concatMap (n: flattenItem (depth - 1) (path ++ [ n ]) (u // { value = u.value.${n}; })) (b.attrNames u.value)
      else if path == [ ] && u.value == { } then [ ]
      else [ (u // { inherit path; }) ])
    (unwrap it);

  # The definitions of a deferred option (image.modules.<v>, formatConfigs.<f>) as modules, each with
  # the mkIf conditions it passed on its way (evaluated in the configuration that defines the option).
  # Like lib/modules.nix, a definition under a false condition is dropped: the deferred module never
  # sees it. The true ones are kept on the module's definitions (closureOf, items), so a moved
  # definition that was under `mkIf c` still records `c` (evaluated in the base configuration, not in
  # the image; a tool that drops the mkIf shows up as conds [true] -> []).
  rawAt = path: items:
    let ex = b.concatMap unwrap items; in
    if path == [ ] then map (it: { module = it.value; inherit (it) conds; }) (b.filter (it: b.all (c: c) it.conds) ex)
    else rawAt (b.tail path) (b.concatMap (it: if isSubtree it.value && it.value ? ${b.head path} then [ (it // { value = it.value.${b.head path}; }) ] else [ ]) ex);

  optionLeaves = path: v:
    if b.isAttrs v && (v._type or null) == "option" then [{ inherit path; opt = v; }]
    else if b.isAttrs v && !(v ? _type) then b.concatMap (n: optionLeaves (path ++ [ n ]) v.${n}) (b.attrNames v)
    else [ ];

  # ------------------------------------------------------------ section J check

  checkRoots = lib.unique (map (e: b.head (splitPath e)) (
    [ "image.modules" ] ++ b.concatLists (b.attrValues data.variantOptions) ++ data.fileOptions ++ data.nowhere
    ++ data.generatorsOptions.format ++ data.generatorsOptions.all-formats));

  firstMatch = entries: p: lib.findFirst (e: isPrefix (splitPath e) p) null entries;

  problemOf = decl: d:
    let
      p = d.path;
      declaredByUser = b.any (o: isPrefix o p) decl.userOptions;
      nowhere = firstMatch data.nowhere p;
      genFormat = firstMatch data.generatorsOptions.format p;
      genAll = firstMatch data.generatorsOptions.all-formats p;
      owners = b.filter (v: firstMatch data.variantOptions.${v} p != null) data.variants;
      ownerEntry = lib.findFirst (e: e != null) null (map (v: firstMatch data.variantOptions.${v} p) owners);
      fileOpt = firstMatch data.fileOptions p;
      mk = entry: why: { inherit entry why; path = showPath p; file = d.file; };
      imageModules = isPrefix [ "image" "modules" ] p;
    in
    if declaredByUser then null
    else if imageModules && !hasImages then mk "image.modules" "nixpkgs ${release} has no image variants (image.modules and system.build.images arrived in 25.05)"
    else if nowhere != null then mk nowhere "it exists in no nixpkgs module (rewrite it to image.fileName / image.baseName inside image.modules.<variant>)"
    else if genFormat != null && !decl.formatModule then mk genFormat "it is declared by nixos-generators' format modules, which this configuration does not import"
    else if genAll != null && !decl.allFormats then mk genAll "it is declared by nixos-generators' all-formats module, which this configuration does not import"
    else if owners != [ ] && !(b.any (v: b.elem v decl.variants) owners) then
      mk ownerEntry "it is declared only inside the image variant(s) ${lib.concatStringsSep ", " owners}: define it in image.modules.<variant>"
    else if fileOpt != null && decl.variants == [ ] then mk fileOpt "the image file options exist only inside an image variant: define it in image.modules.<variant>"
    else null;

  # ------------------------------------------------------------ evaluation

  evalConfig = { args, extraModules ? [ ], deferred ? [ ], variant ? null }:
    let
      specialArgs = args.specialArgs or { };
      argPkgs = args.pkgs or null;
      argSystem = args.system or null;
      hostPlatform = cfg.nixpkgs.hostPlatform or null;
      system =
        if argSystem != null then argSystem
        else if argPkgs != null then argPkgs.system
        else if hostPlatform != null then (if b.isString hostPlatform then hostPlatform else hostPlatform.system)
        else throw "nixgen stub: nixosSystem needs `system`, `pkgs` or nixpkgs.hostPlatform (like the real one)";
      pkgs = if argPkgs != null then argPkgs else import ../pkgs.nix { inherit lib system; };
      libArg = if (args.lib or null) != null then args.lib else lib;
      ctx = {
        config = cfg;
        args = { inherit pkgs modulesPath; } // specialArgs // { config = cfg; options = { }; lib = libArg; };
      };
      modules = (args.modules or [ ]) ++ (args.extraModules or [ ]) ++ extraModules;
      nodes = closureOf ctx modules deferred;
      moduleNodes = b.filter (n: n.kind == "module") nodes;
      tags = map (n: n.tag) (b.filter (n: n.kind == "tag") nodes);
      nixpkgsNodes = b.filter (n: n.kind == "nixpkgs") nodes;
      formats = b.filter (f: f != null) (map formatOf tags);
      items = map (n: { value = moduleConfig n.module; conds = n.conds; prio = 100; file = n.file; }) moduleNodes;
      options = b.concatMap (n: optionLeaves [ ] (n.module.options or { })) moduleNodes;
      optionItems = map (o: { value = lib.setAttrByPath o.path o.opt.default; conds = [ ]; prio = 1500; file = "<option default>"; stub = true; })
        (b.filter (o: o.opt ? default) options);
      # builders the opaque nixpkgs modules would define (a custom format or a variant module may read them)
      builders = lib.genAttrs [ "metadata" "tarball" "isoImage" "sdImage" "kexecTarball" "netbootRamdisk" "squashfs" "VMA"
        "vmwareImage" "virtualBoxOVA" "amazonImage" "azureImage" "googleComputeImage" "digitalOceanImage" "hypervImage"
        "kubevirtImage" "linodeImage" "openstackImage" ] (n: { _nixgenStubBuilder = n; });
      stubItems = [{ value = { networking.hostName = "nixos"; system.stateVersion = lib.release; system.build = lib.optionalAttrs (b.any (n: n.kind == "nixpkgs" || n.kind == "opaque") nodes) builders; }; conds = [ ]; prio = 1500; file = "<stub default>"; stub = true; }];
      cfg = mergeItems [ ] (items ++ optionItems ++ stubItems);

      decl = {
        variants = lib.unique ((if variant != null then [ variant ] else [ ]) ++ map (n: n.variant) nixpkgsNodes
          ++ b.concatMap (f: if data.formats ? ${f} then formatVariants f else [ ]) formats);
        formatModule = formats != [ ] || b.elem "format-module" tags;
        allFormats = b.elem "all-formats" tags;
        userOptions = map (o: o.path) options;
      };
      checkDefs = b.concatMap
        (it: b.concatMap
          (u: if isSubtree u.value then b.concatMap (r: if u.value ? ${r} then flattenItem 5 [ r ] (u // { value = u.value.${r}; }) else [ ]) checkRoots else [ ])
          (unwrap it))
        items;
      problems = b.filter (x: x != null) (map (problemOf decl) checkDefs);
      checked =
        if lenient || problems == [ ] then true
        else
          let p = b.head problems; in
          throw "The option '${p.entry}' does not exist. Definition values:\n- In '${p.file}': ${p.path}\n(nixgen stub: ${p.why})";

      # the image modules a base configuration had before a format/variant module
      killed = nixpkgsNodes != [ ] || b.any (f: data.formats ? ${f} && formatVariants f != [ ]) formats;
      defs = b.filter (d: !(d.stub or false) && !(deferredPath d.path)) (b.concatMap (flattenItem 12 [ ]) items);
    in
    { inherit args cfg nodes tags formats items defs checked killed system pkgs argPkgs decl variant deferred; };

  normModule = m:
    let t = b.typeOf m; in
    if t == "path" || t == "string" then stripStore (toString m)
    else if t == "lambda" then { __module = "function"; args = b.attrNames (b.functionArgs m); }
    else if t == "set" && m ? _nixgenStub then { __module = "stub"; tag = m._nixgenStub; }
    else if t == "set" then { __module = "attrs"; keys = b.attrNames m; }
    else { __module = t; };

  normDef = d: {
    path = showPath d.path;
    value = norm 10 d.value;
    prio = d.prio;
    conds = map (norm 3) d.conds;
    order = d.order or null;
  };

  sortStrings = l: b.sort b.lessThan (lib.unique l);

  recordData = ev: info: b.seq ev.checked ({
    system = ev.system;
    hasPkgs = ev.argPkgs != null;
    pkgs = if ev.argPkgs != null then norm 4 ev.argPkgs else null;
    hasLib = (ev.args.lib or null) != null;
    specialArgs = norm 4 (ev.args.specialArgs or { });
    modules = map normModule ((ev.args.modules or [ ]) ++ (ev.args.extraModules or [ ]));
    defs = map normDef ev.defs;
    opaque = sortStrings (map (n: n.ref) (b.filter (n: n.kind == "opaque") ev.nodes));
    files = sortStrings (map (n: n.fileRef) (b.filter (n: n ? fileRef) ev.nodes));
    tags = sortStrings ev.tags;
    nixpkgsModules = sortStrings (map (n: n.ref) (b.filter (n: n.kind == "nixpkgs") ev.nodes));
    imageModules = b.attrNames ((ev.cfg.image or { }).modules or { });
    # path modules that came in as the deferred module itself (image.modules.<v> = ./x.nix) or its top-level imports
    deferredPaths = b.sort b.lessThan (b.concatMap
      (e:
        let
          m = e.module;
          isRef = x: b.isPath x || b.isString x;
        in
        if isRef m then [ (stripStore (toString m)) ]
        else if b.isAttrs m then map (x: stripStore (toString x)) (b.filter isRef (lib.toList (m.imports or [ ])))
        else [ ])
      ev.deferred);
  } // info);

  # ------------------------------------------------------------ derivations

  # Every record is also a real derivation (never built), for `nixgen-migrate --verify`, which
  # compares .drv paths: an image's .drv has its system's .drv as an input, and the system's
  # depends on what the configuration is made of (its definitions, module files, platform and
  # image variants). Equal configurations give equal drvPaths; a changed definition changes them.
  stubDerivation = name: system: attrs: derivation ({
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" "echo the nixgen-migrate stubs build nothing >&2; exit 1" ];
  } // attrs);

  hostNameOf = ev:
    let h = b.tryEval (ev.cfg.networking.hostName or "nixos"); in
    if h.success && b.isString h.value then h.value else "nixos";

  systemDerivation = ev:
    let r = recordData ev { }; in
    stubDerivation "nixos-system-${hostNameOf ev}-${release}" ev.system {
      # one attribute each, so that a derivation diff names what differs
      definitions = b.unsafeDiscardStringContext (b.concatStringsSep "\n" (b.sort b.lessThan (map b.toJSON r.defs)));
      moduleFiles = b.concatStringsSep " " (r.files ++ r.opaque);
      imageVariants = b.concatStringsSep " " (sortStrings ev.decl.variants);
    };

  imageDerivation = ev: variant:
    stubDerivation "nixos-image-${variant}-${ev.system}" ev.system { toplevel = systemDerivation ev; };

  # the variant a record's image stands for: its own, or the one of the nixos-generators format
  imageVariantOf = info:
    if info.kind == "image" then info.variant
    else let vs = if data.formats ? ${info.format} then formatVariants info.format else [ ]; in
      if vs != [ ] then b.head vs else lib.removeSuffix ">" (lib.removePrefix "<" info.format);

  mkRecord = ev: info: label:
    let drv = if info.kind == "configuration" then systemDerivation ev else imageDerivation ev (imageVariantOf info); in
    {
      _nixgenRecord = true;
      type = "derivation";
      inherit (drv) name outPath drvPath;
      data = recordData ev info;
      passthru = { config = exposedConfig ev; filePath = "nixgen-stub-image"; };
      config = exposedConfig ev;
    };

  exposedConfig = ev:
    let
      cfg = ev.cfg;
      lastFormat = lib.last ev.formats;
      hasFormat = ev.formats != [ ] || b.elem "format-module" ev.tags;
      formatAttr = cfg.formatAttr or (if ev.formats != [ ] && data.formats ? ${lastFormat} then data.formats.${lastFormat}.formatAttr else throw "nixgen stub: formatAttr is not defined");
      variantRecord = v:
        let
          ev' = evalConfig { args = ev.args; deferred = rawAt [ "image" "modules" v ] ev.items; variant = v; };
          # a variant of the user's own (image.modules.<n> without a stock module) must build system.build.image
          custom = !(b.elem v variants);
          hasBuilder = ((ev'.cfg.system or { }).build or { }) ? image;
        in
        if custom && !hasBuilder then throw "Module for `system.build.images.${v}` misses required `system.build.image` option."
        else mkRecord ev' { kind = "image"; variant = v; } "image-${v}";
      userVariants = b.attrNames ((cfg.image or { }).modules or { });
      formatNames = lib.unique (b.attrNames data.formats ++ b.attrNames (cfg.formatConfigs or { }));
      formatRecord = f:
        let
          tag = if data.formats ? ${f} then { _nixgenStub = "format:${f}"; } else { _nixgenStub = "format-module"; };
          ev' = evalConfig { args = ev.args; extraModules = [ tag ]; deferred = rawAt [ "formatConfigs" f ] ev.items; };
        in mkRecord ev' { kind = "format"; format = f; } "format-${f}";
      builds =
        { toplevel = mkRecord ev { kind = "configuration"; } "toplevel"; }
        // lib.optionalAttrs (hasImages && !ev.killed) { images = lib.genAttrs (lib.unique (variants ++ userVariants)) variantRecord; }
        // lib.optionalAttrs hasFormat { ${formatAttr} = mkRecord ev { kind = "format"; format = if ev.formats != [ ] then lastFormat else "<custom>"; } "format"; };
      exposed = cfg // {
        system = (cfg.system or { }) // { build = ((cfg.system or { }).build or { }) // builds; };
      }
      // lib.optionalAttrs hasFormat { inherit formatAttr; fileExtension = cfg.fileExtension or ""; }
      // lib.optionalAttrs (b.elem "all-formats" ev.tags) { formats = lib.genAttrs formatNames formatRecord; };
    in
    b.seq ev.checked exposed;

  nixosSystem = args:
    let
      allowed = [ "system" "modules" "specialArgs" "pkgs" "lib" "extraModules" "baseModules" "check" "prefix" "modulesLocation" "extraArgs" ];
      bad = b.filter (n: !(b.elem n allowed)) (b.attrNames args);
      args' = if bad != [ ] then throw "nixgen stub: nixosSystem called with unexpected argument '${b.head bad}'" else args;
      ev = evalConfig { args = args'; };
      self = {
        _nixgenConfiguration = true;
        config = exposedConfig ev;
        options = { };
        pkgs = ev.pkgs;
        type = "configuration";
        class = "nixos";
        extendModules = { modules ? [ ], specialArgs ? { }, prefix ? [ ] }:
          nixosSystem (args' // { modules = (args'.modules or [ ]) ++ modules; specialArgs = (args'.specialArgs or { }) // specialArgs; });
        _module = { args = { }; };
      };
    in
    self;
in
{ inherit nixosSystem modulesPath release; }
