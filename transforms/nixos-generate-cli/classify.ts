// Phase 2, classify: what a nixos-generate command does (its flags, format
// and configuration) and what replaces it, or why it must stay as it is.
import type { Rule } from "./meta.js";
import { lookupFormat, type FormatInfo } from "../../src/formats.js";
import type { RawFinding } from "../../src/types.js";
import type { Word } from "../../src/shell/tokenize.js";
import { assignmentName } from "../../src/shell/commands.js";
import { attrSegment, clip, finding, flakeHost, oneLine, shq, src, type ChunkInfo, type Scan } from "./common.js";
import { rowsFor, valuesNear } from "./formats-refs.js";
import type { Invocation } from "./find.js";
import { PASSTHROUGH, flagText, parseFlags, type Flag } from "./flags.js";
import { oldRelease } from "./refs.js";
import type { CliRule } from "./meta.js";
import { resolveVariable, stdoutConsumed } from "./variables.js";

export type Action = "build-image" | "build-vm" | "build-vm-with-bootloader";

/** The format of a documentation template (`-f <format>`): any format, so the variant is `<variant>`. */
const PLACEHOLDER = "<format>";

/** The flags that matter, by canonical name. */
export interface Flags {
  readonly all: Flag[];
  readonly help?: Flag;
  readonly list?: Flag;
  readonly flake?: Flag;
  readonly config?: Flag;
  readonly run?: Flag;
  /** The last `-f`/`--format`. */
  readonly format?: Flag;
  readonly system?: Flag;
  readonly diskSize?: Flag;
}

/** `-c <path>` without --flake: the `NIXOS_CONFIG=` value, an absolute path. */
export interface NixosConfig {
  readonly value: string;
}

/** How a recognised command is rewritten. */
export interface Plan {
  readonly inv: Invocation;
  readonly info: ChunkInfo;
  /** The command as it was, on one line (for messages). */
  readonly before: string;
  readonly kind: "help" | "list" | "build";
  readonly flags: Flags;
  /** No --flake: classic `<nixpkgs/nixos>` mode. */
  readonly classic: boolean;
  readonly nixosConfig: NixosConfig | null;
  /** Warnings about an old nixpkgs accepted with --allow-old-nixpkgs. */
  readonly oldNixpkgs: RawFinding<Rule>[];
  // build only
  readonly action: Action | null;
  readonly format: string | null;
  readonly fmt: FormatInfo | undefined;
  readonly variant: string | null;
  /** The format came from a variable assigned once above. */
  readonly fromVariable: { readonly name: string; readonly assign: Word } | null;
  /** Something reads the command's standard output. */
  readonly consumed: boolean;
  /** `--run` becomes `build && run` in braces (an operator or redirection around it would split the pair). */
  readonly wrap: boolean;
  /**
   * `-o <link>`: "drop" when it names ./result (what nixos-rebuild makes anyway); "link" when the
   * command becomes `nix build <installable> -o <link>` (`nix-build '<nixpkgs/nixos>' -A …` without --flake).
   */
  readonly outLink: { readonly flag: Flag; readonly mode: "drop" | "link" } | null;
  /** vm-nogui: the VM needs settings in the configuration first, so the new command is only suggested. */
  readonly noGui: boolean;
}

export function classify(scan: Scan, inv: Invocation, info: ChunkInfo): { plan: Plan } | { blockers: RawFinding<Rule>[] } {
  const before = clip(oneLine(src(scan, inv.cmd)));
  const parsed = parseFlags(scan, inv.args, before);
  if ("blockers" in parsed) return parsed;
  const all = parsed.flags;
  const flag = (name: string) => all.find((f) => f.name === name);
  const flags: Flags = {
    all,
    help: flag("--help"),
    list: flag("--list"),
    flake: flag("--flake"),
    config: flag("--configuration"),
    run: flag("--run"),
    format: all.filter((f) => f.name === "--format").pop(),
    system: flag("--system"),
    diskSize: flag("--disk-size"),
  };
  const classic = !flags.flake;
  const base = {
    inv, info, before, flags, classic,
    nixosConfig: flags.config && classic ? nixosConfigOf(scan, inv, info, flags.config) : null,
    action: null, format: null, fmt: undefined, variant: null, fromVariable: null, consumed: false, wrap: false, outLink: null, noGui: false,
  } as const;
  if (flags.help) return { plan: { ...base, kind: "help", nixosConfig: null, oldNixpkgs: [] } };
  const old = oldNixpkgs(scan, inv, all, classic);
  if (flags.list) {
    if (old.blockers.length) return { blockers: old.blockers };
    return { plan: { ...base, kind: "list", oldNixpkgs: old.warnings } };
  }
  return classifyBuild(scan, { ...base, kind: "build", oldNixpkgs: old.warnings }, old.blockers);
}

