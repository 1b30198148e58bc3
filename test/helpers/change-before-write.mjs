// Test hook (loaded with NODE_OPTIONS=--import=…): the first time the CLI reads
// NIXGEN_TEST_CHANGE_FILE asynchronously — the check writeFileAtomic makes just
// before it writes — the file is changed on disk first, as if an editor saved
// it while the migration ran.
import fs from "node:fs";

const target = process.env.NIXGEN_TEST_CHANGE_FILE;
const readFile = fs.promises.readFile;
let done = false;
fs.promises.readFile = async function (path, ...rest) {
  if (!done && target && String(path) === target) {
    done = true;
    fs.appendFileSync(target, "# changed meanwhile\n");
  }
  return readFile.call(this, path, ...rest);
};
