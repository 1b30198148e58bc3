{ lib, ... }: {
  users.users.admin = { isNormalUser = true; extraGroups = [ "wheel" ]; };
  security.sudo.wheelNeedsPassword = lib.mkDefault false;
}
