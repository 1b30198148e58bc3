// Test hook (loaded with NODE_OPTIONS=--import=…): when the CLI creates its
// NIXGEN_TEST_SIGNAL_AT-th temp file (default 1) to write a migrated file, this process sends itself
// NIXGEN_TEST_SIGNAL (handled at the next turn of the event loop, while the
// temp files wait for their fsync), after writing the temp files then in that
// directory to NIXGEN_TEST_TEMPS_SEEN (so that the test knows there were some).
import fs from "node:fs";
import { dirname } from "node:path";

const signal = process.env.NIXGEN_TEST_SIGNAL;
const seen = process.env.NIXGEN_TEST_TEMPS_SEEN;
const openSync = fs.openSync;
const at = Number(process.env.NIXGEN_TEST_SIGNAL_AT ?? 1);
let temps = 0;
fs.openSync = function (path, ...rest) {
  const fd = openSync.call(this, path, ...rest);
  if (signal && /\.nixgen-migrate-\d+-[a-z0-9]+\.tmp$/.test(String(path)) && ++temps === at) {
    const dir = dirname(String(path));
    if (seen) fs.writeFileSync(seen, fs.readdirSync(dir).filter((n) => n.endsWith(".tmp")).map((n) => `${dir}/${n}`).join("\n"));
    process.kill(process.pid, signal);
  }
  return fd;
};
