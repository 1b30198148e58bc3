// Phase 3, rewrite: the text edits that turn a classified command into its
// nixos-rebuild form, touching only the words that change (quoting, line
// continuations and layout stay), and the check that the result fits where
// the command is written.
import type { Rule } from "./meta.js";
import type { TextEdit } from "../../src/edits.js";
import { applyEdits } from "../../src/edits.js";
import type { RawFinding } from "../../src/types.js";
import type { Range, Word } from "../../src/shell/tokenize.js";
import type { SimpleCommand } from "../../src/shell/commands.js";
import { clip, finding, oneLine, src, type Scan } from "./common.js";
import { flakeInstallable, targetAttr, type Plan } from "./classify.js";
import { PASSTHROUGH, type Flag } from "./flags.js";
import { rebuildRef } from "./refs.js";

/** The edits of a plan, and the words it removes (turned into edits by `settle`). */
export interface Rewrite {
  readonly edits: TextEdit[];
  readonly removed: Word[];
}

export function rewrite(scan: Scan, plan: Plan): Rewrite {
  const { inv, flags, classic } = plan;
  const e: TextEdit[] = [];
  const removed: Word[] = [];
  const replaceWord = (w: Word, value: string) => {
    if (w.quoted) e.push({ start: w.quoted.inner.start, end: w.quoted.inner.end, text: value });
    else e.push({ start: w.start, end: w.end, text: value });
  };
  const remove = (f: Flag) => removed.push(f.word, ...f.values);
  const command = (action: string) => {
    if (inv.kind === "nix-run") {
      replaceWord(inv.ref!, rebuildRef(inv.ref!.value!));
      if (action) e.push({ start: inv.sep!.end, end: inv.sep!.end, text: " " + action });
    } else if (inv.nixPackage) {
      // `${pkgs.nixos-generators}/bin/nixos-generate` -> `${pkgs.nixos-rebuild}/bin/nixos-rebuild`
      const { name, tail } = inv.nixPackage;
      e.push({ start: name.start, end: name.end, text: "nixos-rebuild" });
      if (tail) e.push({ start: tail.start, end: tail.end, text: "/bin/nixos-rebuild" + (action ? " " + action : "") });
      else if (action) e.push({ start: inv.cw!.end, end: inv.cw!.end, text: " " + action });
    } else {
      if (inv.kind === "nix-shell") replaceWord(inv.ref!, rebuildRef(inv.ref!.value!));
      e.push({ start: inv.cw!.start, end: inv.cw!.end, text: action ? `nixos-rebuild ${action}` : "nixos-rebuild" });
    }
  };
  /** `-c <path>` becomes `--no-flake`, the path a `NIXOS_CONFIG=` prefix. */
  const classicConfig = (f: Flag) => {
    e.push({ start: f.word.start, end: f.values[0]!.end, text: "--no-flake" });
    e.push(nixosConfigPrefix(plan, inv.insertAt, inv.needEnv));
  };
  const { config } = flags;

  if (plan.kind === "help") {
    command("");
    for (const f of flags.all) if (f !== flags.help) remove(f);
    return { edits: e, removed };
  }
  if (plan.kind === "list") {
    command("build-image");
    for (const f of droppedByList(plan)) remove(f);
    removed.push(flags.list!.word);
    if (config && classic) classicConfig(config);
    else if (config) remove(config);
    return { edits: e, removed };
  }

  const { cmd } = inv;
  const { action, variant } = plan;
  const run = flags.run;
  const fmtFlag = flags.format;
  if (plan.wrap) e.push({ start: cmd.start, end: cmd.start, text: "{ " });
  const link = plan.outLink?.mode === "link" ? plan.outLink.flag : null;
  if (plan.outLink?.mode === "drop") remove(plan.outLink.flag);
  if (link) {
    e.push(...nixBuildCommand(plan, removed));
    if (fmtFlag) remove(fmtFlag);
    if (flags.flake) remove(flags.flake);
    if (config) {
      remove(config);
      if (classic) e.push(nixosConfigPrefix(plan, inv.insertAt, inv.needEnv));
    }
  } else {
    const noFlake = classic && !config;
    // `--no-flake` goes after the variant, or after the action
    const afterVariant = noFlake && action === "build-image" && fmtFlag !== undefined;
    command(action! + (noFlake && !afterVariant ? " --no-flake" : ""));
    if (fmtFlag) {
      if (action === "build-image") {
        replaceWord(fmtFlag.word, "--image-variant");
        const w = fmtFlag.values[0]!;
        if (!(plan.fromVariable && variant === plan.format)) replaceWord(w, variant!);
        if (afterVariant) e.push({ start: w.end, end: w.end, text: " --no-flake" });
      } else remove(fmtFlag);
    }
    if (config) {
      if (classic) classicConfig(config);
      else remove(config);
    }
  }
  if (run) remove(run);
  if (flags.system && !classic) remove(flags.system);
  if (flags.diskSize && !classic) remove(flags.diskSize);
  if (run) {
    // after the last word that stays (--run itself is removed)
    const gone = new Set(removed.map((w) => w.start));
    const anchor = [...cmd.words].reverse().find((w) => !gone.has(w.start))!;
    const vm = link ? src(scan, link.values[0]!) : "./result";
    e.push({ start: anchor.end, end: anchor.end, text: ` && ${vm}/bin/run-*-vm` });
    if (plan.wrap) e.push({ start: anchor.end, end: anchor.end, text: "; }" });
  }
  return { edits: e, removed };
}

