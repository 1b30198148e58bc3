// Bundles the CLI and the library into dist/ with rolldown: one file to load
// instead of ~60 modules, which is most of a pre-commit run's start-up.
// web-tree-sitter stays external (it finds its own runtime wasm next to itself);
// yargs, the worker pool and the json/github/sarif reporters land in chunks
// that are loaded only when used.
//
// The CLI is CommonJS (dist/bundle/cli.cjs, run by bin/nixgen-migrate.cjs):
// Node 20 loads it without the ESM loader, and it can be compiled with a V8
// code cache (src/cli/compile-cache.ts, bundled on its own as
// compile-cache.cjs). The library (index.js), the worker thread (worker.js,
// found next to the CLI's chunks by src/cli/pool.ts) and jscodeshift.js are ESM.
//
// Also writes jscodeshift entry points (CommonJS, what jscodeshift require()s):
// dist/jscodeshift/<pass-id>.cjs for every registered pass, and index.cjs
// running all of them. The pass list comes from the bundle just built.
import { build } from "rolldown";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
rmSync(`${root}dist/bundle`, { recursive: true, force: true });
rmSync(`${root}dist/jscodeshift`, { recursive: true, force: true });
await build({
  input: {
    worker: `${root}src/cli/worker.ts`,
    index: `${root}src/index.ts`,
    jscodeshift: `${root}src/jscodeshift.ts`,
  },
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

// CommonJS has no import.meta: the URL of the chunk itself, computed where used
// (the package.json lookup, the grammar, worker.js). yargs' import.meta.resolve
// (only for `extends` in a yargs config, which we do not use) gets require.resolve.
// Functions in a banner, not inline `require(...)`: the bundler would bind an
// inline `require` to yargs' own top-level `const require = createRequire(...)`.
const cjs = {
  platform: "node",
  external: ["web-tree-sitter"],
  logLevel: "warn",
  transform: { define: { "import.meta.url": "__nixgenImportMetaUrl()", "import.meta.resolve": "__nixgenImportMetaResolve" } },
};
const cjsOutput = {
  dir: `${root}dist/bundle`,
  format: "cjs",
  entryFileNames: "[name].cjs",
  chunkFileNames: "[name]-[hash].cjs",
  // what the CLI loads at start-up is read on every run (a pre-commit hook per commit): no source comments in it
  comments: { legal: true, annotation: true, jsdoc: false },
  banner: [
    'function __nixgenImportMetaUrl() { return require("node:url").pathToFileURL(__filename).href; }',
    'function __nixgenImportMetaResolve(s) { return require("node:url").pathToFileURL(require.resolve(s)).href; }',
  ].join("\n"),
};
await build({ ...cjs, input: { cli: `${root}src/cli/main.ts` }, output: cjsOutput });
await build({ ...cjs, input: { "compile-cache": `${root}src/cli/compile-cache.ts` }, output: { ...cjsOutput, codeSplitting: false } });

// jscodeshift require()s a transform through @babel/register, which would
// compile (and choke on) web-tree-sitter: the entry points import() the ESM
// bundle instead, through a Function so that babel cannot rewrite the import.
const { TRANSFORMS } = await import(`${root}dist/bundle/jscodeshift.js`);
mkdirSync(`${root}dist/jscodeshift`, { recursive: true });
const wrapper = (ids) => `"use strict";
// jscodeshift transform: ${ids ? `the ${ids.join(", ")} pass` : "every nixgen-migrate pass, in order"}.
// npx jscodeshift -t <this file> --extensions=nix flake.nix   (see src/jscodeshift.ts)
const load = new Function("url", "return import(url)");
let transform;
module.exports = async function nixgenMigrate(file, api, options) {
  transform ??= load(require("node:url").pathToFileURL(require("node:path").join(__dirname, "..", "bundle", "jscodeshift.js")).href)
    .then((m) => m.jscodeshiftTransform(${ids ? JSON.stringify(ids) : ""}));
  return (await transform)(file, api, options);
};
`;
writeFileSync(`${root}dist/jscodeshift/index.cjs`, wrapper(null));
for (const t of TRANSFORMS) writeFileSync(`${root}dist/jscodeshift/${t.id}.cjs`, wrapper([t.id]));
