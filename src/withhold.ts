// All or nothing per flake. A flake that is refused (a syntax error, an
// internal error, a file it needs that cannot be read) or halted by a pass
// (nixpkgs older than 25.05) is not migrated, and neither is anything that goes
// with it: the files its passes changed, the other given files whose nearest
// flake.nix it is, the files their passes changed, and any other flake whose
// passes changed one of those (its edits there would be lost). The reverse too:
// a file of the flake that mentions nixos-generators and cannot be migrated
// takes the flake with it, since the flake's migration (the input removed, the
// calls rewritten) could break what that file does. A file that does not
// mention nixos-generators only refuses itself.
//
// Everything here is by paths and texts (the nearest flake is the flake.nix in
// the deepest directory above a file): no Nix syntax. Whether a flake uses
// nixos-generators (FileState.usesGenerators) the engine tells.
import type { FileState, Refusal } from "./engine.js";
import type { Finding } from "./types.js";

export const isNixPath = (p: string) => p.endsWith(".nix");
export const isFlake = (p: string) => p === "flake.nix" || p.endsWith("/flake.nix");

/** A finding, and the primary whose pass gave it. */
export interface Kept {
  readonly owner: string;
  readonly finding: Finding;
}

/** A text that mentions nixos-generators (its calls, input, CLI, all-formats options). */
export const GENERATORS_MENTION = /nixosGenerate|nixos-generat|formatConfigs|config\.formats|formatAttr/;

type Report = (path: string, message: string) => void;

/** Why a file was refused, in a few words (for the findings of the files that go with it). */
function reasonOf(s: FileState): string | null {
  const r: Refusal | undefined = s.refused;
  if (r?.kind === "syntax" || r?.kind === "unparsed") return `a syntax error at ${r.at.line}:${r.at.column}`;
  if (r?.kind === "internal") return "an internal error";
  if (r?.kind === "unreadable") return r.message;
  if (r?.kind === "withheld") return r.reason ?? r.because;
  if (s.halted) return s.halted.rule ?? `stopped by ${s.halted.pass}`;
  return null;
}

/** Mentions nixos-generators, in a .nix file (a script's `nixos-generate` line breaks nothing the flake does). */
const mentionsGenerators = (path: string, s: FileState) => isNixPath(path) && GENERATORS_MENTION.test(s.original ?? "");

export const withhold = {
  /**
   * Before any pass: a file of a flake that has a syntax error and mentions
   * nixos-generators refuses the flake (so that none of its passes run), when
   * the flake mentions it too: a flake without the input has none to remove
   * (a repository's own test data beside its flake is not the flake's).
   */
  beforePasses(states: ReadonlyMap<string, FileState>, primaries: readonly string[], flakeOf: ReadonlyMap<string, string>, report: Report): void {
    for (const p of primaries) {
      const s = states.get(p)!;
      const flake = flakeOf.get(p);
      if (s.refused?.kind !== "syntax" || flake === undefined || !mentionsGenerators(p, s)) continue;
      const f = states.get(flake)!;
      if ((f.refused && f.refused.kind !== "withheld") || !f.usesGenerators?.()) continue;
      const because = `${p} has a syntax error at ${s.refused.at.line}:${s.refused.at.column}`;
      f.refused ??= { kind: "withheld", message: `not migrated: ${because}`, because: p, reason: because };
      report(
        flake,
        `not migrated: ${p}, a file of this flake that mentions nixos-generators, has a syntax error (at ${s.refused.at.line}:${s.refused.at.column}); ` +
          "migrating the flake without it could break what it does: fix it and run again",
      );
    }
  },

  /**
   * After the passes: every file that goes with a refused or halted one gets
   * its original text back and one finding that says why; the notes and
   * warnings about changes that were undone go (errors stay: they still hold).
   */
  settle(states: ReadonlyMap<string, FileState>, primaries: readonly string[], flakeOf: ReadonlyMap<string, string>, findings: Kept[], report: Report): Finding[] {
    const reached = reach(states, primaries, flakeOf);
    for (const [path, r] of reached) {
      const s = states.get(path)!;
      const changed = s.original !== undefined && s.original !== s.current;
      s.current = s.original ?? "";
      s.steps.length = 0;
      s.parsed = undefined;
      if (r.edge === "self") continue;
      const message = messageFor(s, r);
      if (s.primary && !s.refused) s.refused = { kind: "withheld", message, because: r.from };
      if (s.primary || changed) report(path, message);
    }
    if (reached.size === 0) return findings.map((k) => k.finding);
    return findings.filter((k) => k.finding.severity === "error" || !(reached.has(k.finding.path) || reached.has(k.owner))).map((k) => k.finding);
  },
};