/** `NIXOS_CONFIG=<absolute path> ` before the command (`env` after a wrapper such as sudo). */
function nixosConfigPrefix(plan: Plan, at: number, needEnv: boolean): TextEdit {
  return { start: at, end: at, text: `${needEnv ? "env " : ""}NIXOS_CONFIG=${plan.nixosConfig!.value} ` };
}

/**
 * `-o <link>`: the command becomes `nix build <flake>#nixosConfigurations.<host>.<target>` (or
 * `nix-build '<nixpkgs/nixos>' -A <target>` without --flake), keeping `-o <link>` and the flags nix
 * takes as they are.
 */
function nixBuildCommand(plan: Plan, removed: Word[]): TextEdit[] {
  const { inv, flags } = plan;
  const target = targetAttr(plan.action, plan.variant);
  const e: TextEdit[] = [];
  if (!flags.flake) {
    const text = `nix-build '<nixpkgs/nixos>' -A ${target}`;
    if (inv.nix) e.push({ start: inv.nix.word.start, end: inv.sep!.end, text });
    else e.push({ start: inv.cw!.start, end: inv.cw!.end, text });
    return e;
  }
  const installable = flakeInstallable(flags.flake.values[0]!.value!, target, plan.info.chunk.options.make === true);
  if (!inv.nix) {
    e.push({ start: inv.cw!.start, end: inv.cw!.end, text: `nix build ${installable}` });
    return e;
  }
  e.push({ start: inv.nix.sub.start, end: inv.nix.sub.end, text: "build" });
  e.push({ start: inv.ref!.start, end: inv.ref!.end, text: installable });
  if (inv.sep) removed.push(inv.sep);
  if (inv.nix.dashC) removed.push(inv.nix.dashC, inv.cw!);
  return e;
}

/** The flags `--list` ignored (removed from the command, each with a note). */
export function droppedByList(plan: Plan): Flag[] {
  const kept = new Set(["--flake", "--configuration", ...PASSTHROUGH, "--list"]);
  return plan.flags.all.filter((f) => !kept.has(f.name));
}

/**
 * The command's final edits and its new text on one line; or, when the result
 * does not fit its container (a YAML scalar), the finding that says what to
 * write instead.
 */
