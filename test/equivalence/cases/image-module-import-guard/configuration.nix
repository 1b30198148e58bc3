{ pkgs, ... }: {
  services.openssh.enable = true;
  environment.systemPackages = [ pkgs.htop ];
  system.stateVersion = "25.05";
}