interface Reached {
  /** The refused or halted file it started from. */
  readonly from: string;
  /** The file it was reached from (itself for `from`), and how. */
  readonly via: string;
  readonly edge: Edge;
  readonly reason: string;
}

/**
 * changed: `via`'s passes changed this file; changes: this file's passes changed `via`;
 * member: `via` is this file's flake; flake: `via` is a file of this flake that mentions nixos-generators.
 */
type Edge = "self" | "changed" | "changes" | "member" | "flake";

/** Every file that goes with a refused or halted primary, breadth first from those (in the order given). */
function reach(states: ReadonlyMap<string, FileState>, primaries: readonly string[], flakeOf: ReadonlyMap<string, string>): Map<string, Reached> {
  const out = new Map<string, Reached>();
  const queue: string[] = [];
  const add = (path: string, r: Reached) => {
    // a file that does not parse and never mentions nixos-generators is left as it is anyway, with its note
    if (out.has(path) || !states.has(path) || states.get(path)!.refused?.kind === "unparsed") return;
    out.set(path, r);
    queue.push(path);
  };
  for (const p of primaries) {
    const s = states.get(p)!;
    // a halted file that is not a flake (a pass stopped on it alone) keeps what it has
    // a file that does not parse and never mentions nixos-generators holds nothing the others need
    const reason = (s.refused && s.refused.kind !== "unparsed") || (s.halted && isFlake(p)) ? reasonOf(s) : null;
    if (reason !== null) add(p, { from: p, via: p, edge: "self", reason });
  }
  if (queue.length === 0) return out;
  const membersOf = new Map<string, string[]>();
  for (const [m, f] of flakeOf) push(membersOf, f, m);
  const touchedBy = new Map<string, string[]>();
  for (const [p, s] of states) for (const t of s.touched) push(touchedBy, t, p);
  for (let i = 0; i < queue.length; i++) {
    const x = queue[i]!;
    const { from, reason } = out.get(x)!;
    const s = states.get(x)!;
    const next = (edge: Edge) => (path: string) => add(path, { from, via: x, edge, reason });
    // a file that is both a member of the flake and changed by it is told about its flake
    if (isFlake(x)) membersOf.get(x)?.forEach(next("member"));
    else if (flakeOf.has(x) && mentionsGenerators(x, s) && states.get(flakeOf.get(x)!)!.usesGenerators?.()) next("flake")(flakeOf.get(x)!);
    s.touched.forEach(next("changed"));
    touchedBy.get(x)?.forEach(next("changes"));
  }
  return out;
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function messageFor(s: FileState, r: Reached): string {
  const { from, via, reason } = r;
  const why = via === from ? reason : `${from}: ${reason}`;
  switch (r.edge) {
    case "member":
      return `not migrated, because its flake ${via} was not (${why}); run again once it can be`;
    case "flake":
      return `not migrated, because ${via}, a file of this flake that mentions nixos-generators, was not (${why}); migrating the flake without it could break what it does`;
    case "changes":
      return via === from
        ? `not migrated: its migration changes ${via}, which was not migrated (${reason})`
        : `not migrated: its migration changes ${via}, which keeps its text (${why})`;
    default:
      return s.primary
        ? `not migrated: the migration of ${via}, which also changes this file, was not applied (${why})`
        : `left as it was: the migration of ${via}, which changes this file, was not applied (${why})`;
  }
}

/**
 * The flake each non-flake primary belongs to: the primary flake.nix in the
 * deepest directory above it (by path alone: `a/b/x.nix` -> `a/flake.nix` when
 * there is no `a/b/flake.nix`). Files above every flake belong to none.
 */
export function nearestFlakes(primaries: readonly string[]): Map<string, string> {
  const byDir = new Map<string, string>();
  for (const p of primaries) if (isFlake(p)) byDir.set(dirOf(p), p);
  const out = new Map<string, string>();
  if (byDir.size === 0) return out;
  for (const p of primaries) {
    if (isFlake(p)) continue;
    for (let d = dirOf(p); ; d = dirOf(d)) {
      const f = byDir.get(d);
      if (f !== undefined) {
        out.set(p, f);
        break;
      }
      // `..` is not below `.`: a file outside the working directory belongs to no flake inside it
      if (d === "." || d === "/" || d === ".." || d.endsWith("/..") || d === "") break;
    }
  }
  return out;
}

function dirOf(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : p.slice(0, i);
}