export function settle(scan: Scan, plan: Plan, rw: Rewrite): { edits: TextEdit[]; after: string } | { refused: RawFinding<Rule> } {
  const { cmd } = plan.inv;
  const { before } = plan;
  const e = [...rw.edits, ...removals(scan, cmd, rw.removed)];
  const lo = Math.min(cmd.start, ...e.map((x) => x.start));
  const hi = Math.max(cmd.end, ...e.map((x) => x.end));
  const shifted = e.map((x) => ({ start: x.start - lo, end: x.end - lo, text: x.text }));
  let after: string;
  try {
    after = oneLine(applyEdits(scan.shown.slice(lo, hi), shifted));
  } catch (err) {
    throw new Error(`nixos-generate-cli: ${(err as Error).message} in \`${before}\``);
  }
  const chunk = plan.info.chunk;
  if (chunk.validate) {
    const cs = e.map((x) => ({ start: x.start - chunk.start, end: x.end - chunk.start, text: x.text }));
    const newText = applyEdits(scan.text.slice(chunk.start, chunk.end), cs);
    if (!chunk.validate(newText)) {
      return { refused: finding("cli-unmigratable", cmd,
        `\`${before}\` would become \`${clip(after)}\`, which does not fit in this ${chunk.where} as it is written (a YAML plain or quoted scalar); write the script as a literal block scalar (\`|\`) and run again, or change it by hand`) };
    }
  }
  return { edits: e, after };
}

/**
 * nixos-generate run from a path or a package this tool does not rewrite, or a vm-nogui VM:
 * the finding that says what the command would be.
 */
export function suggestion(scan: Scan, plan: Plan, after: string): RawFinding<Rule> {
  const { before } = plan;
  if (plan.noGui) {
    return finding("unsupported-format", plan.flags.format!.values[0]!,
      `format vm-nogui has no nixpkgs image variant, so \`${before}\` is left as it is: a VM without graphics is \`nixos-rebuild build-vm\` of a configuration with vm-nogui's settings; ` +
      `add \`virtualisation.vmVariant = { virtualisation.graphics = false; virtualisation.qemu.options = [ "-serial mon:stdio" ]; virtualisation.diskSize = 2048; };\` to the configuration, ` +
      `then replace the command with \`${clip(after)}\``);
  }
  const cw = plan.inv.cw!;
  if (cw.value === null) {
    return finding("cli-unmigratable", cw,
      `\`${before}\` runs nixos-generate from \`${clip(src(scan, cw), 100)}\`, so it is left as it is; with nixpkgs' nixos-rebuild (25.05 or later, e.g. \`\${pkgs.nixos-rebuild}/bin/nixos-rebuild\`) in place of that word it becomes \`${clip(after)}\``);
  }
  return finding("cli-unmigratable", cw,
    `\`${before}\` runs nixos-generate from a path (${cw.value}), so it is left as it is; with nixos-rebuild on PATH (or \`nix run nixpkgs#nixos-rebuild -- …\`) it becomes \`${clip(after)}\``);
}

/**
 * Edits removing the given words of a command, run by run (consecutive
 * removed words go together), keeping the layout of continuation lines.
 */
function removals(scan: Scan, cmd: SimpleCommand, removed: Word[]): TextEdit[] {
  if (removed.length === 0) return [];
  const gone = new Set(removed.map((w) => w.start));
  const items: Range[] = [...cmd.words, ...cmd.redirects].sort((a, b) => a.start - b.start);
  const out: TextEdit[] = [];
  const t = scan.masked;
  for (let i = 0; i < items.length; i++) {
    if (!gone.has(items[i]!.start)) continue;
    let j = i;
    while (j + 1 < items.length && gone.has(items[j + 1]!.start)) j++;
    const first = items[i]!;
    const last = items[j]!;
    const prev = items[i - 1];
    const next = items[j + 1];
    const prevEnd = prev ? prev.end : first.start;
    const nlBefore = t.slice(prevEnd, first.start).includes("\n");
    const nlAfter = next ? t.slice(last.end, next.start).includes("\n") : false;
    if (nlBefore && next && nlAfter) {
      // the words fill whole lines: remove the lines
      out.push({ start: t.lastIndexOf("\n", first.start - 1) + 1, end: t.lastIndexOf("\n", next.start - 1) + 1, text: "" });
    } else if (nlBefore && next) out.push({ start: first.start, end: next.start, text: "" });
    else out.push({ start: prevEnd, end: last.end, text: "" });
    i = j;
  }
  return out;
}
