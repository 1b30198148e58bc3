{ config, lib, pkgs, ... }:
{
  networking.hostName = lib.mkDefault "machine";
  services.openssh.enable = true;
  environment.systemPackages = [ pkgs.htop ];
  virtualisation.diskSize = 4096;
  system.stateVersion = "25.05";
}
