// Options that exist only inside an image variant, and nixpkgs modules that
// build an image themselves. Pure data plus two lookups; the image-only-options
// pass asks this table. Source: docs/upstream.md §J
// (variant-only paths, harmless paths, renames, the `system.build ? image`
// guard) and E (variant -> module), checked against nixpkgs master 7beb50e7
// (2026-07) by diffing the option tree of each `images.<v>` configuration with
// the base configuration's (docs/realnix-parity.md).
//
// With nixos-generators a module could set `proxmox.qemuConf.cores = 4;`
// because the format's image module was part of the one configuration. After
// migration the base configuration has no such option: such a definition must
// live in `image.modules.<variant>` (docs/upstream.md §J).

/** One option path (a prefix: everything below it is meant too). */
export interface OptionEntry {
  /** `proxmox.qemuConf`, split at dots. */
  readonly path: readonly string[];
  /**
   * variant: declared only by the image modules of `variants`.
   * renamed: an alias (or a name that no longer exists) whose replacement is `to`, inside `variants`.
   * removed: a removed option (nixpkgs throws `message` when it is set).
   * generators: nixos-generators' own option; it exists nowhere now.
   * harmless: declared in the base configuration too (module-list.nix); stays where it is.
   */
  readonly kind: "variant" | "renamed" | "removed" | "generators" | "harmless";
  readonly variants: readonly string[];
  readonly to?: readonly string[];
  /** renamed only: true when no nixpkgs declares the old name (it must be rewritten, not just moved). */
  readonly nowhere?: boolean;
  readonly message?: string;
}

/** Every upstream variant (docs/upstream.md §E; cloudstack only in nixpkgs newer than 25.05). */
export const ALL_VARIANTS: readonly string[] = [
  "amazon", "azure", "cloudstack", "digital-ocean", "google-compute", "hyperv", "iso", "iso-installer", "kexec",
  "kubevirt", "linode", "lxc", "lxc-metadata", "oci", "openstack", "openstack-zfs", "proxmox", "proxmox-lxc",
  "qemu", "qemu-efi", "raw", "raw-efi", "sd-card", "vagrant-virtualbox", "virtualbox", "vmware",
];

const DISK_IMAGE = ["qemu", "qemu-efi", "raw", "raw-efi"];
const ISO = ["iso", "iso-installer"];
const VBOX = ["virtualbox", "vagrant-virtualbox"];
const INSTALLER = ["iso-installer", "kexec", "lxc"];

const v = (path: string, variants: readonly string[]): OptionEntry => ({ path: path.split("."), kind: "variant", variants });
const renamed = (path: string, to: string, variants: readonly string[], nowhere = false): OptionEntry =>
  ({ path: path.split("."), kind: "renamed", variants, to: to.split("."), nowhere });
const removed = (path: string, variants: readonly string[], message: string): OptionEntry => ({ path: path.split("."), kind: "removed", variants, message });
const harmless = (path: string): OptionEntry => ({ path: path.split("."), kind: "harmless", variants: [] });

