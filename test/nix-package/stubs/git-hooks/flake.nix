{
  description = "nixgen-migrate package tests: stub of cachix/git-hooks.nix (lib.<system>.run checks each hook against git-hooks.nix's hook options and returns the pre-commit configuration it would write)";
  outputs =
    { self }:
    let
      inherit (builtins)
        all
        attrNames
        concatMap
        elem
        filter
        isBool
        isInt
        isList
        isString
        listToAttrs
        mapAttrs
        ;
      isPackage = v: v.type or null == "derivation";
      listOf = check: v: isList v && all check v;
      nullOr = check: v: v == null || check v;
      stage = v: elem v [
        "commit-msg" "post-checkout" "post-commit" "post-merge" "post-rewrite" "pre-commit"
        "pre-merge-commit" "pre-push" "pre-rebase" "prepare-commit-msg" "manual"
        "commit" "push" "merge-commit"
      ];

      # The options of a hook in git-hooks.nix (modules/hook.nix, read at 43b3c1ab of
      # 2026-07): type check and default; `null` default: none, a value is required.
      hookOptions = id: {
        enable = { check = isBool; default = false; };
        id = { check = isString; default = id; };
        name = { check = isString; default = id; };
        description = { check = isString; default = ""; };
        package = { check = nullOr isPackage; default = null; };
        extraPackages = { check = listOf isPackage; default = [ ]; };
        entry = { check = isString; default = throw "The option `hooks.${id}.entry' is used but not defined."; };
        language = { check = isString; default = "system"; };
        files = { check = isString; default = ""; };
        types = { check = listOf isString; default = [ "file" ]; };
        types_or = { check = listOf isString; default = [ ]; };
        excludes = { check = listOf isString; default = [ ]; };
        exclude_types = { check = listOf isString; default = [ ]; };
        pass_filenames = { check = isBool; default = true; };
        fail_fast = { check = isBool; default = false; };
        require_serial = { check = isBool; default = false; };
        stages = { check = listOf stage; default = [ "pre-commit" ]; };
        verbose = { check = isBool; default = false; };
        always_run = { check = isBool; default = false; };
        args = { check = listOf isString; default = [ ]; };
        before = { check = listOf isString; default = [ ]; };
        after = { check = listOf isString; default = [ ]; };
        priority = { check = nullOr isInt; default = null; };
      };

      # like the module system: an unknown option or a value of the wrong type is an error
      hook =
        id: def:
        let
          options = hookOptions id;
          unknown = filter (n: !(options ? ${n})) (attrNames def);
          value =
            n: o:
            if def ? ${n} then
              (if o.check def.${n} then def.${n} else throw "A definition for option `hooks.${id}.${n}' is not of the right type.")
            else
              o.default;
        in
        if unknown != [ ] then
          throw "The option `hooks.${id}.${builtins.head unknown}' does not exist."
        else
          mapAttrs value options;

      # modules/hook.nix `raw`: what goes into .pre-commit-config.yaml
      raw =
        h:
        {
          inherit (h) id name entry language files types types_or exclude_types pass_filenames fail_fast
            require_serial stages verbose always_run args;
          exclude = if h.excludes == [ ] then "^$" else "(${builtins.concatStringsSep "|" h.excludes})";
        };

      run =
        system:
        {
          src,
          hooks ? { },
          excludes ? [ ],
          default_stages ? [ "pre-commit" ],
          ...
        }@args:
        let
          topLevel = [ "src" "hooks" "excludes" "default_stages" "package" "tools" "imports" "configPath" "addGcRoot" "gitPackage" "enable" ];
          unknown = filter (n: !(elem n topLevel)) (attrNames args);
          checked = mapAttrs hook hooks;
          enabled = filter (h: h.enable) (map (id: checked.${id}) (attrNames checked));
        in
        if unknown != [ ] then
          throw "The option `${builtins.head unknown}' does not exist."
        else
          {
            type = "derivation";
            name = "pre-commit-run";
            outPath = "/nix/store/00000000000000000000000000000000-pre-commit-run";
            config = {
              hooks = checked;
              rawConfig = {
                repos = [ { repo = "local"; hooks = map raw enabled; } ];
                inherit default_stages;
              };
            };
            enabledPackages = concatMap (h: (if h.package == null then [ ] else [ h.package ]) ++ h.extraPackages) enabled;
            shellHook = "# stub: installs .pre-commit-config.yaml with ${toString (map (h: h.id) enabled)}";
          };
    in
    {
      lib = listToAttrs (
        map (system: { name = system; value.run = run system; }) [
          "x86_64-linux"
          "aarch64-linux"
          "x86_64-darwin"
          "aarch64-darwin"
        ]
      );
    };
}
