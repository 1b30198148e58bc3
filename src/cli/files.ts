// Reading files for the CLI: regular files only, with a size bound, strict
// UTF-8; and the repository boundary. A file named on the command line is read
// where it leads (a symlink is followed, as documented); any other path (a
// module a flake imports, flake.lock, a walked file) is resolved and read only
// when its real path is inside the repository, from a descriptor that is
// checked to be that file (no window to swap in a link between check and read).
// Decoding (strict UTF-8, binary detection) is pure and lives in ../decode.ts.
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readlinkSync, readSync, realpathSync, statSync, type Stats } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export { FileError, decodeText } from "../decode.js";
import { FileError, decodeText } from "../decode.js";

/**
 * Files larger than this are not read: no Nix file comes near it (nixpkgs' largest
 * is a few MB), and a string of hundreds of MB costs gigabytes to parse.
 */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

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

/** No such file, or a directory on its path is not one: the file is absent (not an error). */
export const isAbsent = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
};

export function sizeText(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

export const tooLarge = (path: string, size: number) =>
  new FileError(path, `is ${sizeText(size)}, more than the ${MAX_FILE_BYTES / (1024 * 1024)} MB nixgen-migrate reads; not read`);

/** A text read by someone else (jscodeshift): the checks decodeText and the size bound make of bytes. */
export function checkText(path: string, text: string): string {
  if (text.length > MAX_FILE_BYTES) throw tooLarge(path, text.length);
  if (text.slice(0, 8192).includes("\0")) throw new FileError(path, "is a binary file (it contains NUL bytes); not a Nix file");
  return text;
}

/** Checks an open descriptor: a regular file within the size bound. */
function checkOpened(path: string, st: Stats): void {
  if (st.isDirectory()) throw new FileError(path, "is a directory");
  if (!st.isFile()) throw new FileError(path, "is not a regular file (a FIFO, socket or device); not read");
  if (st.size > MAX_FILE_BYTES) throw tooLarge(path, st.size);
}

/** Reads an open regular file of `size` bytes; a file that grew meanwhile is refused, not read without end. */
export function readOpened(path: string, fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size + 1);
  let n = 0;
  for (;;) {
    const r = readSync(fd, buf, n, buf.length - n, null);
    if (r === 0) break;
    n += r;
    if (n > size) throw new FileError(path, "grew while it was read; not read (run again)");
  }
  return buf.subarray(0, n);
}

/**
 * Reads a file named on the command line (a symlink is followed) as strict
 * UTF-8. Anything but a regular file is refused without blocking: reading a
 * named FIFO would wait for a writer forever (it is opened non-blocking and
 * checked with fstat before anything is read).
 */
