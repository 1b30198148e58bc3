// The playground: a static page that runs the same core as the CLI.
// `npm run build:web` -> web/dist (relative asset paths: works under any sub-path,
// e.g. GitHub Pages' /<repo>/).
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const webRoot = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  root: webRoot,
  base: "./",
  publicDir: false,
  // the core (../src, ../transforms) and the grammar (../grammar) live outside web/
  server: { fs: { allow: [repoRoot] } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // no polyfill fetches, no inlined data: wasm: every file is a plain asset
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        // web-tree-sitter's emscripten glue uses eval for its dynamic linking; known and harmless here
        if (warning.code === "EVAL" && /web-tree-sitter/.test(warning.id ?? warning.message)) return;
        warn(warning);
      },
    },
  },
});
