{ config, lib, pkgs, ... }:
{
  imports = [ ./users.nix ];
  networking.hostName = "box";
  services.openssh.enable = true;
  environment.systemPackages = with pkgs; [ vim git ];
  boot.kernelParams = lib.mkIf (config.networking.hostName == "box") [ "quiet" ];
  system.stateVersion = "25.05";
}