/** A command that builds: its format, the nixos-rebuild action, and the flags nixos-rebuild lacks. */
function classifyBuild(scan: Scan, base: Plan, oldBlockers: RawFinding<Rule>[]): { plan: Plan } | { blockers: RawFinding<Rule>[] } {
  const { inv, info, before, flags, classic } = base;
  const { run, flake, config } = flags;
  const blockers: RawFinding<Rule>[] = [];
  const block = (rule: CliRule, r: { start: number; end: number }, message: string) => blockers.push(finding(rule, r, message));

  // -- the format
  const fmtFlag = flags.format;
  const formatPath = flags.all.find((f) => f.name === "--format-path");
  let format: string | null = null;
  let fromVariable: Plan["fromVariable"] = null;
  if (formatPath) {
    block("cli-unsupported-flag", formatPath.word,
      `\`--format-path ${src(scan, formatPath.values[0]!)}\` has no nixos-rebuild flag: turn the format module into an image variant of the configuration, ` +
      `\`image.modules.<name> = import ${src(scan, formatPath.values[0]!)};\`, setting \`system.build.image\` (e.g. \`= config.system.build.<formatAttr>\`) and \`image.extension\`/\`image.filePath\` ` +
      '(import "${modulesPath}/image/file-options.nix") and dropping `formatAttr`/`fileExtension`; then use `nixos-rebuild build-image --image-variant <name>`');
  } else if (fmtFlag) {
    const w = fmtFlag.values[0]!;
    if (w.value !== null && scan.placeholders && /^_[A-Za-z][\w.-]*_$/.test(w.value)) format = PLACEHOLDER;
    else if (w.value !== null) format = w.value;
    else {
      const resolved = w.param ? resolveVariable(scan, w.param, w, info) : { reason: "" };
      if ("value" in resolved) {
        format = resolved.value;
        fromVariable = { name: w.param!, assign: resolved.assign };
      } else {
        const why = w.templates.length
          ? `it comes from \`${src(scan, w)}\`, which is filled in outside the script (${scan.nixString ? "a Nix interpolation" : "a template or make variable that can be overridden"})`
          : w.param
            ? `it comes from \`${src(scan, w)}\`${resolved.reason ? ` (${resolved.reason})` : ""}`
            : `it comes from \`${src(scan, w)}\``;
        block("dynamic-format", w,
          `the format of \`${before}\` is not known statically: ${why}; nixos-rebuild needs the variant name instead (${rowsFor(valuesNear(scan.text, src(scan, w)))}); rewrite the command and the values by hand`);
      }
    }
  } else if (run) format = "vm";
  else {
    block("cli-invalid-arguments", inv.cw ?? inv.sep!, `\`${before}\` gives no format (-f); nixos-generate aborts with "missing format"; add one, then run again`);
  }

  let action: Action | null = null;
  let fmt: FormatInfo | undefined;
  if (format === PLACEHOLDER) action = "build-image";
  else if (format !== null) {
    fmt = lookupFormat(format);
    const at = fmtFlag ? fmtFlag.values[0]! : run!.word;
    if (!fmt) {
      block("unknown-format", at, `"${format}" is not a nixos-generators format (nixos-generate aborts with "format file not found"); fix it, then run again`);
    } else if (fmt.variant) {
      if (run) block("cli-invalid-arguments", run.word, `--run starts a VM, but format ${format} builds no VM (nixos-generate fails looking for $out/bin); drop --run or use -f vm`);
      else if (fmt.variantModule) {
        block("cli-needs-configuration", at,
          `format ${format} is the ${fmt.variant} variant plus settings nixpkgs does not have: first add \`image.modules.${fmt.variant} = ${fmt.variantModule};\` to the configuration, ` +
          `then replace the command with \`nixos-rebuild build-image --image-variant ${fmt.variant} …\``);
      } else action = "build-image";
    } else if (format === "vm" || format === "vm-nogui") action = "build-vm";
    else if (format === "vm-bootloader") action = "build-vm-with-bootloader";
    else block("unsupported-format", at, `format ${format} has no nixpkgs image variant, so \`${before}\` is left as it is: ${fmt.recipe}`);
  }
  const variant = action === "build-image" ? (fmt ? fmt.variant! : "<variant>") : null;

  // -- flags without a counterpart
  const outLinkFlag = flags.all.find((f) => f.name === "--out-link");
  let outLink: Plan["outLink"] = null;
  if (outLinkFlag) {
    const link = outLinkFlag.values[0]!.value;
    if (link === "result" || link === "./result") outLink = { flag: outLinkFlag, mode: "drop" };
    else {
      const why = outLinkUnwritable(inv, flags, classic);
      if (why) blockers.push(outLinkBlocker(scan, base, outLinkFlag, action, variant, why));
      else outLink = { flag: outLinkFlag, mode: "link" };
    }
  }
  const { system, diskSize } = flags;
  if (system && classic) {
    block("cli-unsupported-flag", system.word,
      `\`--system ${src(scan, system.values[0]!)}\` has no nixos-rebuild flag: set \`nixpkgs.hostPlatform = "${system.values[0]!.value ?? "<system>"}";\` in the configuration${config ? ` (${src(scan, config.values[0]!)})` : ""}, then remove the flag and run again`);
  }
  if (diskSize && classic) {
    block("cli-unsupported-flag", diskSize.word,
      `\`--disk-size ${src(scan, diskSize.values[0]!)}\` has no nixos-rebuild flag: set \`${diskSizeSetting(diskSize, action)}\` in the configuration${config ? ` (${src(scan, config.values[0]!)})` : ""}` +
      `${variant ? ` (inside \`image.modules.${variant} = { … };\` to change only this image)` : ""}, then remove the flag and run again`);
  }
  const specialArg = flags.all.find((f) => f.name === "--special-arg");
  if (specialArg) {
    block("cli-unsupported-flag", specialArg.word,
      `\`${flagText(scan, specialArg)}\` has no nixos-rebuild flag; nixos-generate passed it as \`--argstr\` to its own nixos-generate.nix, which ignores arguments it does not declare, so it most likely had no effect: ` +
      `remove it, or give modules the value through \`specialArgs\` of the configuration's nixosSystem call; then run again`);
  }
  blockers.push(...oldBlockers);

  // -- VMs: the path nixos-generate printed vs build-vm; --run
  const cmd = inv.cmd;
  const consumed = stdoutConsumed(cmd);
  if ((action === "build-vm" || action === "build-vm-with-bootloader") && consumed && !run) {
    block("cli-unmigratable", cmd,
      `\`${before}\`: its output is used, and nixos-rebuild ${action} does not print the path nixos-generate printed; rewrite by hand (the VM script is ./result/bin/run-<host>-vm after \`nixos-rebuild ${action} …\`)`);
  }
  // --run: `build && run`, in braces when an operator around it or trailing redirections would split the pair
  let wrap = false;
  const lastWord = cmd.words[cmd.words.length - 1]!;
  if (run && action) {
    if (cmd.redirects.some((r) => r.start < lastWord.end)) {
      block("cli-unmigratable", run.word, `\`${before}\`: --run becomes \`nixos-rebuild ${action} … && ./result/bin/run-*-vm\`, and redirections among the words cannot be kept for both; move them to the end of the command and run again`);
    } else if (inv.wrapped) {
      block("cli-unmigratable", run.word, `\`${before}\`: --run becomes \`nixos-rebuild ${action} … && ./result/bin/run-*-vm\`, and the wrapper would then apply to the build only; rewrite by hand`);
    }
    wrap = ["||", "|", "|&", "!"].includes(cmd.before) || ["|", "|&"].includes(cmd.after) || cmd.redirects.length > 0;
  }
  if (blockers.length) return { blockers };
  return { plan: { ...base, action, format, fmt, variant, fromVariable, consumed, wrap, outLink, noGui: format === "vm-nogui" } };
}

