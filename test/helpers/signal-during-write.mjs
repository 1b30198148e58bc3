// Test hook (loaded with NODE_OPTIONS=--import=…): the first time the CLI
// creates a temp file to write a migrated file, this process sends itself
// NIXGEN_TEST_SIGNAL, after writing the names of the temp files present in
// that directory then to NIXGEN_TEST_TEMPS_SEEN (so the test knows there were some).
import fs from "node:fs";
import { dirname } from "node:path";

const signal = process.env.NIXGEN_TEST_SIGNAL;
const seen = process.env.NIXGEN_TEST_TEMPS_SEEN;
const open = fs.promises.open;
let sent = false;
fs.promises.open = async function (path, ...rest) {
  const handle = await open.call(this, path, ...rest);
  if (!sent && signal && /\.nixgen-migrate-\d+-[a-z0-9]+\.tmp$/.test(String(path))) {
    sent = true;
    const dir = dirname(String(path));
    if (seen) fs.writeFileSync(seen, fs.readdirSync(dir).filter((n) => n.endsWith(".tmp")).map((n) => `${dir}/${n}`).join("\n"));
    process.kill(process.pid, signal);
  }
  return handle;
};
