// nixos-generators format -> nixpkgs image variant. Pure data; every other
// module asks this table. Read in nixos-generators' formats/*.nix (and their
// git history for specialArgs) and nixpkgs' nixos/modules/image/images.nix
// with the modules it lists (docs/upstream.md §B, §G, §H); every difference below was measured by building
// both sides' derivations with real nixpkgs (docs/realnix-parity.md).

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
  /**
   * On a configuration that is not x86_64-linux, nixos-generators' format
   * built what this other format's variant builds (qcow: GRUB for EFI there,
   * which upstream's legacy-BIOS qemu variant cannot boot).
   */
  readonly notX86?: string;
  /** With notX86: the parity module on those platforms (nixos-generators' own settings there). */
  readonly parityModuleNotX86?: string;
  /** With notX86: what differs there from the other format's variant (its own settings, not that format's). */
  readonly differenceNotX86?: string;
  /** The variant exists only in nixpkgs newer than 25.05. */
  readonly newerThan2505?: boolean;
  /**
   * Module that must join `image.modules.<variant>` for the variant to be this
   * format at all (installer profile, Hyper-V guest); always added.
   */
  readonly variantModule?: string;
  /**
   * Settings nixos-generators' format forced that upstream's variant does not,
   * which only matter when the configuration sets them otherwise (a boot loader
   * that the image must not have: with one enabled, the variant fails to
   * evaluate). Added to `image.modules.<variant>` by the call migration.
   */
  readonly forcedModule?: string;
  /**
   * Module for `image.modules.<variant>` that restores nixos-generators'
   * different defaults; added with `--parity`, otherwise reported.
   */
  readonly parityModule?: string;
  /** What changes upstream, one sentence, true for every nixpkgs release (reported without --parity). */
  readonly difference?: string;
  /** What still differs with --parity. */
  readonly differenceWithParity?: string;
  /**
   * The difference holds up to this nixpkgs release only, as `text`; later
   * releases changed upstream so that nothing differs (the parity module is then inert).
   */
  readonly differenceThrough?: { readonly release: string; readonly text: string };
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
/**
 * nixos-generators' GRUB for EFI (removable): it never set `grub.enable`, so a
 * configuration's own systemd-boot held; only upstream's default
 * (`systemd-boot.enable = mkDefault efiSupport`, nixos/modules/virtualisation/disk-image.nix)
 * is undone, one priority above it.
 */
const GRUB_EFI_REMOVABLE =
  "boot.loader.systemd-boot.enable = lib.mkOverride 999 false; " +
  'boot.loader.grub = { device = "nodev"; efiSupport = true; efiInstallAsRemovable = true; };';
/** nixos-generators' qcow on a platform that is not x86_64: the same GRUB, at mkDefault, and only ttyS0. */
const GRUB_EFI_REMOVABLE_DEFAULT =
  "boot.loader.systemd-boot.enable = lib.mkOverride 999 false; " +
  'boot.loader.grub = { device = lib.mkDefault "nodev"; efiSupport = lib.mkDefault true; efiInstallAsRemovable = lib.mkDefault true; };';
/** nixos-generators' `boot.consoles` (qcow-efi): ttyS0, and the platform's serial console on ARM and RISC-V. */
const PLATFORM_CONSOLES =
  '[ "console=ttyS0" ] ++ lib.optional pkgs.stdenv.hostPlatform.isAarch "console=ttyAMA0,115200" ++ lib.optional pkgs.stdenv.hostPlatform.isRiscV64 "console=ttySIF0,115200"';
/** nixos-generators' lxc, proxmox-lxc and kexec formats force both boot loaders off; upstream's variants do not. */
const NO_BOOT_LOADER = "{ lib, ... }: { boot.loader.grub.enable = lib.mkForce false; boot.loader.systemd-boot.enable = lib.mkForce false; }";
const INSTALLER_WIFI =
  "upstream's installer enables wpa_supplicant but does not start it at boot, where nixos-generators started it (sshd starts in both)";

