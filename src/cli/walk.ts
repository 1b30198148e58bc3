// Expands the command line's paths into the files to look at.
//
// Files named on the command line are always processed (treefmt's rule), even
// when an ignore file excludes them. Directories are walked:
//   - `.git` and `node_modules` are never entered;
//   - symbolic links are never followed, neither to directories nor to files
//     (`result`, `result-*` and every other link): a walk cannot leave the
//     tree, and a file that is linked is processed once, under its real path
//     (name the link itself to process its target);
//   - `.gitignore` files apply like in git: the ones in the directories
//     between the repository root (nearest `.git` above) and the walked
//     directory, the ones found while walking (deeper files take precedence;
//     `!negation` works), and `.git/info/exclude`. `--no-gitignore` turns them
//     off. `--ignore-path FILE` adds ignore files in the same syntax, relative
//     to their own directory, taking precedence over everything else;
//   - a directory that is named explicitly is walked even when an ignore file
//     above it excludes it (those files then do not apply inside it).
// Only files whose name some pass may want (see `candidateName`) are returned.
import ignore, { type Ignore } from "ignore";
import { readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { describe, displayPath, gitRoot } from "./files.js";
import { join, resolve, sep, dirname } from "node:path";

export interface WalkOptions {
  readonly cwd: string;
  readonly gitignore: boolean;
  /** Extra ignore files (absolute or relative to cwd). */
  readonly ignorePaths: readonly string[];
  /** Is a file with this name (path relative to cwd, forward slashes) worth reading? */
  readonly candidateName: (path: string) => boolean;
  /** Called for each file the walk finds (not for files named explicitly), while walking. */
  readonly onWalked?: (entry: WalkEntry) => void;
}

export interface WalkEntry {
  /** Relative to cwd, forward slashes: what output shows. */
  readonly path: string;
  readonly abs: string;
  /** Named on the command line: processed whatever it contains. */
  readonly explicit: boolean;
}

export interface WalkResult {
  readonly entries: WalkEntry[];
  /** Paths that do not exist or cannot be read (one message each). */
  readonly errors: { path: string; message: string }[];
  /** Directories skipped because they hold a copy of nixos-generators (as shown: relative to cwd). */
  readonly vendored: string[];
}

/**
 * A copy of nixos-generators itself (vendored, a submodule, a fork): its
 * `nixos-generate.nix`, `format-module.nix` and `formats/`. Its README, checks
 * and formats are nixos-generators, not a use of it: nothing in it is migrated.
 */
function isGeneratorsCopy(list: readonly Dirent[]): boolean {
  const has = (name: string, dir: boolean) => list.some((e) => e.name === name && (dir ? e.isDirectory() : e.isFile()));
  return has("nixos-generate.nix", false) && has("format-module.nix", false) && has("formats", true);
}

interface Matcher {
  /** Directory the patterns are relative to (absolute, no trailing separator). */
  readonly base: string;
  readonly ig: Ignore;
}

const ignoreCase = process.platform === "darwin" || process.platform === "win32";

function matcher(base: string, text: string): Matcher {
  return { base, ig: ignore({ ignorecase: ignoreCase }).add(text) };
}

function readIgnoreFile(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** `abs` relative to `base` with forward slashes, or null when it is not below it. */
function below(base: string, abs: string): string | null {
  const prefix = base.endsWith(sep) ? base : base + sep;
  if (!abs.startsWith(prefix) || abs.length === prefix.length) return null;
  const rel = abs.slice(prefix.length);
  return sep === "/" ? rel : rel.split(sep).join("/");
}

type Verdict = { ignored: boolean; unignored: boolean };
type RuleTest = (ig: Ignore, rel: string) => Verdict;

/**
 * Tests a path against an ignore file's rules without re-testing its parent
 * directories: the walk never enters an ignored directory, so that is already
 * settled, and `Ignore.test` (which checks and caches every parent) costs 5-7x
 * more on a 20k-file tree. The rule matcher is internal to the `ignore`
 * package (bundled, so its version is fixed); a self-check at load falls back
 * to the public API if it ever changes shape.
 */
const testRules: RuleTest = (() => {
  const pub: RuleTest = (ig, rel) => ig.test(rel);
  try {
    const probe = ignore().add(["a/", "*.bak", "!keep.bak"]) as unknown as { _rules?: { test?: (p: string, mode: string) => Verdict } };
    const t = (p: string) => probe._rules!.test!(p, "regex");
    if (t("a/").ignored && !t("b/").ignored && t("x.bak").ignored && t("keep.bak").unignored && !t("a.nix").ignored) {
      return (ig, rel) => (ig as unknown as { _rules: { test: (p: string, mode: string) => Verdict } })._rules.test(rel, "regex");
    }
  } catch {
    // fall through
  }
  return pub;
})();

/** Is `abs` ignored? The deepest matcher that has an opinion wins. */
function ignored(matchers: readonly Matcher[], abs: string, isDir: boolean): boolean {
  for (let i = matchers.length - 1; i >= 0; i--) {
    const m = matchers[i]!;
    const rel = below(m.base, abs);
    if (rel === null) continue;
    const r = testRules(m.ig, isDir ? rel + "/" : rel);
    if (r.ignored) return true;
    if (r.unignored) return false;
  }
  return false;
}

export function walk(paths: readonly string[], options: WalkOptions): WalkResult {
  const entries: WalkEntry[] = [];
  const errors: { path: string; message: string }[] = [];
  const vendored: string[] = [];
  const seen = new Map<string, number>();
  const extra: Matcher[] = [];
  for (const f of options.ignorePaths) {
    const abs = resolve(options.cwd, f);
    const text = readIgnoreFile(abs);
    if (text === null) errors.push({ path: f, message: "cannot read this --ignore-path file" });
    else extra.push(matcher(dirname(abs), text));
  }
  const add = (abs: string, explicit: boolean, shown?: string) => {
    const at = seen.get(abs);
    if (at !== undefined) {
      if (explicit && !entries[at]!.explicit) entries[at] = { ...entries[at]!, explicit };
      return;
    }
    seen.set(abs, entries.length);
    const entry = { path: shown ?? displayPath(options.cwd, abs), abs, explicit };
    entries.push(entry);
    if (!explicit) options.onWalked?.(entry);
  };

  for (const p of paths) {
    const abs = resolve(options.cwd, p);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch (e) {
      errors.push({ path: p, message: describe(e as NodeJS.ErrnoException) });
      continue;
    }
    if (!isDir) {
      add(abs, true);
      continue;
    }
    // ignore files above the walked directory, up to the repository root
    const above: Matcher[] = [];
    if (options.gitignore) {
      const root = gitRoot(abs) ?? abs;
      const exclude = readIgnoreFile(join(root, ".git", "info", "exclude"));
      if (exclude) above.push(matcher(root, exclude));
      const chain: string[] = [];
      for (let d = abs; ; d = dirname(d)) {
        chain.unshift(d);
        if (d === root || dirname(d) === d) break;
      }
      for (const d of chain.slice(0, -1)) {
        const text = readIgnoreFile(join(d, ".gitignore"));
        if (text) above.push(matcher(d, text));
      }
      // named explicitly: files above that exclude it do not apply inside it
      for (let i = above.length - 1; i >= 0; i--) {
        const rel = below(above[i]!.base, abs);
        // the public test: the directory or one of its parents
        if (rel !== null && above[i]!.ig.test(rel + "/").ignored) above.splice(i, 1);
      }
    }
    walkDir(abs, above, extra, options, add, errors, vendored);
  }
  return { entries, errors, vendored };
}

/** `above`: ignore files above `root`; `extra`: --ignore-path files, tested last (highest precedence). */
function walkDir(
  root: string,
  above: Matcher[],
  extra: readonly Matcher[],
  options: WalkOptions,
  add: (abs: string, explicit: boolean, shown?: string) => void,
  errors: { path: string; message: string }[],
  vendored: string[],
) {
  const stack: { dir: string; shown: string; matchers: Matcher[] }[] = [{ dir: root, shown: displayPath(options.cwd, root), matchers: above }];
  while (stack.length) {
    const { dir, shown, matchers: inherited } = stack.pop()!;
    const prefix = shown === "." ? "" : shown + "/";
    let list;
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      errors.push({ path: displayPath(options.cwd, dir), message: `cannot read the directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    if (isGeneratorsCopy(list)) {
      vendored.push(shown);
      continue;
    }
    let matchers = inherited;
    if (options.gitignore && list.some((e) => e.name === ".gitignore" && !e.isDirectory())) {
      const text = readIgnoreFile(join(dir, ".gitignore"));
      if (text) matchers = [...inherited, matcher(dir, text)];
    }
    const all = extra.length ? [...matchers, ...extra] : matchers;
    const subdirs: { abs: string; name: string }[] = [];
    for (const e of list) {
      const name = e.name;
      if (e.isDirectory()) {
        if (name === ".git" || name === "node_modules") continue;
        const abs = dir + sep + name;
        if (all.length && ignored(all, abs, true)) continue;
        subdirs.push({ abs, name });
      } else if (e.isFile()) {
        if (name === ".git") continue;
        const path = prefix + name;
        if (!options.candidateName(path)) continue;
        const abs = dir + sep + name;
        if (all.length && ignored(all, abs, false)) continue;
        add(abs, false, path);
      }
      // symbolic links (including result, result-*), sockets, fifos …: skipped
    }
    // reverse so that the stack pops them in name order
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push({ dir: subdirs[i]!.abs, shown: prefix + subdirs[i]!.name, matchers });
  }
}
