// The pure core API: text in, text and findings out. No file system, no
// process, no terminal; the CLI and the web playground are thin layers on it.
import { migrateProject, type FileResult, type ProjectResult, type SourceHost } from "./engine.js";
import { TRANSFORMS } from "../transforms/index.js";
import type { Finding, MigrateOptions } from "./types.js";
import { IDENTIFIER } from "./nix/ast.js";

export interface MigrateResult {
  /** The migrated text (the input itself when nothing changed or the file was refused). */
  readonly output: string;
  readonly findings: Finding[];
  readonly changed: boolean;
  /** Set when the input could not be migrated at all (syntax error, internal error). */
  readonly refused?: FileResult["refused"];
}

/** Whether `name` can be `options.host`: a plain Nix attribute name (letters, digits, _ ' -; not starting with a digit). */
export function isValidHostName(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** Migrates one file given as text. `options.path` names it (default `flake.nix`). */
export function migrate(source: string, options: MigrateOptions = {}): MigrateResult {
  const path = options.path ?? "flake.nix";
  const result = migrateProject([path], { read: (p) => (p === path ? source : undefined) }, { ...options, path }, TRANSFORMS);
  const file = result.files.find((f) => f.path === path)!;
  return {
    output: file.after,
    findings: result.findings,
    changed: file.changed,
    ...(file.refused ? { refused: file.refused } : {}),
  };
}

/**
 * Migrates several files that may refer to each other (a flake and its module
 * files, flake.lock). Reads go through `host`; nothing is written.
 */
export function migrateFiles(paths: readonly string[], host: SourceHost, options: MigrateOptions = {}): ProjectResult {
  return migrateProject(paths, host, options, TRANSFORMS);
}