export const OPTION_ENTRIES: readonly OptionEntry[] = [
  // amazon
  v("amazonImage", ["amazon"]),
  renamed("amazonImage.sizeMB", "virtualisation.diskSize", ["amazon"]),
  renamed("amazonImage.name", "image.baseName", ["amazon"]),
  v("virtualisation.amazon-init", ["amazon", "openstack", "openstack-zfs"]),
  removed("ec2.metadata", ["amazon", "openstack", "openstack-zfs"], "ec2.metadata was removed from nixpkgs"),
  // azure
  v("virtualisation.azureImage", ["azure"]),
  renamed("virtualisation.azureImage.diskSize", "virtualisation.diskSize", ["azure"]),
  v("virtualisation.azure.acceleratedNetworking", ["azure"]),
  // digital-ocean
  v("virtualisation.digitalOceanImage", ["digital-ocean"]),
  renamed("virtualisation.digitalOceanImage.diskSize", "virtualisation.diskSize", ["digital-ocean"]),
  v("virtualisation.digitalOcean", ["digital-ocean"]),
  v("virtualisation.configFile", ["digital-ocean"]),
  // google-compute (docs/upstream.md §J: master also declares image.repart.* there; image/repart.nix declares it
  // as well, and users import that themselves, so image.repart is left alone)
  v("virtualisation.googleComputeImage", ["google-compute"]),
  renamed("virtualisation.googleComputeImage.diskSize", "virtualisation.diskSize", ["google-compute"]),
  // hyperv
  v("hyperv", ["hyperv"]),
  renamed("hyperv.baseImageSize", "virtualisation.diskSize", ["hyperv"]),
  renamed("hyperv.vmFileName", "image.fileName", ["hyperv"], true),
  renamed("virtualisation.hyperv.vmFileName", "image.fileName", ["hyperv"]),
  // linode
  v("virtualisation.linodeImage", ["linode"]),
  renamed("virtualisation.linodeImage.diskSize", "virtualisation.diskSize", ["linode"]),
  // lxc, lxc-metadata (the other virtualisation.lxc.* leaves are lxc.nix, in the base)
  v("virtualisation.lxc.templates", ["lxc", "lxc-metadata"]),
  removed("virtualisation.lxc.nestedContainer", ["lxc"], "virtualisation.lxc.nestedContainer was removed from nixpkgs"),
  removed("virtualisation.lxc.privilegedContainer", ["lxc"], "virtualisation.lxc.privilegedContainer was removed from nixpkgs"),
  // installer bits of iso-installer, kexec, lxc (and openstack for the channel)
  v("system.installer.channel", [...INSTALLER, "openstack", "openstack-zfs"]),
  v("installer.cloneConfig", INSTALLER),
  v("installer.cloneConfigIncludes", INSTALLER),
  v("installer.cloneConfigExtra", INSTALLER),
  // openstack-zfs
  v("openstackImage", ["openstack-zfs"]),
  renamed("openstackImage.sizeMB", "virtualisation.diskSize", ["openstack-zfs"]),
  renamed("openstackImage.name", "image.baseName", ["openstack-zfs"]),
  // proxmox, proxmox-lxc
  v("proxmox", ["proxmox"]),
  renamed("proxmox.qemuConf.diskSize", "virtualisation.diskSize", ["proxmox"]),
  v("proxmoxLXC", ["proxmox-lxc"]),
  // disk-image.nix: qemu, qemu-efi, raw, raw-efi
  v("image.format", DISK_IMAGE),
  v("image.efiSupport", DISK_IMAGE),
  // virtualbox, vagrant-virtualbox
  v("virtualbox", VBOX),
  renamed("virtualbox.baseImageSize", "virtualisation.diskSize", VBOX),
  renamed("virtualbox.vmFileName", "image.fileName", VBOX, true),
  renamed("virtualisation.virtualbox.vmFileName", "image.fileName", VBOX),
  // vmware (vmware.baseImageSize is its own disk size on 25.05; master renames it itself)
  v("vmware", ["vmware"]),
  renamed("vmware.vmFileName", "image.fileName", ["vmware"], true),
  renamed("virtualisation.vmware.vmFileName", "image.fileName", ["vmware"]),
  // iso, iso-installer
  v("isoImage", ISO),
  renamed("isoImage.isoBaseName", "image.baseName", ISO),
  renamed("isoImage.isoName", "image.fileName", ISO),
  // sd-card
  v("sdImage", ["sd-card"]),
  removed("sdImage.bootPartitionID", ["sd-card"], "sdImage.bootPartitionID was removed: the FAT partition only holds the Raspberry Pi firmware now; use sdImage.firmwarePartitionID"),
  removed("sdImage.bootSize", ["sd-card"], "sdImage.bootSize was removed: the boot files moved to the ext4 partition; the firmware partition size is sdImage.firmwareSize"),
  renamed("sdImage.imageBaseName", "image.baseName", ["sd-card"]),
  renamed("sdImage.imageName", "image.fileName", ["sd-card"]),
  // kexec
  v("netboot.squashfsCompression", ["kexec"]),
  v("netboot.storeContents", ["kexec"]),
  // image/file-options.nix is imported by every variant, never by the base
  v("image.baseName", ALL_VARIANTS),
  v("image.extension", ALL_VARIANTS),
  v("image.fileName", ALL_VARIANTS),
  v("image.filePath", ALL_VARIANTS),
  // nixos-generators' format-module.nix
  { path: ["formatAttr"], kind: "generators", variants: [] },
  { path: ["fileExtension"], kind: "generators", variants: [] },
  // declared in the base configuration (docs/upstream.md §J)
  harmless("virtualisation.diskSize"),
  harmless("virtualisation.diskSizeAutoSupported"),
  harmless("image.modules"),
  harmless("ec2"),
  harmless("oci"),
  harmless("openstack"),
  harmless("virtualisation.virtualbox.guest"),
  harmless("virtualisation.virtualbox.host"),
  harmless("virtualisation.vmware.guest"),
  harmless("virtualisation.vmware.host"),
  harmless("virtualisation.hypervGuest"),
  harmless("virtualisation.lxc"),
  harmless("hardware.enableAllHardware"),
];

