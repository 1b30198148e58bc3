{ ... }: {
  networking.hostName = "lab";
  users.users.admin = { isNormalUser = true; extraGroups = [ "wheel" ]; };
  system.stateVersion = "25.05";
}
