{ modulesPath, ... }: {
  imports = [ "${modulesPath}/installer/scan/not-detected.nix" ];
  hardware.enableRedistributableFirmware = true;
}
