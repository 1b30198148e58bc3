// Files reached from a file through relative path literals: where a path
// leads (inside the project only; a directory means its default.nix), and
// every file reachable that way (a superset of the module files, for checks
// that must not miss a file). The module walk (module-walk.ts) resolves
// module paths with the same function. Iterative; nothing is evaluated.
import type { SyntaxNode, ParsedNix } from "../parse.js";
import type { ProjectView } from "../types.js";
import { dirname, joinPath } from "../paths.js";
import { descendants, textOf, unparen } from "./ast.js";

export interface ReachedFile {
  readonly path: string;
  readonly source: string;
  /**
   * Parsed on first use: the walk parses only files that can lead further (a
   * repository may have hundreds of files that nothing needs to look into).
   * May hold a syntax error when the walk did not parse it.
   */
  readonly parsed: ParsedNix;
}

export interface Reached {
  /** Breadth first from the start, each once. */
  readonly files: ReachedFile[];
  /** False when the walk stopped at its file limit with files left to read. */
  readonly complete: boolean;
}

/** A relative path literal (`./a.nix`, `../b`) resolved against `fromFile`, else null. */
export function relativePath(source: string, node: SyntaxNode, fromFile: string): string | null {
  const n = unparen(node);
  if (n.type !== "path_expression" || n.children.some((c) => c.type === "interpolation")) return null;
  const p = textOf(source, n);
  return isRelativePathText(p) ? joinPath(dirname(fromFile), p) : null;
}

/** Is this path text relative (`./a.nix`, `../b`, `.`, `..`)? */
export function isRelativePathText(p: string): boolean {
  return p.startsWith("./") || p.startsWith("../") || p === "." || p === "..";
}

/**
 * The file a path written in `fromFile` leads to (a directory means its default.nix), or why it
 * cannot be read: not relative, or outside the project.
 */
export function resolveFilePath(project: ProjectView, fromFile: string, pathText: string): { path: string } | { reason: string } {
  if (!isRelativePathText(pathText)) {
    return { reason: pathText.startsWith("/") ? "it is an absolute path outside the repository" : "the module path is not relative" };
  }
  const path = joinPath(dirname(fromFile), pathText);
  if (!project.inside(path)) return { reason: `${pathText} is outside the repository` };
  return { path: project.isDirectory(path) ? joinPath(path, "default.nix") : path };
}

/**
 * Every `.nix` file reachable through relative path literals anywhere in the
 * file and, recursively, in the files reached (`import ./lib { … }`,
 * `modules = [ ./host.nix ]`, `imports`): a superset of the module files.
 * At most `limit` files are read; `complete` says whether that was all.
 */
export function reachableFiles(source: string, root: SyntaxNode, fromFile: string, project: ProjectView, limit = 1000): Reached {
  // the files the relative path literals of a file lead to (inside the project)
  const paths = (src: string, node: SyntaxNode, from: string) => {
    const out: string[] = [];
    for (const n of descendants(node)) {
      if (n.type !== "path_expression" || n.children.some((c) => c.type === "interpolation")) continue;
      const target = resolveFilePath(project, from, textOf(src, n));
      if ("path" in target) out.push(target.path);
    }
    return out;
  };
  const out: ReachedFile[] = [];
  const seen = new Set<string>();
  const queue = paths(source, root, fromFile);
  for (let i = 0; i < queue.length; i++) {
    const p = queue[i]!;
    if (seen.has(p) || !p.endsWith(".nix")) continue;
    if (out.length >= limit) return { files: out, complete: false };
    seen.add(p);
    const text = project.read(p);
    if (text === undefined) continue;
    // a relative path literal contains `./` (`../a.nix` too): a file without one leads nowhere
    if (!text.includes("./")) {
      const path = p;
      out.push({ path, source: text, get parsed() { return project.parse(path)!; } });
      continue;
    }
    const parsed = project.parse(p);
    if (!parsed || parsed.error) continue;
    out.push({ path: p, source: text, parsed });
    queue.push(...paths(parsed.source, parsed.root, p));
  }
  return { files: out, complete: true };
}
