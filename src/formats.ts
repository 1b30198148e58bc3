// nixos-generators format -> nixpkgs image variant. Pure data; every other
// module asks this table. Source: ../shared/reference/upstream-facts.md
// sections B (formats), G (mapping, recipes) and H (behaviour differences).

export type System = "x86_64-linux" | "aarch64-linux";

export interface FormatInfo {
  /** nixos-generators format name (`format = "…"`, `nixos-generate -f …`). */
  readonly format: string;
  /** Upstream `system.build.images.<variant>`, or null when there is none. */
  readonly variant: string | null;
  /** `config.system.build.<formatAttr>` that nixos-generators returned. */
  readonly formatAttr: string;
  /** nixos-generators' `fileExtension` (the file its CLI printed). */
  readonly fileExtension: string;
  /** The variant only does the right thing when the configuration targets this system. */
  readonly requiresSystem?: System;
  /** The variant exists only in nixpkgs newer than 25.05. */
  readonly newerThan2505?: boolean;
  /**
   * Module that must join `image.modules.<variant>` for the variant to be this
   * format at all (installer profile, Hyper-V guest); always added.
   */
  readonly variantModule?: string;
  /**
   * Module for `image.modules.<variant>` that restores nixos-generators'
   * different defaults; added with `--parity`, otherwise reported.
   */
  readonly parityModule?: string;
  /** What changes upstream, one sentence (reported as a note without --parity). */
  readonly difference?: string;
  /** For formats without a variant: exactly what to do instead. */
  readonly recipe?: string;
  /**
   * nixos-generators' format read `specialArgs.diskSize` (its revisions from
   * 2024-02-12 to 2024-10-29: formats/*.nix, `specialArgs.diskSize or "auto"`);
   * upstream the variant's disk size is this option, set in image.modules.<variant>.
   */
  readonly diskSizeOption?: string;
  /** Before this nixpkgs release the option was another one: [release, option]. */
  readonly diskSizeOptionBefore?: readonly [string, string];
}

const QEMU_GUEST = '"${modulesPath}/profiles/qemu-guest.nix"';
const GRUB_EFI_REMOVABLE =
  "boot.loader.systemd-boot.enable = lib.mkForce false; " +
  'boot.loader.grub = { enable = true; device = "nodev"; efiSupport = true; efiInstallAsRemovable = true; };';

