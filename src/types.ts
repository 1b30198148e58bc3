// Shared data types of the engine, the passes and the reporters.
import type { TextEdit } from "./edits.js";
import type { LineCol } from "./text.js";
import type { ParsedNix } from "./parse.js";

/**
 * error: could not migrate, the user must act (exit code 1).
 * warning: migrated, but check this.  note: information.
 */
export type Severity = "error" | "warning" | "note";

export interface Finding {
  /** File the finding is about (as given / relative to the project root). */
  readonly path: string;
  readonly rule: string;
  readonly severity: Severity;
  /** What is wrong and exactly what to do. */
  readonly message: string;
  /** Position in the file as it was before migration. */
  readonly start: LineCol;
  readonly end: LineCol;
  /** UTF-16 offsets matching start/end. */
  readonly offset: number;
  readonly endOffset: number;
}

export interface MigrateOptions {
  /** Path used in findings and to resolve relative module paths (default `flake.nix`). */
  readonly path?: string;
  /** Name for the new nixosConfiguration when there is exactly one. */
  readonly host?: string;
  /** Add image.modules settings that keep nixos-generators' defaults. */
  readonly parity?: boolean;
  /** Migrate even when the flake pins nixpkgs older than 25.05. */
  readonly allowOldNixpkgs?: boolean;
  /**
   * Tests of --verify only: nixosGenerate calls migrate to the wrong variant
   * (`{ vmware: "virtualbox" }`), so that --verify has a wrong migration to
   * catch. The CLI takes it from NIXGEN_MIGRATE_TEST_SWAP_VARIANT=vmware=virtualbox.
   */
  readonly testSwapVariant?: Readonly<Record<string, string>>;
}

/** A finding as a pass produces it: offsets in the text the pass saw. */
export interface RawFinding<Id extends string = string> {
  readonly path?: string;
  readonly rule: Id;
  readonly severity?: Severity;
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

export interface FileEdits {
  readonly path: string;
  readonly edits: readonly TextEdit[];
}

export interface PassOutput<Id extends string = string> {
  readonly edits: FileEdits[];
  readonly findings: RawFinding<Id>[];
  /** No later pass runs on this file (e.g. a guard found it must not be migrated). */
  readonly halt?: boolean;
}

/** Read access to the project for passes that follow imports (pure: backed by a host). */
export interface ProjectView {
  /** Current text (after earlier passes) of a file, or undefined when absent/unreadable. */
  read(path: string): string | undefined;
  /** Parsed current text of a `.nix` file; undefined when absent. */
  parse(path: string): ParsedNix | undefined;
  isDirectory(path: string): boolean;
  /** Whether paths outside the project root may be read (never: module following stops at the root). */
  inside(path: string): boolean;
  /** The files given to this run (a flake with the files below it, in repository mode). */
  given(): readonly string[];
}

export interface PassContext {
  readonly path: string;
  /** Current text of the file (after earlier passes). */
  readonly text: string;
  /** The parsed text, for passes whose `input` is "nix" (null for text passes); parsed on first use. */
  readonly file: ParsedNix | null;
  readonly options: MigrateOptions;
  readonly project: ProjectView;
}

/** What a rule means, declared by the pass that reports it (shown by `--explain`, docs/rules.md, SARIF). */
export interface RuleSpec {
  readonly severity: Severity;
  /** One line: what a finding of this rule says happened. */
  readonly summary: string;
  /** Why it matters and exactly what to do (Markdown; `--explain <rule>` prints it). */
  readonly explanation: string;
  /**
   * A safety net: the engine drops such a finding when another finding of the
   * file covers its line, or the file has an error or warning of another rule.
   */
  readonly fallback?: boolean;
}

export type RuleSet = Readonly<Record<string, RuleSpec>>;

/** What a pass says about itself: the data `--list-rules`, `--explain` and the generated docs read. */
export interface PassMeta<R extends RuleSet = RuleSet> {
  /** One line (the README's table of passes). */
  readonly summary: string;
  /** What the pass migrates and what it leaves, for users (Markdown). */
  readonly doc: string;
  /** Every rule the pass can report. */
  readonly rules: R;
}

export interface Transform<R extends RuleSet = RuleSet> extends PassMeta<R> {
  /** kebab-case; equals the file name under transforms/ and the fixture folder. */
  readonly id: string;
  /** Which files the pass looks at. */
  appliesTo(path: string): boolean;
  /**
   * The pass can only change or report on a text that contains one of these
   * ASCII substrings: the cheap test before anything is parsed (also run on raw
   * bytes by the CLI's prefilter, which is why they are data and ASCII).
   */
  readonly needles: readonly string[];
  /** "nix": the engine parses the file (and refuses it on syntax errors); "text": scripts, flake.lock … */
  readonly input: "nix" | "text";
  /** Its findings name only its own rules: a typo or another pass's rule does not compile. */
  run(ctx: PassContext): PassOutput<keyof R & string>;
}