/** The NixOS setting for a `--disk-size` value, for the action's VM or the image. */
export function diskSizeSetting(diskSize: Flag, action: Action | null): string {
  const v = diskSize.values[0]!.value;
  const nixValue = v !== null && /^[0-9]+$/.test(v) ? v : v !== null ? JSON.stringify(v) : "<size>";
  return action === "build-vm" || action === "build-vm-with-bootloader"
    ? `virtualisation.vmVariant${action === "build-vm-with-bootloader" ? "WithBootLoader" : ""}.virtualisation.diskSize = ${nixValue};`
    : `virtualisation.diskSize = ${nixValue};`;
}

/** Why `-o <link>` cannot become `nix build … -o <link>` here, or null. */
function outLinkUnwritable(inv: Invocation, flags: Flags, classic: boolean): string | null {
  if (inv.cmd.nested) return "its output is captured, and nixos-generate printed the image file's path, which nix build does not print";
  if (flags.flake && flags.flake.values[0]!.value === null) return "the flake reference is not known statically";
  if (inv.kind === "nix-shell" && (inv.nix!.others || classic)) return "the nix shell around it would have to change too";
  return null;
}

/** What to build for the action: the image variant, or the VM. */
export function targetAttr(action: Action | null, variant: string | null): string {
  return action === "build-image" ? `config.system.build.images.${variant}` : action === "build-vm" ? "config.system.build.vm" : action ? "config.system.build.vmWithBootLoader" : "config.system.build.images.<variant>";
}

