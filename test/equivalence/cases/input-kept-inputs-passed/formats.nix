{ inputs, ... }: {
  imports = [ inputs.nixos-generators.nixosModules.all-formats ];
  formatConfigs.vmware = { config, ... }: { services.openssh.enable = true; };
}
