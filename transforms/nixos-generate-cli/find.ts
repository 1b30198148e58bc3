// Phase 1, find: which simple commands run nixos-generate, directly, through a
// wrapper (sudo, env …), `nix run <nixos-generators> -- …` or
// `nix shell <nixos-generators> -c nixos-generate …`.
import type { Rule } from "./meta.js";
import type { RawFinding } from "../../src/types.js";
import type { Range, Word } from "../../src/shell/tokenize.js";
import { assignmentName, type SimpleCommand } from "../../src/shell/commands.js";
import { NAME, clip, finding, oneLine, src, type Scan } from "./common.js";
import { isGeneratorsRef } from "./refs.js";

export interface Invocation {
  readonly cmd: SimpleCommand;
  readonly kind: "direct" | "nix-run" | "nix-shell";
  /** The `nixos-generate` word (direct, nix-shell). */
  readonly cw: Word | null;
  /** The nixos-generators installable (nix-run, nix-shell). */
  readonly ref: Word | null;
  /** The `--` of `nix run … --`. */
  readonly sep: Word | null;
  /** Where a `NIXOS_CONFIG=` prefix goes. */
  readonly insertAt: number;
  /** The word before the command is a wrapper such as sudo: the prefix must be `env NIXOS_CONFIG=…`. */
  readonly needEnv: boolean;
  readonly wrapped: boolean;
  readonly assignments: Word[];
  readonly args: Word[];
  /** nixos-generate run from a path: report the rewrite instead of making it. */
  readonly suggestOnly?: boolean;
  /**
   * In a Nix string, the command word names nixpkgs' package: `${pkgs.nixos-generators}/bin/nixos-generate`
   * or `${lib.getExe pkgs.nixos-generators}`. `name`: `nixos-generators` inside the interpolation;
   * `tail`: `/bin/nixos-generate` after it, if any.
   */
  readonly nixPackage?: { readonly name: Range; readonly tail: Range | null };
  /**
   * `nix run …` / `nix shell …`: the `nix` and `run`/`shell` words, the `-c` of nix shell, whether
   * nix shell names other installables too, and where a prefix for the whole command goes.
   */
  readonly nix?: { readonly word: Word; readonly sub: Word; readonly dashC: Word | null; readonly others: boolean; readonly insertAt: number; readonly needEnv: boolean };
}

/** A command that runs nixos-generate, one that does but cannot be read (with why), or neither. */
export type Found = { readonly invocation: Invocation } | { readonly refused: RawFinding<Rule> } | { readonly nixShellRun: NixShellRun } | null;

/** `nix-shell -p … nixos-generators … --run '<script>'`: the package word and the script inside its quotes. */
export interface NixShellRun {
  readonly cmd: SimpleCommand;
  readonly pkg: Word;
  readonly script: Range;
  readonly quote: "'" | '"';
}

/** Wrappers whose command is the next word (without options). */
const WRAPPERS = new Set(["sudo", "doas", "exec", "time", "command", "nohup", "nice"]);

export function findInvocation(scan: Scan, cmd: SimpleCommand): Found {
  // words followed by `(` are not shell (`cmd (…)` is a syntax error): prose in a code block
  if (cmd.after === "(") return null;
  const words = cmd.words;
  let i = 0;
  const assignments: Word[] = [];
  const isAssignment = (w: Word) => assignmentName(scan.masked, w) !== null;
  while (i < words.length && isAssignment(words[i]!)) assignments.push(words[i++]!);
  let needEnv = false;
  let wrapped = false;
  for (;;) {
    const v = words[i]?.value;
    if (v === "env") {
      wrapped = true;
      i++;
      while (i < words.length && isAssignment(words[i]!)) assignments.push(words[i++]!);
      if (words[i]?.value?.startsWith("-")) return null; // options we do not interpret: reported as a mention
      needEnv = false;
      continue;
    }
    if (v !== undefined && v !== null && WRAPPERS.has(v)) {
      wrapped = true;
      i++;
      if (words[i]?.value?.startsWith("-")) return null; // options we do not interpret: reported as a mention
      needEnv = true;
      continue;
    }
    break;
  }
  const cw = words[i];
  if (!cw) return null;
  const v = cw.value;
  if (v === null && scan.templates.size > 0) {
    const pkg = nixPackageWord(scan, cw);
    if (pkg) {
      const invocation: Invocation = { cmd, kind: "direct", cw, ref: null, sep: null, insertAt: cw.start, needEnv, wrapped, assignments, args: words.slice(i + 1), ...pkg };
      return { invocation };
    }
  }
  if (v === NAME || (v !== null && v.endsWith("/" + NAME))) {
    // a specific nixos-generate binary (a path): the rewrite is only suggested (nixos-rebuild is not at that path)
    const invocation: Invocation = { cmd, kind: "direct", cw, ref: null, sep: null, insertAt: cw.start, needEnv, wrapped, assignments, args: words.slice(i + 1), suggestOnly: v !== NAME };
    return { invocation };
  }
  if (v === "nix" && words[i + 1]?.value === "run") return nixRun(scan, cmd, i, { needEnv, wrapped, assignments });
  if (v === "nix" && words[i + 1]?.value === "shell") return nixShell(scan, cmd, i, assignments, needEnv);
  if (v === "nix-shell") return nixShellRun(scan, cmd, i);
  return null;
}

/**
 * A command word of a Nix string that runs nixos-generate from a package:
 * `${pkgs.nixos-generators}/bin/nixos-generate` and `${lib.getExe pkgs.nixos-generators}`
 * (rewritten: nixpkgs' nixos-rebuild is `pkgs.nixos-rebuild`), or any other
 * `${…}/bin/nixos-generate` or `${…nixos-generators…}` (only suggested).
 */