export const FORMATS: readonly FormatInfo[] = [
  // the image is the same; nixos-generators' CLI looked for a `.vhd`, the file is `.vpc` on both sides
  { format: "amazon", variant: "amazon", formatAttr: "amazonImage", fileExtension: ".vhd" },
  { format: "azure", variant: "azure", formatAttr: "azureImage", fileExtension: ".vhd" },
  { format: "cloudstack", variant: "cloudstack", formatAttr: "cloudstackImage", fileExtension: "", newerThan2505: true,
    difference: "upstream's cloudstack image adds a `cloudstack` tag to the system label (boot menu, /etc/issue), and its /etc/nixos/configuration.nix imports cloudstack-config.nix from `<nixpkgs>` instead of a store path",
    differenceWithParity: "upstream's image has an /etc/nixos/configuration.nix that imports cloudstack-config.nix from `<nixpkgs>` instead of a store path",
    parityModule: "{ lib, ... }: { system.nixos.tags = lib.mkForce [ ]; }" },
  { format: "do", variant: "digital-ocean", formatAttr: "digitalOceanImage", fileExtension: ".qcow2.gz" },
  { format: "docker", variant: null, formatAttr: "tarball", fileExtension: ".tar.xz",
    // verified: the custom variant builds the very image nixos-generators built
    recipe:
      "nixpkgs has no docker image variant (`oci` is Oracle Cloud, not a container format). Keep nixos-generators for this output, " +
      "or add a custom variant to the configuration: `image.modules.docker = { modulesPath, lib, config, ... }: { imports = [ \"${modulesPath}/virtualisation/docker-image.nix\" \"${modulesPath}/image/file-options.nix\" ]; " +
      "boot.loader.grub.enable = lib.mkForce false; boot.loader.systemd-boot.enable = lib.mkForce false; services.journald.console = \"/dev/console\"; " +
      "system.build.image = config.system.build.tarball; image.extension = \"tar.xz\"; image.filePath = \"tarball/nixos-system-${config.nixpkgs.hostPlatform.system}.tar.xz\"; };` " +
      "and build `config.system.build.images.docker`" },
  { format: "gce", variant: "google-compute", formatAttr: "googleComputeImage", fileExtension: ".raw.tar.gz" },
  { format: "hyperv", variant: "hyperv", formatAttr: "hypervImage", fileExtension: ".vhdx", diskSizeOption: "virtualisation.diskSize" },
  { format: "install-iso", variant: "iso-installer", formatAttr: "isoImage", fileExtension: ".iso",
    // nixpkgs 25.05's installation-device.nix: wireless on, `wpa_supplicant.wantedBy = mkOverride 50 [ ]`, openssh on;
    // from 25.11 (nixpkgs PR 421082) it enables NetworkManager instead: measured identical on 26.11
    difference: `on nixpkgs 25.05, ${INSTALLER_WIFI}; from 25.11 the installer uses NetworkManager and nothing differs`,
    differenceThrough: { release: "25.05", text: INSTALLER_WIFI },
    parityModule:
      '{ lib, ... }: { systemd.services.wpa_supplicant.wantedBy = lib.mkForce [ "multi-user.target" ]; systemd.services.sshd.wantedBy = lib.mkForce [ "multi-user.target" ]; }' },
  { format: "install-iso-hyperv", variant: "iso-installer", formatAttr: "isoImage", fileExtension: ".iso",
    variantModule:
      '{ lib, ... }: { systemd.services.sshd.wantedBy = lib.mkForce [ "multi-user.target" ]; systemd.services.wpa_supplicant.wantedBy = lib.mkOverride 40 [ ]; virtualisation.hypervGuest.enable = true; }' },
  { format: "iso", variant: "iso", formatAttr: "isoImage", fileExtension: ".iso",
    difference: "the ISO is no longer EFI- and USB-bootable by default (isoImage.makeEfiBootable/makeUsbBootable default to false)",
    parityModule: "{ isoImage.makeEfiBootable = true; isoImage.makeUsbBootable = true; }" },
  { format: "kexec", variant: "kexec", formatAttr: "kexec_tarball", fileExtension: ".tar.xz",
    forcedModule: NO_BOOT_LOADER,
    // netboot.nix's kexecScript loads ${SCRIPT_DIR}/bzImage: the tarball holds the script alone
    difference:
      "upstream's tarball is tarball/<baseName>.tar.xz and its /kexec_nixos loads bzImage and initrd.gz from its own directory, which the tarball does not hold " +
      "(`<image>.passthru.config.system.build.kexecTree` is a directory that runs), where nixos-generators' script was self-contained and added /ssh_pubkey " +
      "to root's authorized_keys; upstream also has no console=ttyS0,115200 panic=30 boot.panic_on_fail, no forced sshd and no hostName \"kexec\"",
    differenceWithParity:
      "upstream's tarball is tarball/<baseName>.tar.xz and its /kexec_nixos loads bzImage and initrd.gz from its own directory, which the tarball does not hold " +
      "(`<image>.passthru.config.system.build.kexecTree` is a directory that runs), where nixos-generators' script was self-contained and added /ssh_pubkey " +
      "to root's authorized_keys",
    parityModule:
      '{ lib, ... }: { boot.kernelParams = [ "console=ttyS0,115200" "panic=30" "boot.panic_on_fail" ]; systemd.services.sshd.wantedBy = lib.mkForce [ "multi-user.target" ]; networking.hostName = lib.mkDefault "kexec"; }' },
  { format: "kexec-bundle", variant: null, formatAttr: "kexec_bundle", fileExtension: "-kexec_bundle",
    recipe:
      "nixpkgs builds no self-extracting kexec bundle. Use the `kexec` variant's tree instead: `config.system.build.images.kexec.passthru.config.system.build.kexecTree` " +
      "is a directory with bzImage, initrd.gz and kexec-boot (copy it to the target and run ./kexec-boot); or keep nixos-generators for this output" },
  { format: "kubevirt", variant: "kubevirt", formatAttr: "kubevirtImage", fileExtension: ".qcow2" },
  { format: "linode", variant: "linode", formatAttr: "linodeImage", fileExtension: ".img.gz",
    difference:
      "nixos-generators replaced upstream's image builder by its own (a pigz-compressed nixos.img without /etc/nixos/configuration.nix) and added " +
      "boot.growPartition, GRUB `fsIdentifier = \"label\"` without a splash image and with a /boot/grub2 link, AMD microcode updates, the QEMU guest agent and linode-cli; " +
      "upstream's linode variant has none of these" },
  // measured: a configuration with systemd-boot enabled fails to evaluate as images.lxc without it
  { format: "lxc", variant: "lxc", formatAttr: "tarball", fileExtension: ".tar.xz", forcedModule: NO_BOOT_LOADER },
  // upstream's variant is lxc-image-metadata.nix alone: on a configuration that is not a container it fails
  // NixOS's assertions (no root file system, no boot loader); nixos-generators evaluated lxc-container.nix too
  { format: "lxc-metadata", variant: "lxc-metadata", formatAttr: "metadata", fileExtension: ".tar.xz",
    // lxc-container.nix sets system.build.image at priority 99, above the metadata's: force the metadata
    variantModule:
      '{ config, lib, modulesPath, ... }: { imports = [ "${modulesPath}/virtualisation/lxc-container.nix" ]; boot.loader.grub.enable = lib.mkForce false; boot.loader.systemd-boot.enable = lib.mkForce false; system.build.image = lib.mkForce config.system.build.metadata; }' },
  { format: "openstack", variant: "openstack", formatAttr: "openstackImage", fileExtension: ".qcow2" },
  { format: "proxmox", variant: "proxmox", formatAttr: "VMA", fileExtension: ".vma.zst", diskSizeOption: "virtualisation.diskSize" },
  { format: "proxmox-lxc", variant: "proxmox-lxc", formatAttr: "tarball", fileExtension: ".tar.xz", forcedModule: NO_BOOT_LOADER },
  { format: "qcow", variant: "qemu", formatAttr: "qcow", fileExtension: ".qcow2", diskSizeOption: "virtualisation.diskSize", notX86: "qcow-efi",
    difference:
      "upstream's qemu image has a legacy MBR instead of a hybrid partition table, no qemu-guest profile, no console=ttyS0, no boot.loader.timeout = 0, and a `qcow2` tag in the system label",
    differenceWithParity: "upstream's qemu image has a legacy MBR instead of a hybrid partition table",
    parityModule:
      `{ lib, modulesPath, ... }: { imports = [ ${QEMU_GUEST} ]; boot.kernelParams = [ "console=ttyS0" ]; boot.loader.timeout = 0; boot.loader.grub.device = lib.mkDefault "/dev/vda"; system.nixos.tags = lib.mkForce [ ]; }`,
    // nixos-generators' qcow had only console=ttyS0 there (qcow-efi's boot.consoles added the platform's)
    differenceNotX86:
      "upstream boots with systemd-boot instead of GRUB (EFI, removable), has no qemu-guest profile, no console=ttyS0 and no timeout 0, " +
      "and `qcow2` and `efi` tags in the system label",
    parityModuleNotX86:
      `{ lib, modulesPath, ... }: { imports = [ ${QEMU_GUEST} ]; ${GRUB_EFI_REMOVABLE_DEFAULT} boot.loader.timeout = 0; boot.kernelParams = [ "console=ttyS0" ]; system.nixos.tags = lib.mkForce [ ]; }` },
  { format: "qcow-efi", variant: "qemu-efi", formatAttr: "qcow-efi", fileExtension: ".qcow2",
    difference:
      "upstream boots with systemd-boot instead of GRUB (EFI, removable), has no qemu-guest profile, no serial consoles on the kernel command line (console=ttyS0, and console=ttyAMA0 on ARM or console=ttySIF0 on RISC-V) and no timeout 0, " +
      "and `qcow2` and `efi` tags in the system label",
    parityModule:
      `{ lib, modulesPath, pkgs, ... }: { imports = [ ${QEMU_GUEST} ]; ${GRUB_EFI_REMOVABLE} boot.loader.timeout = 0; boot.kernelParams = ${PLATFORM_CONSOLES}; system.nixos.tags = lib.mkForce [ ]; }` },
  { format: "raw", variant: "raw", formatAttr: "raw", fileExtension: ".img", diskSizeOption: "virtualisation.diskSize",
    difference: "upstream's raw image has no console=ttyS0, no boot.loader.timeout = 0 and no `uas` initrd module, and a `raw` tag in the system label",
    parityModule:
      '{ lib, ... }: { boot.kernelParams = [ "console=ttyS0" ]; boot.loader.timeout = 0; boot.initrd.availableKernelModules = [ "uas" ]; boot.loader.grub.device = lib.mkDefault "/dev/vda"; system.nixos.tags = lib.mkForce [ ]; }' },
  { format: "raw-efi", variant: "raw-efi", formatAttr: "raw", fileExtension: ".img", diskSizeOption: "virtualisation.diskSize",
    difference:
      "upstream boots with systemd-boot instead of GRUB (EFI, removable), has no console=ttyS0, timeout 0 or `uas` initrd module, and `raw` and `efi` tags in the system label",
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
      "a VM is not an image variant: use `config.system.build.vmWithBootLoader` of the configuration (`nixos-rebuild build-vm-with-bootloader --flake .#<host>`); " +
      "to keep nixos-generators' 2 GiB disk set `virtualisation.vmVariantWithBootLoader.virtualisation.diskSize = 2048;`" },
  { format: "vm-nogui", variant: null, formatAttr: "vm", fileExtension: "",
    recipe:
      "a VM is not an image variant: use `config.system.build.vm` (`nixos-rebuild build-vm --flake .#<host>`) and add " +
      '`virtualisation.vmVariant = { virtualisation.graphics = false; virtualisation.qemu.options = [ "-serial mon:stdio" ]; virtualisation.diskSize = 2048; };` to the configuration ' +
      "(nixos-generators also ran a `resize` script at login to size the serial console)" },
  { format: "vmware", variant: "vmware", formatAttr: "vmwareImage", fileExtension: ".vmdk",
    // vmware-image.nix renames vmware.baseImageSize to virtualisation.diskSize since 26.05
    diskSizeOption: "virtualisation.diskSize", diskSizeOptionBefore: ["26.05", "vmware.baseImageSize"] },
];

