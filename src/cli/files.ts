// Reading and writing files for the CLI: strict UTF-8, binary detection,
// atomic writes that keep the mode, and the project boundary for module following.
// Decoding (strict UTF-8, binary detection) is pure and lives in ../decode.ts.
import { closeSync, constants, fstatSync, openSync, promises as fs, existsSync, readFileSync, statSync, lstatSync } from "node:fs";
import { dirname, basename, join, relative, resolve, sep } from "node:path";

export { FileError, decodeText } from "../decode.js";
import { FileError, decodeText } from "../decode.js";

/** A file system error in the words every CLI message uses. */
export function describe(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ENOENT":
    case "ENOTDIR": return "no such file";
    case "EACCES":
    case "EPERM": return "permission denied";
    case "EISDIR": return "is a directory";
    case "ELOOP": return "symbolic link loop";
    case "ENAMETOOLONG": return "path too long";
    default: return err.message;
  }
}

/**
 * Reads a regular file (following symlinks) as strict UTF-8. Anything else is
 * refused without blocking: reading a named FIFO would wait for a writer forever
 * (it is opened non-blocking and checked with fstat before anything is read).
 */
export function readTextFileSync(path: string): string {
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new FileError(path, "is a directory");
    if (!st.isFile()) throw new FileError(path, "is not a regular file (a FIFO, socket or device); not read");
    bytes = readFileSync(fd);
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(path, describe(e as NodeJS.ErrnoException));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return decodeText(path, bytes);
}

/** What output shows for a path: relative to cwd, with forward slashes. */
export function displayPath(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  const p = rel === "" ? "." : rel;
  return sep === "/" ? p : p.split(sep).join("/");
}

const gitRoots = new Map<string, string | null>();

/** Nearest ancestor (or the directory itself) holding `.git`; null when none. Remembered per directory. */
export function gitRoot(dir: string): string | null {
  const visited: string[] = [];
  let found: string | null = null;
  for (let d = dir; ; d = dirname(d)) {
    const known = gitRoots.get(d);
    if (known !== undefined) {
      found = known;
      break;
    }
    visited.push(d);
    if (existsSync(join(d, ".git"))) {
      found = d;
      break;
    }
    if (dirname(d) === d) break;
  }
  for (const d of visited) gitRoots.set(d, found);
  return found;
}

export function isDirectory(path: string): boolean {
  try {
    // no exception for the common "does not exist" (module paths are probed)
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/** readTextFileSync, or undefined when nothing is there (passes probe flake.lock and module paths). */
export function readTextFileIfExists(path: string): string | undefined {
  if (!statSync(path, { throwIfNoEntry: false })) return undefined;
  return readTextFileSync(path);
}

export function isInside(root: string, path: string): boolean {
  const p = resolve(path);
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

const TMP_MARK = ".nixgen-migrate-";

/** Directory listings for cleanStaleTemps: read once per directory and run. */
const listings = new Map<string, Promise<string[]>>();

/** Temp files of runs that were killed (their pid is gone) are removed. */
async function cleanStaleTemps(dir: string, name: string) {
  let pending = listings.get(dir);
  if (!pending) {
    pending = fs.readdir(dir).catch(() => [] as string[]);
    listings.set(dir, pending);
  }
  const names = await pending;
  const prefix = `.${name}${TMP_MARK}`;
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith(".tmp")) continue;
    const pid = Number(n.slice(prefix.length).split("-")[0]);
    if (pid && pid !== process.pid && isAlive(pid)) continue;
    await fs.rm(join(dir, n), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Writes `text` to `path` atomically: a temp file in the same directory (same
 * mode as the original), fsync, then rename over it. A symlink is followed and
 * its target written. `expected` is what was read: if the file changed since,
 * nothing is written.
 */
export async function writeFileAtomic(path: string, text: string, expected: string | undefined): Promise<void> {
  let target = path;
  let mode = 0o644;
  let knownMode = false;
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) target = await fs.realpath(path);
    else {
      mode = st.mode & 0o7777;
      knownMode = true;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new FileError(path, describe(e as NodeJS.ErrnoException));
  }
  const dir = dirname(target);
  const name = basename(target);
  await cleanStaleTemps(dir, name);
  if (expected !== undefined) {
    let current: string;
    try {
      if (!knownMode) mode = (await fs.stat(target)).mode & 0o7777;
      current = decodeText(path, await fs.readFile(target));
    } catch (e) {
      if (e instanceof FileError) throw e;
      throw new FileError(path, describe(e as NodeJS.ErrnoException));
    }
    if (current !== expected) throw new FileError(path, "changed on disk while it was being migrated; not written (run again)");
  }
  const tmp = join(dir, `.${name}${TMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
    await handle.writeFile(text, "utf8");
    // open() applied the umask; set the original mode exactly when that changed it
    if ((mode & ~umask()) !== mode) await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, target);
  } catch (e) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw new FileError(path, `cannot be written: ${describe(e as NodeJS.ErrnoException)}`);
  }
}

let cachedUmask: number | undefined;
/** The process umask (read once; 0o7777 when it cannot be read, so that chmod always runs). */
function umask(): number {
  if (cachedUmask === undefined) {
    try {
      cachedUmask = process.umask();
    } catch {
      cachedUmask = 0o7777;
    }
  }
  return cachedUmask;
}
