{ lib, ... }: {
  isoImage.squashfsCompression = "zstd";
  isoImage.volumeID = lib.mkForce "LIVE";
  networking.hostName = "live";
}