const BY_NAME = new Map(FORMATS.map((f) => [f.format, f]));

export function lookupFormat(name: string): FormatInfo | undefined {
  return BY_NAME.get(name);
}

/** "24.11" < "25.05" */
function compareRelease(a: string, b: string): number {
  const [ay, am] = a.split(".").map(Number) as [number, number];
  const [by, bm] = b.split(".").map(Number) as [number, number];
  return ay - by || am - bm;
}

/** Is the format's difference real on `release` (null: not known, so it may be)? */
export function differsOn(info: FormatInfo, release: string | null): boolean {
  return !info.differenceThrough || release === null || compareRelease(release, info.differenceThrough.release) <= 0;
}

/**
 * The behaviour change to report for a format on a flake that pins `release`
 * (null: not known), or null when nothing differs.
 */
export function behaviourNote(info: FormatInfo, release: string | null, parity: boolean): string | null {
  if (!differsOn(info, release)) return null;
  if (parity && info.parityModule) return info.differenceWithParity ?? null;
  if (info.differenceThrough && release !== null) return `on nixpkgs ${release}, which this flake pins, ${info.differenceThrough.text}`;
  return info.difference ?? null;
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

/**
 * A module that gives a configuration made only for images a root of its own, so that
 * `nix flake check` (which evaluates every configuration's `system.build.toplevel`) passes,
 * and the variants whose images it leaves identical because each of them overrides it.
 * Checked against nixpkgs 26.11pre on x86_64-linux: every listed variant's image drvPath is
 * the same with and without the module (docs/realnix-parity.md, "A configuration's own root").
 */
export interface StandaloneModule {
  /** Paste-ready module text (needs `lib`). */
  readonly module: string;
  readonly keeps: ReadonlySet<string>;
}

export const STANDALONE_MODULES: readonly StandaloneModule[] = [
  {
    // below mkDefault (1000) and above option defaults (1500): every disk image's own wins
    module: '({ lib, ... }: { fileSystems."/" = lib.mkOverride 1400 { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; }; boot.loader.grub.devices = lib.mkOverride 1400 [ "nodev" ]; })',
    keeps: new Set([
      "amazon", "azure", "cloudstack", "digital-ocean", "google-compute", "hyperv", "iso", "iso-installer", "kexec", "kubevirt",
      "linode", "lxc-metadata", "oci", "openstack", "openstack-zfs", "proxmox", "qemu", "qemu-efi", "raw", "raw-efi", "sd-card",
      "vagrant-virtualbox", "virtualbox", "vmware",
    ]),
  },
  {
    // the container variants set boot.isContainer themselves
    module: "({ lib, ... }: { boot.isContainer = lib.mkOverride 1400 true; })",
    keeps: new Set(["lxc", "lxc-metadata", "proxmox-lxc"]),
  },
];

/** The first module of STANDALONE_MODULES that keeps every one of these variants' images, or null. */
export function standaloneModule(variants: Iterable<string>): StandaloneModule | null {
  const wanted = [...variants];
  return STANDALONE_MODULES.find((m) => wanted.every((v) => m.keeps.has(v))) ?? null;
}

/** Text table for `--list-formats`. */
export function formatTable(): string {
  const rows = FORMATS.map((f) => {
    let note = "";
    if (!f.variant) note = "no variant: " + f.recipe!.split(/[.;:]/)[0];
    else if (f.requiresSystem) note = `configuration must target ${f.requiresSystem}`;
    else if (f.newerThan2505) note = "variant only in nixpkgs newer than 25.05";
    else if (f.variant !== f.format) note = "renamed";
    if (f.variantModule || f.forcedModule) note = (note ? note + "; " : "") + "adds an image.modules entry";
    if (f.parityModule) note = (note ? note + "; " : "") + "defaults differ (--parity)";
    return [f.format, f.variant ?? "-", note];
  });
  const w0 = Math.max(...rows.map((r) => r[0]!.length), "format".length);
  const w1 = Math.max(...rows.map((r) => r[1]!.length), "variant".length);
  const line = (r: string[]) => `${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`.trimEnd();
  return [line(["format", "variant", "notes"]), ...rows.map(line)].join("\n") + "\n";
}
