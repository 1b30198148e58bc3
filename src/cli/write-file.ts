// Atomic writes: a temp file in the same directory (same mode, owner and
// group as the original), fsync, then rename over it; many files at once are
// written, synced together, then renamed (write.ts). What is replaced is
// checked first, from an open descriptor: it is still the text that was read,
// a regular file, and has one link (a rename would break a hard link: such a
// file is reported, not written). A file named on the command line that is a
// symlink has its target written (documented); any other path is written only
// at its real path inside the repository. Temp files of this process are
// known, so that a signal can remove them before the process ends.
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, fsync, lstatSync, openSync, readdirSync, realpathSync, renameSync, rmSync, writeSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { nixgenMigrateCommand, shellWord } from "../report/escape.js";
import { decodeText, describe, FileError, isAbsent, isOpenedAt, openInside, readOpened, realPathOf, tooLarge, MAX_FILE_BYTES, type Boundary, type Opened } from "./files.js";

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

/** Directories whose stale temp files this run has removed already. */
const cleaned = new Set<string>();

/** Temp files of runs that were killed (their pid is gone) are removed (a directory is listed once per run). */
function cleanStaleTemps(dir: string, name: string) {
  const key = `${dir}\0${name}`;
  if (cleaned.has(key)) return;
  cleaned.add(key);
  let names: string[];
  try {
    names = listing(dir);
  } catch {
    return;
  }
  const prefix = `.${name}${TMP_MARK}`;
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith(".tmp")) continue;
    const pid = Number(n.slice(prefix.length).split("-")[0]);
    if (pid && pid !== process.pid && isAlive(pid)) continue;
    rmSync(join(dir, n), { force: true });
  }
}

