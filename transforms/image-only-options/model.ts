// The data the phases of image-only-options hand to each other.
import type { Rule } from "../image-only-options.meta.js";
import type { TextEdit } from "../../src/edits.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import type { Configuration, ModuleUnit, WalkFile, WalkSite } from "../../src/nix/module-walk.js";
import type { ImageModule, OptionEntry } from "../../src/variant-options.js";

/** A configuration whose images are built, with the variants it builds. */
export interface Config extends Configuration {
  /** `nixosConfigurations.lab`, or `the configuration built in place at line 12`. */
  readonly label: string;
  /** The function that builds it when it is not nixosSystem itself (`mkHost { modules = …; }`). */
  readonly helper: string | null;
  readonly variants: Set<string>;
  /** An image reference whose variant is not known statically. */
  unknownAt: SyntaxNode | null;
}

export type Unit = ModuleUnit<Config>;

/** A direct import of a nixpkgs module that builds an image itself. */
export interface ImportSite extends WalkSite<Config> {
  /** The list element to remove or wrap. */
  readonly element: SyntaxNode;
  readonly display: string;
  readonly info: ImageModule;
}

/** Where a definition sits: the attrset that is configuration root, and how we got there. */
export interface RootCtx {
  readonly unit: Unit;
  /** The configuration root (`{ … }` of a shorthand module, of `config = { … }`, of a `mkIf c { … }` …). */
  readonly root: SyntaxNode;
  /** The entry of `root` that holds the current nested set (null: directly in root). */
  readonly top: SyntaxNode | null;
  /** Number of attrs of `top` before the option path (`config.virtualisation` -> 1). */
  readonly topSkip: number;
}

/** A definition that moves into `image.modules.<v>` of `variants`. */
export interface Move {
  readonly ctx: RootCtx;
  readonly entry: SyntaxNode;
  /** Attrs of the entry before the option path (`config.` of a full module). */
  readonly skip: number;
  /** Full option path of the definition (from the configuration root). */
  readonly path: string[];
  /** The path inside the image module (renamed where needed). */
  readonly newPath: string[];
  readonly own: OptionEntry;
  readonly variants: string[];
  /** Renamed: how many leading keys of `path` the old name covers. */
  readonly renamed: boolean;
}

/** An edit of one file. */
export interface FileEdit extends TextEdit {
  readonly path: string;
}

/** What a phase produces. */
export interface Changes {
  readonly edits: FileEdit[];
  readonly findings: RawFinding<Rule>[];
}

export function finding(file: WalkFile, node: { start: number; end: number }, rule: Rule, message: string): RawFinding<Rule> {
  return { path: file.path, rule, message, start: node.start, end: node.end };
}

export function fileEdit(file: WalkFile, e: TextEdit): FileEdit {
  return { path: file.path, ...e };
}

export function labels(configs: Iterable<Config>): string {
  return [...configs].map((c) => c.label).join(", ");
}