export const FORMATS: readonly FormatInfo[] = [
  { format: "amazon", variant: "amazon", formatAttr: "amazonImage", fileExtension: ".vhd",
    difference: "the image file is now `<baseName>.vpc` (nixos-generators expected `.vhd`)" },
  { format: "azure", variant: "azure", formatAttr: "azureImage", fileExtension: ".vhd" },
  { format: "cloudstack", variant: "cloudstack", formatAttr: "cloudstackImage", fileExtension: "", newerThan2505: true,
    difference: "upstream's cloudstack image adds a `cloudstack` tag to the system label (boot menu, /etc/issue)",
    // verified against real nixpkgs: the system is then identical (docs/realnix-parity.md)
    parityModule: "{ lib, ... }: { system.nixos.tags = lib.mkForce [ ]; }" },
  { format: "do", variant: "digital-ocean", formatAttr: "digitalOceanImage", fileExtension: ".qcow2.gz" },
  { format: "docker", variant: null, formatAttr: "tarball", fileExtension: ".tar.xz",
    recipe:
      "nixpkgs has no docker image variant (`oci` is Oracle Cloud, not a container format). Keep nixos-generators for this output, " +
      "or add a custom variant to the configuration: `image.modules.docker = { modulesPath, lib, config, ... }: { imports = [ \"${modulesPath}/virtualisation/docker-image.nix\" \"${modulesPath}/image/file-options.nix\" ]; " +
      "boot.loader.grub.enable = lib.mkForce false; boot.loader.systemd-boot.enable = lib.mkForce false; services.journald.console = \"/dev/console\"; " +
      "system.build.image = config.system.build.tarball; image.extension = \"tar.xz\"; image.filePath = \"tarball/nixos-system-${config.nixpkgs.hostPlatform.system}.tar.xz\"; };` " +
      "and build `config.system.build.images.docker`" },
  { format: "gce", variant: "google-compute", formatAttr: "googleComputeImage", fileExtension: ".raw.tar.gz" },
  { format: "hyperv", variant: "hyperv", formatAttr: "hypervImage", fileExtension: ".vhdx", diskSizeOption: "virtualisation.diskSize" },
  { format: "install-iso", variant: "iso-installer", formatAttr: "isoImage", fileExtension: ".iso",
    difference: "sshd and wpa_supplicant no longer start at boot on the installer",
    parityModule:
      '{ lib, ... }: { systemd.services.wpa_supplicant.wantedBy = lib.mkForce [ "multi-user.target" ]; systemd.services.sshd.wantedBy = lib.mkForce [ "multi-user.target" ]; }' },
  { format: "install-iso-hyperv", variant: "iso-installer", formatAttr: "isoImage", fileExtension: ".iso",
    variantModule:
      '{ lib, ... }: { systemd.services.sshd.wantedBy = lib.mkForce [ "multi-user.target" ]; systemd.services.wpa_supplicant.wantedBy = lib.mkOverride 40 [ ]; virtualisation.hypervGuest.enable = true; }' },
  { format: "iso", variant: "iso", formatAttr: "isoImage", fileExtension: ".iso",
    difference: "the ISO is no longer EFI- and USB-bootable by default (isoImage.makeEfiBootable/makeUsbBootable default to false)",
    parityModule: "{ isoImage.makeEfiBootable = true; isoImage.makeUsbBootable = true; }" },
  { format: "kexec", variant: "kexec", formatAttr: "kexec_tarball", fileExtension: ".tar.xz",
    difference:
      "the kexec tarball no longer injects /ssh_pubkey as root's authorized_keys, has no console=ttyS0,115200 panic=30 boot.panic_on_fail, no forced sshd and no hostName \"kexec\"; its layout is tarball/<baseName>.tar.xz",
    parityModule:
      '{ lib, ... }: { boot.kernelParams = [ "console=ttyS0,115200" "panic=30" "boot.panic_on_fail" ]; systemd.services.sshd.wantedBy = lib.mkForce [ "multi-user.target" ]; networking.hostName = lib.mkDefault "kexec"; }' },
  { format: "kexec-bundle", variant: null, formatAttr: "kexec_bundle", fileExtension: "-kexec_bundle",
    recipe:
      "nixpkgs builds no self-extracting kexec bundle. Use the `kexec` variant instead (`config.system.build.images.kexec`, a tarball holding /kexec_nixos); " +
      "unpack it on the target and run ./kexec_nixos, or keep nixos-generators for this output" },
  { format: "kubevirt", variant: "kubevirt", formatAttr: "kubevirtImage", fileExtension: ".qcow2" },
  { format: "linode", variant: "linode", formatAttr: "linodeImage", fileExtension: ".img.gz",
    difference: "nixos-generators used its own raw, pigz-compressed builder and extra grub/network/linode-cli settings; upstream's linode-image.nix builds its own image" },
  { format: "lxc", variant: "lxc", formatAttr: "tarball", fileExtension: ".tar.xz",
    difference: "the tarball is now tarball/<baseName>.tar.xz; nixos-generators also force-disabled grub and systemd-boot",
    parityModule: "{ lib, ... }: { boot.loader.grub.enable = lib.mkForce false; boot.loader.systemd-boot.enable = lib.mkForce false; }" },
  // upstream's variant is lxc-image-metadata.nix alone: on a configuration that is not a container it fails
  // NixOS's assertions (no root file system, no boot loader); nixos-generators evaluated lxc-container.nix too
  { format: "lxc-metadata", variant: "lxc-metadata", formatAttr: "metadata", fileExtension: ".tar.xz",
    // lxc-container.nix sets system.build.image at priority 99, above the metadata's: force the metadata
    variantModule:
      '{ config, lib, modulesPath, ... }: { imports = [ "${modulesPath}/virtualisation/lxc-container.nix" ]; boot.loader.grub.enable = lib.mkForce false; boot.loader.systemd-boot.enable = lib.mkForce false; system.build.image = lib.mkForce config.system.build.metadata; }',
    difference: "the tarball is tarball/<baseName>.tar.xz" },
  { format: "openstack", variant: "openstack", formatAttr: "openstackImage", fileExtension: ".qcow2" },
  { format: "proxmox", variant: "proxmox", formatAttr: "VMA", fileExtension: ".vma.zst", diskSizeOption: "virtualisation.diskSize" },
  { format: "proxmox-lxc", variant: "proxmox-lxc", formatAttr: "tarball", fileExtension: ".tar.xz",
    difference: "nixos-generators also force-disabled grub and systemd-boot",
    parityModule: "{ lib, ... }: { boot.loader.grub.enable = lib.mkForce false; boot.loader.systemd-boot.enable = lib.mkForce false; }" },
  { format: "qcow", variant: "qemu", formatAttr: "qcow", fileExtension: ".qcow2", diskSizeOption: "virtualisation.diskSize",
    difference:
      "upstream's qemu image has a legacy MBR instead of a hybrid partition table, no qemu-guest profile, no console=ttyS0, no boot.loader.timeout = 0, and a `qcow2` tag in the system label",
    parityModule:
      `{ lib, modulesPath, ... }: { imports = [ ${QEMU_GUEST} ]; boot.kernelParams = [ "console=ttyS0" ]; boot.loader.timeout = 0; boot.loader.grub.device = lib.mkDefault "/dev/vda"; system.nixos.tags = lib.mkForce [ ]; }` },
  { format: "qcow-efi", variant: "qemu-efi", formatAttr: "qcow-efi", fileExtension: ".qcow2",
    difference: "upstream boots with systemd-boot instead of GRUB (EFI, removable), has no qemu-guest profile, console=ttyS0 or timeout 0, and no `boot.consoles` option",
    parityModule:
      `{ lib, modulesPath, ... }: { imports = [ ${QEMU_GUEST} ]; ${GRUB_EFI_REMOVABLE} boot.loader.timeout = 0; boot.kernelParams = [ "console=ttyS0" ]; system.nixos.tags = lib.mkForce [ ]; }` },
  { format: "raw", variant: "raw", formatAttr: "raw", fileExtension: ".img", diskSizeOption: "virtualisation.diskSize",
    difference: "upstream's raw image has no console=ttyS0, no boot.loader.timeout = 0 and no `uas` initrd module",
    parityModule:
      '{ lib, ... }: { boot.kernelParams = [ "console=ttyS0" ]; boot.loader.timeout = 0; boot.initrd.availableKernelModules = [ "uas" ]; boot.loader.grub.device = lib.mkDefault "/dev/vda"; system.nixos.tags = lib.mkForce [ ]; }' },
  { format: "raw-efi", variant: "raw-efi", formatAttr: "raw", fileExtension: ".img", diskSizeOption: "virtualisation.diskSize",
    difference: "upstream boots with systemd-boot instead of GRUB (EFI, removable), and has no console=ttyS0, timeout 0 or `uas` initrd module",
    parityModule:
      `{ lib, ... }: { ${GRUB_EFI_REMOVABLE} boot.loader.timeout = 0; boot.kernelParams = [ "console=ttyS0" ]; boot.initrd.availableKernelModules = [ "uas" ]; system.nixos.tags = lib.mkForce [ ]; }` },
  { format: "sd-aarch64", variant: "sd-card", formatAttr: "sdImage", fileExtension: ".img.*", requiresSystem: "aarch64-linux" },
  { format: "sd-aarch64-installer", variant: "sd-card", formatAttr: "sdImage", fileExtension: ".img.*", requiresSystem: "aarch64-linux",
    // the very module nixos-generators used (installation-device profile, installer.cloneConfig = false);
    // its sd-image-aarch64.nix import is the one the sd-card variant imports, so the module system dedups it
    variantModule: '{ modulesPath, ... }: { imports = [ "${modulesPath}/installer/sd-card/sd-image-aarch64-installer.nix" ]; }' },
  { format: "sd-x86_64", variant: "sd-card", formatAttr: "sdImage", fileExtension: ".img.*", requiresSystem: "x86_64-linux" },
  { format: "vagrant-virtualbox", variant: "vagrant-virtualbox", formatAttr: "vagrantVirtualbox", fileExtension: "" },
  { format: "virtualbox", variant: "virtualbox", formatAttr: "virtualBoxOVA", fileExtension: ".ova" },
  { format: "vm", variant: null, formatAttr: "vm", fileExtension: "",
    recipe:
      "a VM is not an image variant: use `config.system.build.vm` of the configuration (`nixos-rebuild build-vm --flake .#<host>`, then ./result/bin/run-<hostname>-vm); " +
      "to keep nixos-generators' 2 GiB disk set `virtualisation.vmVariant.virtualisation.diskSize = 2048;`" },
  { format: "vm-bootloader", variant: null, formatAttr: "vm", fileExtension: "",
    recipe:
      "a VM is not an image variant: use `config.system.build.vmWithBootLoader` of the configuration (`nixos-rebuild build-vm-with-bootloader --flake .#<host>`)" },
  { format: "vm-nogui", variant: null, formatAttr: "vm", fileExtension: "",
    recipe:
      "a VM is not an image variant: use `config.system.build.vm` (`nixos-rebuild build-vm --flake .#<host>`) and add " +
      '`virtualisation.vmVariant = { virtualisation.graphics = false; virtualisation.qemu.options = [ "-serial mon:stdio" ]; };` to the configuration' },
  { format: "vmware", variant: "vmware", formatAttr: "vmwareImage", fileExtension: ".vmdk",
    // vmware-image.nix renames vmware.baseImageSize to virtualisation.diskSize since 26.05
    diskSizeOption: "virtualisation.diskSize", diskSizeOptionBefore: ["26.05", "vmware.baseImageSize"] },
];