/** The `nix build` installable of a `--flake <uri>[#<host>]` value (the hostname when it names none, as nixos-generate did). */
export function flakeInstallable(flakeRef: string, target: string, make: boolean): string {
  const uri = flakeRef.split("#")[0]!;
  const host = flakeHost(flakeRef);
  if (host === null) return `"${uri.replace(/["\\$`]/g, "\\$&")}#nixosConfigurations.${make ? "$$" : "$"}(hostname).${target}"`;
  return shq(`${uri}#nixosConfigurations.${attrSegment(host)}.${target}`);
}

/** The finding for an `-o <link>` left as it is, with the command to use instead. */
function outLinkBlocker(scan: Scan, plan: Pick<Plan, "inv" | "info" | "flags">, outLink: Flag, action: Action | null, variant: string | null, why: string): RawFinding<Rule> {
  const { flake, config, run } = plan.flags;
  const target = targetAttr(action, variant);
  const p = src(scan, outLink.values[0]!);
  const pass = plan.flags.all.filter((f) => PASSTHROUGH.has(f.name)).map((f) => flagText(scan, f));
  let replacement: string;
  if (flake) {
    const fv = flake.values[0]!.value;
    replacement = `nix build ${fv === null ? `'<flake>#nixosConfigurations.<host>.${target}'` : flakeInstallable(fv, target, plan.info.chunk.options.make === true)} -o ${p}`;
  } else {
    const cfg = config ? `NIXOS_CONFIG=${src(scan, config.values[0]!)} ` : "";
    replacement = `${cfg}nix-build '<nixpkgs/nixos>' -A ${target} -o ${p}`;
  }
  if (pass.length) replacement += " " + pass.join(" ");
  if (run) replacement += ` && ${p}/bin/run-*-vm`;
  const captured = plan.inv.cmd.nested && (action === "build-image" || !action);
  return finding("cli-unmigratable", outLink.word,
    `\`-o ${p}\` cannot be rewritten here: ${why}. ` +
    (captured
      ? `\`nixos-rebuild build-image --image-variant ${variant ?? "<variant>"} …\` prints the image file's path (\`<store path>/<image.filePath>\`) and links ./result; to keep the link at ${p}, run \`${replacement}\` and read the file at ${p}/<image.filePath> (\`nix eval --raw <the same installable>.passthru.filePath\`)`
      : `Replace the command with \`${replacement}\`; ` +
        (action === "build-image" || !action ? `the image file is then ${p}/<image.filePath> (nixos-generate printed that file's path)` : `the VM script is then ${p}/bin/run-<host>-vm`)));
}

