// What every phase of nixos-generate-cli reads: the file being looked at, the
// chunk a command sits in, and small text helpers for messages.
import type { Rule } from "./meta.js";
import { FORMATS } from "../../src/formats.js";
import type { RawFinding } from "../../src/types.js";
import type { CliRule } from "./meta.js";
import type { Range } from "../../src/shell/tokenize.js";
import type { SimpleCommand } from "../../src/shell/commands.js";
import type { Chunk } from "../../src/shell/regions.js";

/**
 * The text the phases read (read-only): a whole file, or the decoded
 * contents of one Nix string literal (offsets are then into those contents;
 * the caller maps results back to the file).
 */
export interface Scan {
  readonly path: string;
  /** The text as given (a file), or the decoded string contents. */
  readonly text: string;
  /** The same text with prompts, recipe prefixes and the insides of Nix interpolations blanked (same length): what the tokenizer reads. */
  readonly masked: string;
  /** What messages quote and edits copy: `masked`, with Nix interpolations as written. */
  readonly shown: string;
  /** 1-based line in the file of an offset. */
  line(offset: number): number;
  readonly allowOldNixpkgs: boolean;
  /** Nix interpolations (start -> end) when the text is a Nix string's; empty otherwise. */
  readonly templates: ReadonlyMap<number, number>;
  /** Documentation: `<name>` placeholders were read as the words `_name_` (a command shown, not run). */
  readonly placeholders?: boolean;
  /** The Nix string the text comes from: its role's name (`text`, `runCommand` …), for messages; undefined for files. */
  readonly nixString?: { readonly roleName: string | null };
}

/** A chunk of shell text and its simple commands. */
export interface ChunkInfo {
  readonly chunk: Chunk;
  readonly commands: SimpleCommand[];
}

export const NAME = "nixos-generate";

/**
 * Both names: the command and the project/package (`nixos-generators` does not contain `nixos-generate`).
 * NixOS's own `nixos-generate-config` (every install guide runs it) is another command.
 */
const MENTION = /nixos-generat(?:e(?!-config)|ors)/g;

export function mentions(text: string, from = 0, to = text.length): Range[] {
  const out: Range[] = [];
  MENTION.lastIndex = from;
  for (let m = MENTION.exec(text); m && m.index < to; m = MENTION.exec(text)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

export function src(scan: Scan, r: Range): string {
  return scan.shown.slice(r.start, r.end);
}

/** Whether an offset is inside a Nix interpolation of the text. */
export function inTemplate(scan: Scan, o: number): boolean {
  for (const [s, e] of scan.templates) if (o > s && o < e) return true;
  return false;
}

export function finding(rule: CliRule, r: Range, message: string, severity?: RawFinding<Rule>["severity"]): RawFinding<Rule> {
  return { rule, start: r.start, end: r.end, message, ...(severity ? { severity } : {}) };
}

export const shq = (s: string) => (/^[A-Za-z0-9_@%+=:,./#~-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
export const attrSegment = (a: string) => (/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(a) ? a : `"${a}"`);

/** One line for messages: continuations and folded line breaks become spaces. */
export function oneLine(s: string): string {
  return s.replace(/[ \t]*\\\r?\n[ \t]*/g, " ").replace(/[ \t]*\r?\n[ \t]*/g, " ").trim();
}

export function clip(s: string, n = 160): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

export const within = (r: Range, o: number) => o >= r.start && o < r.end;

/** The `<host>` of a `--flake <uri>#<host>` value, or null when it names none. */
export function flakeHost(ref: string): string | null {
  const hash = ref.indexOf("#");
  return hash >= 0 && hash < ref.length - 1 ? ref.slice(hash + 1) : null;
}

export function variantRenames(): string {
  const renamed = FORMATS.filter((f) => f.variant && f.variant !== f.format).map((f) => `${f.format}->${f.variant}`);
  const none = FORMATS.filter((f) => !f.variant).map((f) => f.format);
  return `renamed: ${renamed.join(", ")}; no variant: ${none.join(", ")}; the other formats keep their names`;
}