const BY_NAME = new Map(FORMATS.map((f) => [f.format, f]));

export function lookupFormat(name: string): FormatInfo | undefined {
  return BY_NAME.get(name);
}

/** Formats whose variant has another name, [format, variant], in table order. */
export function variantRenames(): [string, string][] {
  return FORMATS.filter((f) => f.variant && f.variant !== f.format).map((f) => [f.format, f.variant!]);
}

/** Every upstream variant name (nixpkgs 25.05 plus cloudstack). */
export const VARIANTS: readonly string[] = [
  "amazon", "azure", "cloudstack", "digital-ocean", "google-compute", "hyperv", "iso", "iso-installer", "kexec",
  "kubevirt", "linode", "lxc", "lxc-metadata", "oci", "openstack", "openstack-zfs", "proxmox", "proxmox-lxc",
  "qemu", "qemu-efi", "raw", "raw-efi", "sd-card", "vagrant-virtualbox", "virtualbox", "vmware",
];

/** Text table for `--list-formats`. */
export function formatTable(): string {
  const rows = FORMATS.map((f) => {
    let note = "";
    if (!f.variant) note = "no variant: " + f.recipe!.split(/[.;:]/)[0];
    else if (f.requiresSystem) note = `configuration must target ${f.requiresSystem}`;
    else if (f.newerThan2505) note = "variant only in nixpkgs newer than 25.05";
    else if (f.variant !== f.format) note = "renamed";
    if (f.variantModule) note = (note ? note + "; " : "") + "adds an image.modules entry";
    if (f.parityModule) note = (note ? note + "; " : "") + "defaults differ (--parity)";
    return [f.format, f.variant ?? "-", note];
  });
  const w0 = Math.max(...rows.map((r) => r[0]!.length), "format".length);
  const w1 = Math.max(...rows.map((r) => r[1]!.length), "variant".length);
  const line = (r: string[]) => `${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`.trimEnd();
  return [line(["format", "variant", "notes"]), ...rows.map(line)].join("\n") + "\n";
}
