// nixos-generate's options, read as nixos-generate reads them.
import type { Rule } from "./meta.js";
import type { RawFinding } from "../../src/types.js";
import type { Word } from "../../src/shell/tokenize.js";
import { finding, oneLine, src, type Scan } from "./common.js";

interface FlagSpec {
  /** Canonical long name. */
  readonly name: string;
  readonly arity: number;
}

/** nixos-generate's options (its `case` over "$1", docs/upstream.md §D). Nothing else is accepted. */
const SPECS: Record<string, FlagSpec> = {
  "-c": { name: "--configuration", arity: 1 },
  "--configuration": { name: "--configuration", arity: 1 },
  "--flake": { name: "--flake", arity: 1 },
  "--cores": { name: "--cores", arity: 1 },
  "--disk-size": { name: "--disk-size", arity: 1 },
  "--special-arg": { name: "--special-arg", arity: 2 },
  "--option": { name: "--option", arity: 2 },
  "-f": { name: "--format", arity: 1 },
  "--format": { name: "--format", arity: 1 },
  "--format-path": { name: "--format-path", arity: 1 },
  "--help": { name: "--help", arity: 0 },
  "--list": { name: "--list", arity: 0 },
  "--run": { name: "--run", arity: 0 },
  "--show-trace": { name: "--show-trace", arity: 0 },
  "--system": { name: "--system", arity: 1 },
  "-I": { name: "-I", arity: 1 },
  "-o": { name: "--out-link", arity: 1 },
  "--out-link": { name: "--out-link", arity: 1 },
};

/** Flags nixos-rebuild takes unchanged (docs/upstream.md §F). */
export const PASSTHROUGH = new Set(["--option", "--cores", "--show-trace", "-I"]);
/** Flags that may be given once (nixos-generate keeps the last; we do not guess which was meant). */
const SINGLE = new Set(["--configuration", "--flake", "--format", "--format-path", "--system", "--out-link", "--disk-size", "--cores", "--run", "--list", "--help"]);

export interface Flag {
  /** Canonical name (`--format` for `-f`). */
  readonly name: string;
  readonly word: Word;
  readonly values: Word[];
}

/** A flag and its values as one line, for messages. */
export function flagText(scan: Scan, f: Flag): string {
  return oneLine(src(scan, { start: f.word.start, end: (f.values[f.values.length - 1] ?? f.word).end }));
}

/** The arguments as nixos-generate's flags, or the reasons they are not valid (or not known statically). */
export function parseFlags(scan: Scan, args: readonly Word[], before: string): { flags: Flag[] } | { blockers: RawFinding<Rule>[] } {
  const flags: Flag[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w.value === null) {
      return { blockers: [finding("cli-invalid-arguments", w,
        `\`${src(scan, w)}\` in \`${before}\` is not a literal option, so it is not known which nixos-generate options it holds; rewrite the command by hand (nixos-rebuild build-image --image-variant <variant> …)`)] };
    }
    const spec = SPECS[w.value];
    if (!spec) {
      return { blockers: [finding("cli-invalid-arguments", w,
        `nixos-generate does not accept \`${w.value}\` (it aborts with "unknown option ${w.value}"); fix the command, then run again`)] };
    }
    if (i + spec.arity >= args.length) {
      return { blockers: [finding("cli-invalid-arguments", w, `\`${w.value}\` needs ${spec.arity === 1 ? "an argument" : `${spec.arity} arguments`}; nixos-generate fails here; fix the command, then run again`)] };
    }
    const values = args.slice(i + 1, i + 1 + spec.arity);
    flags.push({ name: spec.name, word: w, values });
    i += spec.arity;
    if ((spec.name === "--list" || spec.name === "--help") && i + 1 < args.length) {
      return { blockers: [finding("cli-invalid-arguments", args[i + 1]!,
        `nixos-generate ignores everything after \`${spec.name}\`; remove \`${oneLine(src(scan, { start: args[i + 1]!.start, end: args[args.length - 1]!.end }))}\`, then run again`)] };
    }
  }
  const blockers: RawFinding<Rule>[] = [];
  for (const name of SINGLE) {
    const fs = flags.filter((f) => f.name === name);
    if (fs.length > 1) blockers.push(finding("cli-invalid-arguments", fs[1]!.word, `\`${name}\` is given ${fs.length} times (nixos-generate uses the last one); keep one, then run again`));
  }
  return blockers.length ? { blockers } : { flags };
}