export function readTextFileSync(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    checkOpened(path, st);
    return decodeText(path, readOpened(path, fd, st.size));
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(path, describe(e as NodeJS.ErrnoException));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Where an open file really is: the kernel's name for the descriptor (Linux), else null. */
function procPath(fd: number): string | null {
  if (process.platform !== "linux") return null;
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/**
 * Is the open descriptor the file at `real` (a path without links)? Linux names
 * the descriptor's file; elsewhere the path is resolved again and its inode
 * compared with the descriptor's.
 */
export function isOpenedAt(fd: number, real: string, st: Stats): boolean {
  const named = procPath(fd);
  if (named !== null) return named === real;
  try {
    const now = lstatSync(real);
    return realpathSync.native(real) === real && now.ino === st.ino && now.dev === st.dev;
  } catch {
    return false;
  }
}

/** The repository roots a job may read and write below, as real paths. */
export class Boundary {
  constructor(readonly roots: readonly string[]) {}

  static of(dirs: Iterable<string>): Boundary {
    return new Boundary([...new Set([...dirs].map(realDir))]);
  }

  contains(real: string): boolean {
    return this.roots.some((r) => isInside(r, real));
  }

  /** The message for a path that leads out of the repository. */
  outside(path: string, real: string, what: "read" | "written"): FileError {
    return new FileError(path, `leads to ${real} through a symbolic link, outside the repository (${this.roots[0]}); not ${what}`);
  }
}

const realDirs = new Map<string, string>();
/** A directory's real path (remembered; the directory itself when it cannot be resolved). */
export function realDir(dir: string): string {
  let r = realDirs.get(dir);
  if (r === undefined) {
    try {
      r = realpathSync.native(dir);
    } catch {
      r = dir;
    }
    realDirs.set(dir, r);
  }
  return r;
}

/** The real path of a path, or null when it does not exist; other failures throw FileError. */
export function realPathOf(path: string, abs: string): string | null {
  try {
    return realpathSync.native(abs);
  } catch (e) {
    if (isAbsent(e)) return null;
    throw new FileError(path, describe(e as NodeJS.ErrnoException));
  }
}

/** An open regular file, where it really is. */
export interface Opened {
  readonly fd: number;
  readonly real: string;
  readonly st: Stats;
}

const OPEN_NOFOLLOW = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;

/**
 * Opens a path the run did not get on the command line, only where it really
 * is inside the boundary: null when there is no such file; a FileError when it
 * leads out (through a link, its own or a directory's), is not a regular file,
 * is too large, or cannot be opened. The check is made on the open descriptor
 * (Linux names its file), so nothing can be swapped in between; elsewhere the
 * path is resolved first and the descriptor compared with it.
 */
export function openInside(path: string, abs: string, boundary: Boundary, what: "read" | "written"): Opened | null {
  let fd: number | undefined;
  try {
    let real: string | null = null;
    if (process.platform === "linux") {
      try {
        fd = openSync(abs, OPEN_NOFOLLOW);
      } catch (e) {
        // the last component is a link (inside or out): followed below, by its real path
        if ((e as NodeJS.ErrnoException).code !== "ELOOP") throw e;
      }
    }
    if (fd === undefined) {
      real = realPathOf(path, abs);
      if (real === null) return null;
      if (!boundary.contains(real)) throw boundary.outside(path, real, what);
      fd = openSync(real, OPEN_NOFOLLOW);
    }
    const st = fstatSync(fd);
    const named = procPath(fd);
    if (named !== null) real = named;
    else if (real === null || !isOpenedAt(fd, real, st)) throw new FileError(path, `was replaced while it was ${what === "read" ? "read" : "migrated"}; not ${what} (run again)`);
    if (!boundary.contains(real)) throw boundary.outside(path, real, what);
    checkOpened(path, st);
    return { fd, real, st };
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    if (e instanceof FileError) throw e;
    if (isAbsent(e)) return null;
    if ((e as NodeJS.ErrnoException).code === "ELOOP") throw new FileError(path, `became a symbolic link while it was ${what === "read" ? "read" : "migrated"}; not ${what} (run again)`);
    throw new FileError(path, describe(e as NodeJS.ErrnoException));
  }
}

/**
 * Reads a file the run did not get on the command line: undefined when there is
 * no such file; a FileError when it leads out of the repository, is not a
 * regular file, is too large, or cannot be read or decoded.
 */
export function readFileInside(path: string, abs: string, boundary: Boundary): string | undefined {
  const opened = openInside(path, abs, boundary, "read");
  if (!opened) return undefined;
  try {
    return decodeText(path, readOpened(path, opened.fd, opened.st.size));
  } finally {
    closeSync(opened.fd);
  }
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

/** The repository a file is in (gitRoot remembers it per directory), else its own directory. */
export function projectRootOf(abs: string): string {
  const d = dirname(abs);
  return gitRoot(d) ?? d;
}

export function isDirectory(path: string): boolean {
  try {
    // no exception for the common "does not exist" (module paths are probed)
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

export function isInside(root: string, path: string): boolean {
  const p = resolve(path);
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}
