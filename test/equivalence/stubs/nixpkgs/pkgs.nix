# The stub's package set (`import nixpkgs { system; }`, `legacyPackages.<system>`):
# fake derivations for common package names and the builders flakes call.
{ lib, system, config ? { }, overlays ? [ ] }:
let
  b = builtins;
  fakeHash = "00000000000000000000000000000000";
  drv = name: extra: {
    type = "derivation";
    inherit name system;
    pname = name;
    outPath = "${b.storeDir}/${fakeHash}-${name}";
    drvPath = "${b.storeDir}/${fakeHash}-${name}.drv";
    outputs = [ "out" ];
    meta = { };
    overrideAttrs = _: drv name extra;
    override = _: drv name extra;
    passthru = { };
  } // extra;
  named = args: args.name or args.pname or "unnamed";
  names = [
    "hello" "vim" "neovim" "git" "curl" "wget" "htop" "btop" "tmux" "jq" "ripgrep" "fd" "bat" "tree" "file" "gnumake"
    "gcc" "python3" "nodejs" "go" "rustc" "cargo" "openssh" "coreutils" "bash" "zsh" "fish" "nano" "emacs" "nix"
    "nixpkgs-fmt" "nixfmt" "nixfmt-rfc-style" "alejandra" "nil" "nixd" "cowsay" "firefox" "docker" "podman"
    "qemu" "qemu_kvm" "qemu-utils" "OVMF" "e2fsprogs" "parted" "util-linux" "iproute2" "iputils" "dnsutils" "tcpdump"
    "rsync" "unzip" "zip" "gnutar" "gzip" "xz" "zstd" "pv" "lsof" "strace" "gdb" "cloud-utils" "cloud-init"
    "kexec-tools" "nixos-generators" "nixos-rebuild" "nixos-install-tools" "linode-cli" "sops" "age" "tailscale"
    # rescue and board tools the fixtures use (real 25.05 package names)
    "testdisk" "ddrescue" "smartmontools" "raspberrypi-eeprom" "libraspberrypi"
  ];
  # kernel package sets (`boot.kernelPackages = pkgs.linuxPackages_rpi4;`): a placeholder kernel per name
  kernelSets = [ "linuxPackages_rpi3" "linuxPackages_rpi4" "linuxPackages_6_6" "linuxPackages_6_12" "linuxPackages_zen" "linuxPackages_hardened" ];
  base = final: lib.genAttrs names (n: drv n { }) // {
    _nixgenPkgs = true;
    _nixgenPkgsConfig = config;
    _nixgenPkgsOverlays = overlays;
    inherit lib system;
    hostPlatform = lib.systems.elaborate system;
    buildPlatform = lib.systems.elaborate system;
    targetPlatform = lib.systems.elaborate system // { qemuArch = b.head (lib.splitString "-" system); };
    stdenv = {
      inherit system;
      hostPlatform = lib.systems.elaborate system;
      buildPlatform = lib.systems.elaborate system;
      isLinux = lib.hasSuffix "-linux" system;
      isDarwin = lib.hasSuffix "-darwin" system;
      mkDerivation = args: drv (named args) { };
    };
    callPackage = fn: args: let f = if b.isFunction fn then fn else import fn; in
      f (b.intersectAttrs (b.functionArgs f) final // args);
    writeShellScriptBin = name: text: drv name { };
    writeShellScript = name: text: drv name { };
    writeShellApplication = args: drv args.name { };
    writeScriptBin = name: text: drv name { };
    writeScript = name: text: drv name { };
    writeText = name: text: drv name { };
    writeTextFile = args: drv args.name { };
    runCommand = name: env: cmd: drv name { };
    runCommandLocal = name: env: cmd: drv name { };
    runCommandNoCC = name: env: cmd: drv name { };
    symlinkJoin = args: drv args.name { };
    buildEnv = args: drv args.name { };
    mkShell = args: drv (args.name or "nix-shell") { };
    mkShellNoCC = args: drv (args.name or "nix-shell") { };
    linuxPackages = { kernel = drv "linux" { }; };
    linuxPackages_latest = { kernel = drv "linux" { }; };
  } // lib.genAttrs kernelSets (n: { kernel = drv "linux-${lib.removePrefix "linuxPackages_" n}" { }; }) // {
    nixosTest = args: drv (args.name or "nixos-test") { };
    testers = { runNixOSTest = args: drv (args.name or "nixos-test") { }; };
    formats = { json = _: { generate = name: v: drv name { }; }; yaml = _: { generate = name: v: drv name { }; }; };
  };
in
lib.fix (final: b.foldl' (acc: ov: acc // ov final acc) (base final) overlays)