/** `-c <path>` without --flake becomes `NIXOS_CONFIG=<absolute path>` (<nixpkgs/nixos> imports the string; docs/upstream.md §F). */
function nixosConfigOf(scan: Scan, inv: Invocation, info: ChunkInfo, f: Flag): NixosConfig {
  const w = f.values[0]!;
  const s = src(scan, w);
  // the shell's current directory: the directory nixos-generate resolved a relative -c against
  const pwd = info.chunk.options.make === true ? "$$PWD" : "$PWD";
  if (w.value !== null && (w.value.startsWith("/") || (w.value.startsWith("~") && !w.quoted && s.startsWith("~")))) return { value: s };
  if (w.value !== null && !w.value.startsWith("~")) {
    const rel = w.value.replace(/^(?:\.\/)+/, "");
    if (/[$`\\"]/.test(rel) || rel === "") return { value: `${inv.needEnv ? `"${pwd}"` : pwd}/${s}` };
    // an argument of env is split on blanks; an assignment prefix is not
    return { value: /^[A-Za-z0-9_@%+=:,./-]+$/.test(rel) && !inv.needEnv ? `${pwd}/${rel}` : `"${pwd}/${rel}"` };
  }
  if (/^"?\$\{?(HOME|PWD)\b|^"?\$\(pwd\)|^"?\$\((CURDIR|HOME|PWD)\)|^~/.test(s)) return { value: s };
  // a Nix string's interpolation of a path (`${./configuration.nix}`) is a store path
  if (w.templates.length === 1 && w.templates[0]!.start === w.start && w.templates[0]!.end === w.end && /^\$\{\s*\.{0,2}\/[^\s}]*\s*\}$/.test(s)) return { value: s };
  // a documentation placeholder (`<configuration.nix>`) stays one
  if (scan.placeholders && /^_[A-Za-z][\w.-]*_$/.test(w.value ?? "")) return { value: s };
  // known only when it runs: made absolute then, as nixos-generate's -I nixos-config=… was (realpath is what nixos-generate itself ran)
  const dollar = info.chunk.options.make === true ? "$$" : "$";
  return { value: `"${dollar}(realpath ${s})"` };
}

/** `-I nixpkgs=…` or `NIX_PATH=nixpkgs=…` naming a release before 25.05 (classic mode only). */
function oldNixpkgs(scan: Scan, inv: Invocation, flags: Flag[], classic: boolean): { blockers: RawFinding<Rule>[]; warnings: RawFinding<Rule>[] } {
  const out = { blockers: [] as RawFinding<Rule>[], warnings: [] as RawFinding<Rule>[] };
  if (!classic) return out;
  const sources: { w: Word; text: string }[] = [];
  for (const f of flags) if (f.name === "-I" && f.values[0]!.value?.startsWith("nixpkgs=")) sources.push({ w: f.values[0]!, text: f.values[0]!.value! });
  for (const a of inv.assignments) if (assignmentName(scan.masked, a) === "NIX_PATH" && a.value) sources.push({ w: a, text: a.value });
  for (const s of sources) {
    const rel = /nixpkgs=([^:]*(?::[^:]*)?)/.exec(s.text);
    const old = rel ? oldRelease(rel[1]!) : null;
    if (!old) continue;
    const msg = `\`${src(scan, s.w)}\` builds with NixOS ${old}, which has no system.build.images or \`nixos-rebuild build-image\` (they came with 25.05)`;
    if (scan.allowOldNixpkgs) out.warnings.push(finding("cli-old-nixpkgs", s.w, msg + "; the command was rewritten anyway (--allow-old-nixpkgs)", "warning"));
    else out.blockers.push(finding("cli-old-nixpkgs", s.w, msg + "; point nixpkgs at nixos-25.05 or later and run again (or pass --allow-old-nixpkgs)"));
  }
  return out;
}
