// A flake without flake.lock has its inputs resolved by Nix at evaluation
// time, once per evaluation. --verify resolves them once, for the side before
// the migration (`nix flake metadata` on the wrapper), and gives the side after
// the same revisions as --override-input, so that a branch that moves between
// the two evaluations cannot pass for a difference the migration made.

export interface LockFile {
  readonly root: string;
  readonly nodes: Record<string, { inputs?: Record<string, string | string[]>; locked?: Record<string, string | number | boolean> }>;
}

/** The target's direct inputs in a wrapper's lock, as flake references of their locked revisions. */
export function pinsOf(metadata: { locks?: LockFile }): [string, string][] {
  const nodes = metadata.locks?.nodes ?? {};
  const target = nodes[metadata.locks?.root ?? "root"]?.inputs?.target;
  const inputs = typeof target === "string" ? (nodes[target]?.inputs ?? {}) : {};
  const out: [string, string][] = [];
  for (const [name, id] of Object.entries(inputs)) {
    if (typeof id !== "string") continue; // follows: pinned where it points
    const ref = lockedRef(nodes[id]?.locked);
    if (ref) out.push([name, ref]);
  }
  return out;
}

/** A locked input as a flake reference (the usual types; null for others, which are then not pinned). */
export function lockedRef(l: Record<string, string | number | boolean> | undefined): string | null {
  if (!l) return null;
  const q = (keys: string[]) => {
    const p = keys.filter((k) => l[k] !== undefined).map((k) => `${k}=${encodeURIComponent(String(l[k]))}`);
    return p.length ? `?${p.join("&")}` : "";
  };
  switch (l.type) {
    case "github":
    case "gitlab":
    case "sourcehut":
      return l.owner && l.repo && l.rev ? `${l.type}:${l.owner}/${l.repo}/${l.rev}${q(["narHash", "host"])}` : null;
    case "git":
      return typeof l.url === "string" && l.rev ? `git+${l.url}${q(["rev", "ref", "narHash", "submodules", "shallow"])}` : null;
    case "path":
      return typeof l.path === "string" ? `path:${l.path}${q(["narHash"])}` : null;
    case "tarball":
    case "file":
      return typeof l.url === "string" ? `${l.type === "file" ? "file+" : "tarball+"}${l.url}${l.url.includes("?") ? "" : q(["narHash"])}` : null;
    default:
      return null;
  }
}

