// Test hook (loaded with NODE_OPTIONS=--import=…): when the CLI opens
// NIXGEN_TEST_CHANGE_FILE for reading the second time — the check the write
// makes of what is on disk, after the read for the migration — the file is
// changed on disk first, as if an editor saved it while the migration ran.
import fs from "node:fs";

const target = process.env.NIXGEN_TEST_CHANGE_FILE;
const openSync = fs.openSync;
let opens = 0;
fs.openSync = function (path, flags, ...rest) {
  const reading = typeof flags !== "number" || (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) === 0;
  if (target && String(path) === target && reading && ++opens === 2) fs.appendFileSync(target, "# changed meanwhile\n");
  return openSync.call(this, path, flags, ...rest);
};