export interface Classification {
  /** The most specific entry at or above the path (null: an ordinary option). */
  readonly own: OptionEntry | null;
  /** Entries strictly below the path whose kind differs from `own`'s (the path is then a mixed namespace). */
  readonly below: readonly OptionEntry[];
}

const startsWith = (path: readonly string[], prefix: readonly string[]) =>
  prefix.length <= path.length && prefix.every((k, i) => path[i] === k);

/** Entries by their first key (every lookup shares the path's first key with its candidates). */
const BY_FIRST_KEY = new Map<string, OptionEntry[]>();
for (const e of OPTION_ENTRIES) BY_FIRST_KEY.set(e.path[0]!, [...(BY_FIRST_KEY.get(e.path[0]!) ?? []), e]);

/**
 * Can a module with this text define an option of the table (or import more modules)? Cheap, no parse,
 * conservative: every key of some entry's path occurs as a word (`system.installer.channel` needs `system`,
 * `installer` and `channel`; nested sets and quoted keys contain the same words). Most module files fail it.
 */
export function mayDefineImageOptions(text: string): boolean {
  // `imports = [ … ]`, `import ./x.nix`: the pass follows them
  if (text.includes("import")) return true;
  const words = new Set(text.match(/[A-Za-z_][\w'-]*/g));
  return OPTION_ENTRIES.some((e) => e.path.every((k) => words.has(k)));
}

const NOTHING: Classification = { own: null, below: [] };

/** Classifies a definition path such as `["proxmox", "qemuConf", "cores"]`. */
export function classifyOption(path: readonly string[]): Classification {
  const candidates = path.length ? BY_FIRST_KEY.get(path[0]!) : undefined;
  if (!candidates) return NOTHING;
  let own: OptionEntry | null = null;
  const below: OptionEntry[] = [];
  for (const e of candidates) {
    if (startsWith(path, e.path)) {
      if (!own || e.path.length > own.path.length) own = e;
    } else if (startsWith(e.path, path)) below.push(e);
  }
  const ownKind = own?.kind ?? "none";
  const sameVariants = (e: OptionEntry) => !!own && e.variants.length === own.variants.length && e.variants.every((x) => own!.variants.includes(x));
  return {
    own,
    // a variant namespace with more variant leaves for the same variants below is not mixed
    below: below.filter((e) => !(e.kind === ownKind && (e.kind !== "variant" || sameVariants(e)))),
  };
}

/** The path a renamed option has inside the variant: `to` plus whatever followed the old name. */
export function renamedPath(entry: OptionEntry, path: readonly string[]): string[] {
  return [...entry.to!, ...path.slice(entry.path.length)];
}

/**
 * nixpkgs modules that set `system.build.image` (docs/upstream.md §E, the `system.build ? image` guard): imported into
 * a configuration directly, they switch off its `system.build.images` on 25.05
 * (newer nixpkgs warns). Keys are paths below `nixos/`.
 */
export interface ImageModule {
  /** Variants whose image this module builds (it defines their `system.build.image`). */
  readonly provides: readonly string[];
  /** Variants whose own module already imports this one (removing the import loses nothing there). */
  readonly includedBy: readonly string[];
}

const im = (provides: readonly string[], includedBy: readonly string[] = provides): ImageModule => ({ provides, includedBy });

const IMAGE_MODULES: Record<string, ImageModule> = {
  "maintainers/scripts/ec2/amazon-image.nix": im(["amazon"]),
  "modules/virtualisation/azure-image.nix": im(["azure"]),
  "maintainers/scripts/cloudstack/cloudstack-image.nix": im(["cloudstack"]),
  "modules/virtualisation/digital-ocean-image.nix": im(["digital-ocean"]),
  "modules/virtualisation/google-compute-image.nix": im(["google-compute"]),
  "modules/virtualisation/hyperv-image.nix": im(["hyperv"]),
  "modules/virtualisation/linode-image.nix": im(["linode"]),
  "modules/virtualisation/lxc-container.nix": im(["lxc"]),
  "modules/virtualisation/lxc-image-metadata.nix": im(["lxc-metadata"]),
  "modules/virtualisation/oci-image.nix": im(["oci"]),
  "maintainers/scripts/openstack/openstack-image.nix": im(["openstack"]),
  "maintainers/scripts/openstack/openstack-image-zfs.nix": im(["openstack-zfs"]),
  "modules/virtualisation/proxmox-image.nix": im(["proxmox"]),
  "modules/virtualisation/proxmox-lxc.nix": im(["proxmox-lxc"]),
  "modules/virtualisation/disk-image.nix": im(DISK_IMAGE),
  "modules/virtualisation/kubevirt.nix": im(["kubevirt"]),
  "modules/virtualisation/vagrant-virtualbox-image.nix": im(["vagrant-virtualbox"]),
  "modules/virtualisation/virtualbox-image.nix": im(VBOX),
  "modules/virtualisation/vmware-image.nix": im(["vmware"]),
  "modules/installer/cd-dvd/iso-image.nix": im(ISO),
  "modules/installer/cd-dvd/installation-cd-base.nix": im(ISO, ["iso-installer"]),
  "modules/installer/sd-card/sd-image.nix": im(["sd-card"]),
  "modules/installer/sd-card/sd-image-aarch64.nix": im(["sd-card"]),
  "modules/installer/sd-card/sd-image-x86_64.nix": im(["sd-card"]),
  "modules/installer/netboot/netboot.nix": im(["kexec"]),
  "modules/installer/netboot/netboot-base.nix": im(["kexec"]),
  "modules/installer/netboot/netboot-minimal.nix": im(["kexec"]),
  "modules/image/repart.nix": im([], []),
};

/** Image-building modules that add more than the variant's own module (installer profiles, boards). */
const IMAGE_MODULE_FAMILIES: { prefix: string; info: ImageModule }[] = [
  { prefix: "modules/installer/cd-dvd/installation-cd-", info: im(ISO, []) },
  { prefix: "modules/installer/sd-card/sd-image-", info: im(["sd-card"], []) },
];

/** Info for a nixpkgs module given by its path below `nixos/` (e.g. `modules/virtualisation/proxmox-image.nix`). */
export function imageModule(pathBelowNixos: string): ImageModule | null {
  const exact = IMAGE_MODULES[pathBelowNixos];
  if (exact) return exact;
  for (const f of IMAGE_MODULE_FAMILIES) if (pathBelowNixos.startsWith(f.prefix) && pathBelowNixos.endsWith(".nix")) return f.info;
  return null;
}