const listings = new Map<string, string[]>();
function listing(dir: string): string[] {
  let l = listings.get(dir);
  if (!l) listings.set(dir, (l = readdirSync(dir)));
  return l;
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
function targetOf(path: string, abs: string, boundary: Boundary | null): string {
  if (boundary === null) {
    try {
      return lstatSync(abs).isSymbolicLink() ? realpathSync.native(abs) : abs;
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
 * The file as it is now, opened without following a link (a named file: at
 * `target`, its link followed; any other: where it really is, inside the
 * boundary): it must still be `expected`, a regular file with one link.
 * Returns where it is and its stat (mode, owner).
 */
function checkCurrent(path: string, abs: string, expected: string, boundary: Boundary | null): { target: string; st: Stats } {
  let opened: Opened | null;
  try {
    if (boundary) opened = openInside(path, abs, boundary, "written");
    else {
      const target = targetOf(path, abs, null);
      const fd = openSync(target, constants.O_RDONLY | constants.O_NONBLOCK);
      opened = { fd, real: target, st: fstatSync(fd) };
    }
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(path, describe(e as NodeJS.ErrnoException));
  }
  if (!opened) throw new FileError(path, "was deleted while it was being migrated; not written (run again)");
  const { fd, real, st } = opened;
  try {
    if (!st.isFile()) throw new FileError(path, "is not a regular file any more; not written");
    if (st.size > MAX_FILE_BYTES) throw tooLarge(path, st.size);
    if (decodeText(path, readOpened(path, fd, st.size)) !== expected) throw new FileError(path, "changed on disk while it was being migrated; not written (run again)");
    if (st.nlink > 1) {
      throw new FileError(
        path,
        `has ${st.nlink} hard links, which replacing it would break; not written: make the change by hand (\`${nixgenMigrateCommand("", path)}\` shows it), or make it a file of its own first (\`cp ${shellWord(path)} ${shellWord(path + ".new")} && mv ${shellWord(path + ".new")} ${shellWord(path)}\`) and run again`,
      );
    }
    return { target: real, st };
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(path, describe(e as NodeJS.ErrnoException));
  } finally {
    closeSync(fd);
  }
}

/** A migrated file in its temp file, written but not yet synced and renamed into place. */
export interface PreparedWrite {
  readonly path: string;
  readonly tmp: string;
  readonly target: string;
  fd: number | undefined;
}

/**
 * Writes `text` to a temp file beside what `path` leads to (same mode, owner
 * and group), after checking that file: `expected` is what was read (undefined:
 * a new file); if the file changed since, nothing is written. `boundary` null:
 * the path was named on the command line (a symlink's target is written).
 * Synchronous system calls: a run writes at its end, with nothing else to do
 * meanwhile. Then syncWrites and commitWrite (or abandonWrite).
 */
export function prepareWrite(path: string, abs: string, text: string, expected: string | undefined, boundary: Boundary | null): PreparedWrite {
  const current = expected === undefined ? undefined : checkCurrent(path, abs, expected, boundary);
  const target = current ? current.target : targetOf(path, abs, boundary);
  const st = current?.st;
  const dir = dirname(target);
  const name = basename(target);
  cleanStaleTemps(dir, name);
  const mode = st ? st.mode & 0o7777 : 0o644;
  const w: PreparedWrite = { path, tmp: join(dir, `.${name}${TMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`), target, fd: undefined };
  try {
    // O_EXCL: never through a link or over another file
    w.fd = openSync(w.tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
    ownTemps.add(w.tmp);
    if (boundary && !isOpenedAt(w.fd, w.tmp, fstatSync(w.fd))) throw new FileError(path, "its directory was replaced while it was written; not written (run again)");
    const bytes = Buffer.from(text, "utf8");
    for (let n = 0; n < bytes.length; ) n += writeSync(w.fd, bytes, n, bytes.length - n);
    // open() applied the umask; set the original mode exactly when that changed it
    if ((mode & ~umask()) !== mode) fchmodSync(w.fd, mode);
    if (st) keepOwner(path, w.fd, st);
    return w;
  } catch (e) {
    abandonWrite(w);
    if (e instanceof FileError) throw e;
    throw new FileError(path, `cannot be written: ${describe(e as NodeJS.ErrnoException)}`);
  }
}

/**
 * fsyncs the temp files, all at once: the file system commits them together
 * (measured: 400 fsyncs of just-written files in ~0.1 s, one at a time ~5 ms
 * each). The error of each, or null.
 */
export function syncWrites(writes: readonly PreparedWrite[]): Promise<(FileError | null)[]> {
  return Promise.all(
    writes.map(
      (w) => new Promise<FileError | null>((done) => fsync(w.fd!, (e) => done(e ? new FileError(w.path, `cannot be written: ${describe(e)}`) : null))),
    ),
  );
}

/** The synced temp file replaces the file. */
export function commitWrite(w: PreparedWrite): void {
  try {
    closeSync(w.fd!);
    w.fd = undefined;
    renameSync(w.tmp, w.target);
    ownTemps.delete(w.tmp);
  } catch (e) {
    abandonWrite(w);
    throw new FileError(w.path, `cannot be written: ${describe(e as NodeJS.ErrnoException)}`);
  }
}

/** The temp file goes; the file stays as it was. */
export function abandonWrite(w: PreparedWrite): void {
  if (w.fd !== undefined) closeSync(w.fd);
  w.fd = undefined;
  rmSync(w.tmp, { force: true });
  ownTemps.delete(w.tmp);
}

/** Writes one file atomically: prepareWrite, fsync, rename. */
export async function writeFileAtomic(path: string, abs: string, text: string, expected: string | undefined, boundary: Boundary | null): Promise<void> {
  const w = prepareWrite(path, abs, text, expected, boundary);
  const [error] = await syncWrites([w]);
  if (error) {
    abandonWrite(w);
    throw error;
  }
  commitWrite(w);
}

/** The new file gets the old one's owner and group (a root run on someone else's file must not make it root's). */
function keepOwner(path: string, fd: number, st: Stats): void {
  const uid = process.geteuid?.();
  const gid = process.getegid?.();
  if (uid === undefined || gid === undefined || (st.uid === uid && st.gid === gid)) return;
  try {
    fchownSync(fd, st.uid, st.gid);
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
