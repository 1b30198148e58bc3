// Atomic writes: a temp file in the same directory (same mode, owner and
// group as the original), fsync, then rename over it. What is replaced is
// checked first, from an open descriptor: it is still the text that was read,
// a regular file, and has one link (a rename would break a hard link: such a
// file is reported, not written). A file named on the command line that is a
// symlink has its target written (documented); any other path is written only
// at its real path inside the repository. Temp files of this process are
// known, so that a signal can remove them before the process ends.
import { closeSync, constants, fstatSync, lstatSync, openSync, promises as fs, rmSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { decodeText, describe, FileError, isAbsent, isOpenedAt, readOpened, realPathOf, tooLarge, MAX_FILE_BYTES, type Boundary } from "./files.js";

const TMP_MARK = ".nixgen-migrate-";

/** Temp files this process has created and not yet renamed or removed. */
const ownTemps = new Set<string>();

/** Removes this process's temp files (a signal handler calls this: synchronous, never throws). */
export function removeOwnTemps(): number {
  let n = 0;
  for (const t of ownTemps) {
    try {
      rmSync(t, { force: true });
      n++;
    } catch {
      // nothing more can be done on the way out
    }
  }
  ownTemps.clear();
  return n;
}

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

/** What to replace: a named file's link is followed; any other path must really be inside the boundary. */
async function targetOf(path: string, abs: string, boundary: Boundary | null): Promise<string> {
  if (boundary === null) {
    try {
      return lstatSync(abs).isSymbolicLink() ? await fs.realpath(abs) : abs;
    } catch (e) {
      if (isAbsent(e)) return abs;
      throw new FileError(path, describe(e as NodeJS.ErrnoException));
    }
  }
  const real = realPathOf(path, abs) ?? join(realPathOf(path, dirname(abs)) ?? dirname(abs), basename(abs));
  if (!boundary.contains(real)) throw boundary.outside(path, real, "written");
  return real;
}

/**
 * The file as it is now, opened without following a link: it must still be
 * `expected`, a regular file with one link. Returns its stat (mode, owner).
 */
function checkCurrent(path: string, target: string, expected: string, boundary: Boundary | null): Stats {
  let fd: number | undefined;
  try {
    fd = openSync(target, constants.O_RDONLY | constants.O_NONBLOCK | (boundary ? constants.O_NOFOLLOW : 0));
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileError(path, "is not a regular file any more; not written");
    if (st.size > MAX_FILE_BYTES) throw tooLarge(path, st.size);
    if (boundary && !isOpenedAt(fd, target, st)) throw new FileError(path, "was replaced while it was migrated; not written (run again)");
    if (decodeText(path, readOpened(path, fd, st.size)) !== expected) throw new FileError(path, "changed on disk while it was being migrated; not written (run again)");
    if (st.nlink > 1) {
      throw new FileError(
        path,
        `has ${st.nlink} hard links, which replacing it would break; not written: apply the diff to it instead (\`nixgen-migrate -- FILE | git apply\`), or break the link first (\`cp FILE FILE.new && mv FILE.new FILE\`)`,
      );
    }
    return st;
  } catch (e) {
    if (e instanceof FileError) throw e;
    if ((e as NodeJS.ErrnoException).code === "ELOOP") throw new FileError(path, "became a symbolic link while it was migrated; not written (run again)");
    throw new FileError(path, describe(e as NodeJS.ErrnoException));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `text` to `path` atomically. `expected` is what was read (undefined:
 * a new file): if the file changed since, nothing is written. `boundary` null:
 * the path was named on the command line (a symlink's target is written).
 */
export async function writeFileAtomic(path: string, abs: string, text: string, expected: string | undefined, boundary: Boundary | null): Promise<void> {
  const target = await targetOf(path, abs, boundary);
  const dir = dirname(target);
  const name = basename(target);
  await cleanStaleTemps(dir, name);
  const st = expected === undefined ? undefined : checkCurrent(path, target, expected, boundary);
  const mode = st ? st.mode & 0o7777 : 0o644;
  const tmp = join(dir, `.${name}${TMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    // O_EXCL: never through a link or over another file
    handle = await fs.open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
    ownTemps.add(tmp);
    if (boundary && !isOpenedAt(handle.fd, tmp, await handle.stat())) throw new FileError(path, "its directory was replaced while it was written; not written (run again)");
    await handle.writeFile(text, "utf8");
    // open() applied the umask; set the original mode exactly when that changed it
    if ((mode & ~umask()) !== mode) await handle.chmod(mode);
    if (st) await keepOwner(path, handle, st);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, target);
    ownTemps.delete(tmp);
  } catch (e) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    ownTemps.delete(tmp);
    if (e instanceof FileError) throw e;
    throw new FileError(path, `cannot be written: ${describe(e as NodeJS.ErrnoException)}`);
  }
}

/** The new file gets the old one's owner and group (a root run on someone else's file must not make it root's). */
async function keepOwner(path: string, handle: fs.FileHandle, st: Stats): Promise<void> {
  const uid = process.geteuid?.();
  const gid = process.getegid?.();
  if (uid === undefined || gid === undefined || (st.uid === uid && st.gid === gid)) return;
  try {
    await handle.chown(st.uid, st.gid);
  } catch (e) {
    throw new FileError(path, `belongs to user ${st.uid}, group ${st.gid}, which the new file cannot keep (${describe(e as NodeJS.ErrnoException)}); not written`);
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
