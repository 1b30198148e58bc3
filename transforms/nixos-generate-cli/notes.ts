// Phase 4, notes: what a rewritten command's user should know (the new
// command, dropped flags, behaviour that differs).
import type { Rule } from "./meta.js";
import type { RawFinding } from "../../src/types.js";
import { assignmentName } from "../../src/shell/commands.js";
import { clip, finding, flakeHost, src, type Scan } from "./common.js";
import { diskSizeSetting, targetAttr, type Plan } from "./classify.js";
import { flagText } from "./flags.js";
import { droppedByList } from "./rewrite.js";
import { oldRelease, rebuildRef } from "./refs.js";
import { assignedBefore } from "./variables.js";

/** `after`: the new command on one line. */
export function notesOf(scan: Scan, plan: Plan, after: string): RawFinding<Rule>[] {
  const { cmd } = plan.inv;
  const { before, flags } = plan;
  if (plan.kind === "help") {
    return [finding("migrated-cli", cmd, `${before} -> ${clip(after)}: nixos-rebuild's manual page; the image builder is its build-image action with --image-variant <variant>`)];
  }
  if (plan.kind === "list") {
    const list = flags.list!;
    const { flake, config } = flags;
    return [
      finding("migrated-cli", cmd, `${before} -> ${clip(after)}`),
      ...droppedByList(plan).map((f) => finding("cli-dropped-flag", f.word, `\`${flagText(scan, f)}\` was removed: nixos-generate --list ignored it`)),
      ...plan.oldNixpkgs,
      finding("cli-list", list.word,
        "without --image-variant, nixos-rebuild build-image prints the image variants of the configuration " +
        `(${flake ? `of \`--flake ${src(scan, flake.values[0]!)}\`` : config ? "given by NIXOS_CONFIG" : "/etc/nixos, or add --flake <flake>#<host>"}) instead of nixos-generators' formats, and exits with status 1; add \`|| true\` where the script needs success`),
    ];
  }
  return [migratedNote(scan, plan, after), ...flagNotes(scan, plan), ...behaviourNotes(scan, plan)];
}

/** The rewrite itself: before -> after, and what the new command assumes. */
function migratedNote(scan: Scan, plan: Plan, after: string): RawFinding<Rule> {
  const { inv, action, format, variant, fromVariable } = plan;
  const { flake } = plan.flags;
  const link = plan.outLink?.mode === "link" ? src(scan, plan.outLink.flag.values[0]!) : null;
  const tail: string[] = [];
  if (action === "build-image") {
    tail.push(link
      ? `needs NixOS 25.05 or later in the configuration; the image file is ${link}/<image.filePath> (nixos-generate printed its path; ${flake ? "nix build prints nothing" : "nix-build prints the output directory"})`
      : "needs NixOS 25.05 or later in the configuration; leaves a ./result link");
  } else if (link) tail.push(`the VM script is ${link}/bin/run-<host>-vm`);
  if (flake) {
    const fv = flake.values[0]!.value;
    const host = fv !== null ? flakeHost(fv) : null;
    const attr = host ?? (link ? "$(hostname)" : "<host>");
    tail.push(`${link ? "nix build" : "nixos-rebuild"} builds nixosConfigurations.${attr} (nixos-generate looked at packages.<system>.nixosConfigurations.${attr} first)`);
  }
  if (fromVariable) {
    const line = scan.line(fromVariable.assign.start);
    tail.push(`the format comes from $${fromVariable.name} = ${format} (line ${line})${variant !== format ? `; the command now names the variant ${variant} itself` : ""}`);
  }
  if ((inv.kind === "nix-run" || inv.kind === "nix-shell") && !link) {
    const old = oldRelease(inv.ref!.value!);
    tail.push(`nixos-rebuild now comes from ${rebuildRef(inv.ref!.value!)}${old ? ` (NixOS ${old} has no build-image)` : ""}`);
  }
  if (scan.nixString && inv.kind === "direct" && !link) {
    tail.push(inv.nixPackage
      ? "nixos-rebuild now comes from pkgs.nixos-rebuild"
      : "the script finds nixos-rebuild on its PATH (list pkgs.nixos-rebuild in its runtimeInputs where it listed nixos-generators)");
  }
  return finding("migrated-cli", inv.cmd, `${plan.before} -> ${clip(after)}${tail.length ? "; " + tail.join("; ") : ""}`);
}

