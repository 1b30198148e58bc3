// The data the phases of nixos-generate-call hand to each other: the file
// with what every phase reads (CallFile), the calls found in it, and the
// edits and findings a phase produces (Output).
import type { Rule } from "../nixos-generate-call.meta.js";
import type { TextEdit } from "../../src/edits.js";
import type { FormatInfo } from "../../src/formats.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { FileEdits, PassContext, RawFinding } from "../../src/types.js";
import { attrKey } from "../../src/nix/ast.js";
import { lockPathOf, nixpkgsInputFor, pinnedRelease, type FlakeInfo, type FlakeOutputs } from "../../src/nix/flake.js";
import type { GeneratorsView } from "../../src/nix/generators.js";
import { stringRanges } from "../../src/nix/layout.js";
import { detectEol, detectIndentUnit, LineIndex } from "../../src/text.js";
import type { rules } from "../nixos-generate-call.meta.js";

/** The rules this pass reports. */
export type CallRule = keyof typeof rules;

/** Lines we write stay under this many columns where we can choose. */
export const MAX_LINE = 100;

/** A file with nixosGenerate calls and what every phase reads about it. */
export interface CallFile {
  readonly ctx: PassContext;
  readonly src: string;
  readonly root: SyntaxNode;
  readonly view: GeneratorsView;
  readonly flake: FlakeInfo | null;
  /** The flake's outputs function; null in a module or library file. */
  readonly outputs: FlakeOutputs | null;
  readonly eol: string;
  readonly unit: string;
  /** Ranges of the outermost string literals, in order (their lines are never re-indented). */
  readonly strings: readonly { start: number; end: number }[];
  readonly lines: LineIndex;
  readonly parity: boolean;
  /** The nixpkgs input the configurations use (a module file: `nixpkgs`); null: the flake has none. */
  readonly nixpkgs: { readonly name: string; readonly followed: boolean } | null;
  /** The nixpkgs release the flake pins ("25.05"); null for unstable, a commit, or not known. */
  readonly release: string | null;
}

export function callFile(ctx: PassContext, view: GeneratorsView): CallFile {
  const src = ctx.text;
  const root = ctx.file!.root;
  const flake = view.flake;
  const nixpkgs = flake ? nixpkgsInputFor(flake, view.input!) ?? registryNixpkgs(flake, view) : { name: "nixpkgs", followed: true };
  const release = flake && nixpkgs ? pinnedRelease(flake, nixpkgs.name, () => ctx.project.read(lockPathOf(ctx.path)))?.release ?? null : null;
  return {
    ctx, src, root, view,
    flake: view.flake,
    outputs: view.flake?.outputs ?? null,
    eol: detectEol(src),
    unit: detectIndentUnit(src),
    strings: outermost(stringRanges(root)),
    lines: new LineIndex(src),
    parity: !!ctx.options.parity,
    nixpkgs,
    release,
  };
}

/** Ranges in document order (a range before the ones inside it) without those inside another. */
function outermost(ranges: readonly { start: number; end: number }[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const r of ranges) if (!out.length || r.start >= out[out.length - 1]!.end) out.push(r);
  return out;
}

