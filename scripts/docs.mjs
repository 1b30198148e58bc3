#!/usr/bin/env node
// Writes docs/rules.md and the README's generated tables from the built sources
// (`npm run docs` builds first). test/docs.test.ts fails when they drift.
import { readFileSync, writeFileSync } from "node:fs";
import { fillGenerated, readmeBlocks, rulesDocument } from "../dist/src/docs.js";

const root = new URL("..", import.meta.url);
writeFileSync(new URL("docs/rules.md", root), rulesDocument());
const readme = new URL("README.md", root);
writeFileSync(readme, fillGenerated(readFileSync(readme, "utf8"), readmeBlocks()));
console.log("wrote docs/rules.md and README.md's generated tables");