function nixPackageWord(scan: Scan, w: Word): Pick<Invocation, "nixPackage" | "suggestOnly"> | null {
  const shown = src(scan, w);
  const exact = /^(\$\{\s*(?:(?:pkgs\.)?lib\.getExe\s+)?pkgs\.)nixos-generators(\s*\})(\/bin\/nixos-generate)?$/.exec(shown);
  const getExe = exact !== null && /getExe/.test(exact[1]!);
  if (exact && getExe === (exact[3] === undefined)) {
    const name = { start: w.start + exact[1]!.length, end: w.start + exact[1]!.length + "nixos-generators".length };
    const tail = exact[3] ? { start: w.end - exact[3].length, end: w.end } : null;
    return { nixPackage: { name, tail } };
  }
  if (/^\$\{[\s\S]*\}\/bin\/nixos-generate$/.test(shown) || /^\$\{[^}]*nixos-generat(?:e|ors)[^}]*\}$/.test(shown)) return { suggestOnly: true };
  return null;
}

/** `nix run <nixos-generators> -- <flags>` (the command word `nix` is words[i]). */
function nixRun(scan: Scan, cmd: SimpleCommand, i: number, wrapping: { needEnv: boolean; wrapped: boolean; assignments: Word[] }): Found {
  const words = cmd.words;
  let r = -1;
  for (let k = i + 2; k < words.length; k++) {
    const wv = words[k]!.value;
    if (wv === "--") break;
    if (wv !== null && isGeneratorsRef(wv)) {
      r = k;
      break;
    }
  }
  if (r < 0) return null;
  const ref = words[r]!;
  const sepIndex = words.findIndex((w, k) => k > r && w.value === "--");
  if (sepIndex < 0) {
    const shown = clip(oneLine(src(scan, cmd)));
    return {
      refused: finding("cli-unmigratable", ref,
        words.length > r + 1
          ? `\`${shown}\`: arguments after the installable without \`--\` go to nix, not to nixos-generate; write \`nix run nixpkgs#nixos-rebuild -- build-image --image-variant <variant> …\` by hand`
          : `\`${shown}\` runs nixos-generate without arguments (it aborts with "missing format"); use \`nix run nixpkgs#nixos-rebuild -- build-image --image-variant <variant> …\``),
    };
  }
  const nix = { word: words[i]!, sub: words[i + 1]!, dashC: null, others: false, insertAt: words[i]!.start, needEnv: wrapping.needEnv };
  const invocation: Invocation = { cmd, kind: "nix-run", cw: null, ref, sep: words[sepIndex]!, insertAt: words[i]!.start, ...wrapping, args: words.slice(sepIndex + 1), nix };
  return { invocation };
}

/**
 * `nix-shell -p nixos-generators --run "nixos-generate …"`: the script is read
 * on its own when it sits whole in one pair of quotes without escapes (what the
 * inner shell runs is then the text between them).
 */
function nixShellRun(scan: Scan, cmd: SimpleCommand, i: number): Found {
  const words = cmd.words;
  let pkg: Word | undefined;
  let script: Word | undefined;
  for (let k = i + 1; k < words.length; k++) {
    const v = words[k]!.value;
    if (v === "-p" || v === "--packages") {
      for (k++; k < words.length && !words[k]!.value?.startsWith("-"); k++) if (words[k]!.value === "nixos-generators") pkg = words[k];
      k--;
    } else if ((v === "--run" || v === "--command") && k + 1 < words.length) script = words[++k];
  }
  if (!pkg || !script) return null;
  const raw = src(scan, script);
  const q = raw[0];
  if ((q !== "'" && q !== '"') || raw.length < 2 || !raw.endsWith(q) || raw.slice(1, -1).includes(q) || (q === '"' && /[\\`]/.test(raw))) return null;
  return { nixShellRun: { cmd, pkg, script: { start: script.start + 1, end: script.end - 1 }, quote: q } };
}

/** `nix shell <nixos-generators> -c nixos-generate <flags>` (the command word `nix` is words[i]). */
function nixShell(scan: Scan, cmd: SimpleCommand, i: number, assignments: Word[], needEnv: boolean): Found {
  const words = cmd.words;
  const c = words.findIndex((w, k) => k > i + 1 && (w.value === "-c" || w.value === "--command"));
  if (c < 0 || words[c + 1]?.value !== NAME) return null;
  const ref = words.slice(i + 2, c).find((w) => w.value !== null && isGeneratorsRef(w.value));
  if (!ref) {
    return {
      refused: finding("cli-unmigratable", words[c + 1]!,
        `\`${clip(oneLine(src(scan, cmd)))}\` runs nixos-generate from a nix shell that does not name nixos-generators; add nixpkgs#nixos-rebuild to the shell and run \`nixos-rebuild build-image --image-variant <variant> …\` by hand`),
    };
  }
  const inner = words[c + 1]!;
  // other installables: words that are neither options nor a long option's value
  const between = words.slice(i + 2, c);
  const others = between.some((w, k) => w !== ref && !w.value?.startsWith("-") && !between[k - 1]?.value?.startsWith("--"));
  const nix = { word: words[i]!, sub: words[i + 1]!, dashC: words[c]!, others, insertAt: words[i]!.start, needEnv };
  const invocation: Invocation = { cmd, kind: "nix-shell", cw: inner, ref, sep: null, insertAt: inner.start, needEnv: true, wrapped: true, assignments, args: words.slice(c + 2), nix };
  return { invocation };
}
