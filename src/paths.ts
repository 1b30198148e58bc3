// POSIX-style path arithmetic for the core (no node:path, so it runs in a browser).

export function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return p.slice(0, i);
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/** Joins and normalises (`a/./b/../c` -> `a/c`); keeps leading `..` of relative paths. */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((x) => x !== "").join("/");
  const absolute = joined.startsWith("/");
  const out: string[] = [];
  for (const seg of joined.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(seg);
  }
  const s = out.join("/");
  return absolute ? "/" + s : s || ".";
}

/** Is `p` equal to or below `root`? (both normalised, same kind) */
export function isWithin(root: string, p: string): boolean {
  if (root === "." || root === "") return !p.startsWith("../") && p !== ".." && !p.startsWith("/");
  return p === root || p.startsWith(root.endsWith("/") ? root : root + "/");
}
