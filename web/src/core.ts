// The page's only door to the migration logic: the same modules the CLI runs
// (src/migrate.ts, src/parse.ts, src/report/*), no copy. The grammar is the
// repository's grammar/tree-sitter-nix.wasm and web-tree-sitter's runtime wasm
// comes from the package; Vite emits both as files next to the page.
import grammarUrl from "../../grammar/tree-sitter-nix.wasm?url";
import runtimeUrl from "web-tree-sitter/web-tree-sitter.wasm?url";
import { initParser } from "../../src/parse.js";
import { migrate, isValidHostName, type MigrateResult } from "../../src/migrate.js";
import { unifiedDiff } from "../../src/report/diff.js";
import { formatFinding } from "../../src/report/text.js";
import { decodeText } from "../../src/decode.js";
import type { Finding, MigrateOptions } from "../../src/types.js";

export { migrate, isValidHostName, unifiedDiff, formatFinding, decodeText };
export type { Finding, MigrateOptions, MigrateResult };

let ready: Promise<void> | null = null;

/** Loads the parser once; started as soon as the page loads, so a run never waits for the network. */
export function loadParser(): Promise<void> {
  ready ??= initParser(async () => {
    const response = await fetch(grammarUrl);
    if (!response.ok) throw new Error(`cannot load the Nix grammar (${response.status} ${response.statusText})`);
    return {
      grammar: new Uint8Array(await response.arrayBuffer()),
      locateRuntime: () => runtimeUrl,
    };
  });
  return ready;
}
