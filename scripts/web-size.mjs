// Prints every file of the built playground (web/dist) with its size and its
// gzip size, and the gzip total: what a browser transfers on the first visit.
// Fails when the total is 1 MB or more.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const dist = new URL("../web/dist/", import.meta.url).pathname;
const LIMIT = 1024 * 1024;

function* files(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

export function webSizes(root = dist) {
  const rows = [...files(root)].map((p) => {
    const bytes = readFileSync(p);
    return { file: relative(root, p), size: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { rows, total: rows.reduce((a, r) => a + r.gzip, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, total } = webSizes();
  const kB = (n) => `${(n / 1024).toFixed(1)} kB`.padStart(10);
  for (const r of rows) console.log(`${kB(r.size)} ${kB(r.gzip)} gzip  ${r.file}`);
  console.log(`${"".padStart(10)} ${kB(total)} gzip  total (limit ${LIMIT / 1024} kB)`);
  if (total >= LIMIT) {
    console.error("web/dist is too big: 1 MB gzipped or more");
    process.exit(1);
  }
}
