// Public API for Node. `await init()` once, then `migrate(text, options)`.
// node:fs's callback readFile, not node:fs/promises: loading that module costs
// ~1.5 ms, and a dry run of the CLI needs it nowhere else.
import { existsSync, readFile } from "node:fs";
import { fileURLToPath } from "node:url";
import { initParser } from "./parse.js";

export { migrate, migrateFiles, isValidHostName, type MigrateResult } from "./migrate.js";
export type { Finding, MigrateOptions, Severity } from "./types.js";
export type { FileResult, ProjectResult, SourceHost } from "./engine.js";
export { FORMATS, lookupFormat, type FormatInfo } from "./formats.js";
export { RULES } from "./rules.js";

/** The grammar shipped with the package (dist/src/ when built, src/ in tests). */
export function grammarPath(): string {
  for (const rel of ["../../grammar/tree-sitter-nix.wasm", "../grammar/tree-sitter-nix.wasm"]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error("nixgen-migrate: grammar/tree-sitter-nix.wasm is missing from the installation");
}

/** Loads the Nix parser (web-tree-sitter + our tree-sitter-nix.wasm). Call once. */
export async function init(): Promise<void> {
  await initParser(async () => ({
    grammar: await new Promise<Uint8Array>((done, fail) => readFile(grammarPath(), (e, bytes) => (e ? fail(e) : done(bytes)))),
  }));
}
