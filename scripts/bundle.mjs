// Bundles the CLI and the library into dist/ with rolldown: one file to load
// instead of ~60 modules, which is most of a pre-commit run's start-up.
// web-tree-sitter stays external (it finds its own runtime wasm next to itself);
// yargs lands in a chunk that is only loaded for --help and usage errors.
import { build } from "rolldown";
import { rmSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
rmSync(`${root}dist/bundle`, { recursive: true, force: true });
await build({
  input: { cli: `${root}src/cli/main.ts`, worker: `${root}src/cli/worker.ts`, index: `${root}src/index.ts` },
  platform: "node",
  external: ["web-tree-sitter"],
  logLevel: "warn",
  output: {
    dir: `${root}dist/bundle`,
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "[name]-[hash].js",
  },
});