/** Is `offset` strictly inside a string literal? */
export function insideString(file: CallFile, offset: number): boolean {
  // the last range starting before offset (ranges are disjoint and ordered)
  let lo = 0;
  let hi = file.strings.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (file.strings[mid]!.start < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  const r = file.strings[hi];
  return !!r && offset < r.end;
}

/**
 * A flake whose outputs take `nixpkgs` without declaring it gets the registry's
 * (`flake:nixpkgs`); nixos-generators follows it when it says so.
 */
function registryNixpkgs(flake: FlakeInfo, view: GeneratorsView): { name: string; followed: boolean } | null {
  if (!flake.outputs?.formalNames.has("nixpkgs") || flake.inputs.has("nixpkgs")) return null;
  return { name: "nixpkgs", followed: view.input?.follows.get("nixpkgs") === "nixpkgs" };
}

/** 1-based line of a node, for messages. */
export function lineOf(file: CallFile, node: { start: number }): number {
  return file.lines.lineOf(node.start) + 1;
}

export interface ArgEntry {
  readonly key: string;
  readonly entry: SyntaxNode;
  readonly kind: "binding" | "inherit" | "inherit-from";
  /** `key = value;` value, or the `inherit (from)` expression. */
  readonly value: SyntaxNode | null;
}

export interface Call {
  readonly node: SyntaxNode;
  readonly fn: SyntaxNode;
  readonly args: SyntaxNode;
  readonly argEntries: ArgEntry[];
  /** Possible formats, null when unknown. */
  formats: string[] | null;
  /** Expression text to look the variant up at run time (dynamic formats), null for one literal. */
  formatExpr: string | null;
  /**
   * The format picked from a set of literals by a key (`{ x86_64-linux = "iso"; … }.${system}`):
   * the variant is picked the same way.
   */
  selection: FormatSelection | null;
  infos: FormatInfo[];
  /**
   * Formats whose variant depends on the platform (qcow: qemu on x86_64-linux,
   * qemu-efi elsewhere), with the call's `system` expression that picks it;
   * `infos` holds both variants of such a format.
   */
  readonly bySystem: Map<string, string>;
  bindingName: string | null;
  /** The nixosConfigurations name, once the call is hoisted. */
  host?: string;
}

export interface FormatSelection {
  /** Each key's format. */
  readonly byKey: readonly (readonly [string, string])[];
  /** The key expression (inside `${…}`). */
  readonly key: SyntaxNode;
  readonly fallback: string | null;
}

export function arg(call: Call, key: string): ArgEntry | undefined {
  return call.argEntries.find((a) => a.key === key);
}

/** Edits and findings of one phase, in the order they were made (ties at one offset keep it). */
export interface Output {
  readonly edits: TextEdit[];
  readonly findings: RawFinding<Rule>[];
  /** Edits in other files (custom format modules migrated in place). */
  readonly otherFiles: FileEdits[];
}

export function emptyOutput(): Output {
  return { edits: [], findings: [], otherFiles: [] };
}

/** Appends `more` to `out`, keeping the order. */
export function append(out: Output, more: Partial<Output>): void {
  if (more.edits) out.edits.push(...more.edits);
  if (more.findings) out.findings.push(...more.findings);
  if (more.otherFiles) out.otherFiles.push(...more.otherFiles);
}

export function finding(node: { start: number; end: number }, rule: CallRule, message: string): RawFinding<Rule> {
  return { rule, message, start: node.start, end: node.end };
}

/** The variant's name in a message: the one variant, or `<variant>` for several. */
export function variantLabel(call: Call): string {
  return call.infos.length === 1 ? call.infos[0]!.variant! : "<variant>";
}

/**
 * `.${FORMAT}` or `.${{ qcow = "qemu"; }.${FORMAT} or FORMAT}` for dynamic formats;
 * `.${{ x86_64-linux = "iso"; aarch64-linux = "sd-card"; }.${system}}` for a format picked by a key.
 */
export function variantAccess(call: Call, src: string): string {
  const quoted = (format: string) => variantText(call, format);
  if (call.formatExpr === null) {
    const only = call.infos[0]!;
    return call.bySystem.has(only.format) ? `.\${${quoted(only.format)}}` : `.${only.variant}`;
  }
  if (call.selection) {
    // keys whose format is not one the call can have (a platform the key never is) are left out
    const table = call.selection.byKey.filter(([, f]) => call.infos.some((i) => i.format === f)).map(([k, f]) => `${attrKey(k)} = ${quoted(f)};`).join(" ");
    const fallback = call.selection.fallback === null ? "" : ` or ${quoted(call.selection.fallback)}`;
    return `.\${{ ${table} }.\${${src.slice(call.selection.key.start, call.selection.key.end)}}${fallback}}`;
  }
  const formats = [...new Set(call.infos.map((i) => i.format))];
  const renames = formats.filter((f) => call.bySystem.has(f) || call.infos.find((i) => i.format === f)!.variant !== f).map((f) => `${attrKey(f)} = ${quoted(f)};`);
  const expr = /^[A-Za-z_][\w'-]*$/.test(call.formatExpr) ? call.formatExpr : `(${call.formatExpr})`;
  if (renames.length === 0) return `.\${${expr}}`;
  return `.\${{ ${renames.join(" ")} }.\${${expr}} or ${expr}}`;
}

/** A format's variant as a Nix string expression: `"qemu"`, or chosen by the platform. */
function variantText(call: Call, format: string): string {
  const infos = call.infos.filter((i) => i.format === format);
  const system = call.bySystem.get(format);
  if (!system) return `"${infos[0]!.variant}"`;
  return `(if ${system} == "x86_64-linux" then "${infos[0]!.variant}" else "${infos[1]!.variant}")`;
}

/**
 * A space when the call's closing `}` touches what follows (`nixosGenerate { … }-1`, `{ … }''s''`):
 * the reference ends in a name, which would run on into it (`images.digital-ocean-1`).
 */
export function gapAfter(file: CallFile, node: SyntaxNode): string {
  return /[A-Za-z0-9_'-]/.test(file.src[node.end] ?? "") ? " " : "";
}