/** Flags dropped (nixos-generate ignored them with --flake), the configuration path, an old nixpkgs accepted. */
function flagNotes(scan: Scan, plan: Plan): RawFinding<Rule>[] {
  const { system, diskSize, config } = plan.flags;
  const out: RawFinding<Rule>[] = [];
  if (system && !plan.classic) {
    out.push(finding("cli-dropped-flag", system.word,
      `\`--system ${src(scan, system.values[0]!)}\` was removed: with --flake it only made nixos-generate look for packages.<system>.nixosConfigurations.<host> first; nixos-rebuild builds nixosConfigurations.<host>, whose platform is its own \`nixpkgs.hostPlatform\``));
  }
  if (diskSize && !plan.classic) {
    out.push(finding("cli-dropped-flag", diskSize.word,
      `\`--disk-size ${src(scan, diskSize.values[0]!)}\` was removed: nixos-generate ignored it with --flake; to set the size, add \`${diskSizeSetting(diskSize, plan.action)}\` to the configuration`));
  }
  if (plan.outLink?.mode === "drop") {
    out.push(finding("cli-dropped-flag", plan.outLink.flag.word, `\`${flagText(scan, plan.outLink.flag)}\` was removed: nixos-rebuild makes the ./result link itself`, "note"));
  }
  out.push(...plan.oldNixpkgs);
  if (config && !plan.classic) out.push(finding("cli-dropped-flag", config.word, `\`${flagText(scan, config)}\` was removed: nixos-generate ignored it with --flake`));
  return out;
}

/** What the new command does differently from nixos-generate. */
function behaviourNotes(scan: Scan, plan: Plan): RawFinding<Rule>[] {
  const { inv, info, fmt, action, format, consumed } = plan;
  const { cmd } = inv;
  const { run, config } = plan.flags;
  const out: RawFinding<Rule>[] = [];
  if (fmt?.difference && fmt.variant) {
    out.push(finding("behaviour-change", cmd, `${fmt.format} -> ${fmt.variant}: ${fmt.difference}${fmt.parityModule ? `; to keep nixos-generators' behaviour add \`image.modules.${fmt.variant} = ${fmt.parityModule};\` to the configuration` : ""}`));
  }
  if (fmt?.requiresSystem) {
    out.push(finding("sd-card-system", cmd, `format ${fmt.format} maps to the sd-card variant, which picks its SD module from the configuration's platform: make sure the configuration targets ${fmt.requiresSystem} (\`nixpkgs.hostPlatform = "${fmt.requiresSystem}";\`)`));
  }
  if (fmt?.newerThan2505) {
    out.push(finding("variant-needs-newer-nixpkgs", cmd, `the ${fmt.variant} variant exists only in nixpkgs newer than 25.05; check with \`nix eval .#nixosConfigurations.<host>.config.system.build.images --apply builtins.attrNames\``));
  }
  if (action === "build-vm" || action === "build-vm-with-bootloader") {
    out.push(finding("behaviour-change", cmd,
      `${format} -> ${plan.outLink?.mode === "link" ? targetAttr(action, null) : `nixos-rebuild ${action}`}: nixos-generate gave the VM a 2048 MiB disk by default; add \`virtualisation.vmVariant${action === "build-vm-with-bootloader" ? "WithBootLoader" : ""}.virtualisation.diskSize = 2048;\` to the configuration to keep it` +
      `${action === "build-vm-with-bootloader" ? "; upstream also boots the VM with EFI when the configuration uses systemd-boot or efi.canTouchEfiVariables" : ""}` +
      `${run && plan.outLink?.mode !== "link" ? "; the VM is started from ./result, which nixos-generate --run did not create" : ""}`));
  }
  if (action === "build-image" && consumed) {
    out.push(finding("output-paths", cmd, plan.outLink?.mode === "link"
      ? `the command's output is used: nixos-generate printed the image file's path, ${plan.flags.flake ? "nix build prints nothing" : "nix-build prints the output directory"}; the file is ${src(scan, plan.outLink.flag.values[0]!)}/<image.filePath> (nixos-image-<label>-<system>.<ext>, iso/… for ISOs); check what reads it`
      : "the command's output is used: nixos-rebuild build-image also prints the image file's path (`<store path>/<image.filePath>`), but file names change " +
        "(nixos-image-<label>-<system>.<ext>, iso/… for ISOs); check what reads it"));
  }
  const noFlake = plan.classic && !config;
  if (noFlake && !inv.assignments.some((a) => assignmentName(scan.masked, a) === "NIXOS_CONFIG") && !assignedBefore(scan, "NIXOS_CONFIG", cmd, info)) {
    out.push(finding("cli-default-configuration", cmd,
      "nixos-generate without -c or --flake built $NIXOS_CONFIG, or nixos-generators' bundled demo configuration when that is unset; " +
      `\`${plan.outLink?.mode === "link" ? "nix-build '<nixpkgs/nixos>'" : "nixos-rebuild --no-flake"}\` builds $NIXOS_CONFIG, else <nixos-config> from NIX_PATH, else /etc/nixos/configuration.nix: name the configuration with NIXOS_CONFIG=<absolute path> or --flake <flake>#<host>`));
  }
  return out;
}
