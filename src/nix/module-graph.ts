// The module files a NixOS configuration is made of, as far as the text shows:
// relative path literals in its `modules` list and, recursively, in the
// `imports` of those files (a directory means its default.nix). Only files
// inside the project are read; nothing is evaluated.
import type { SyntaxNode, ParsedNix } from "../parse.js";
import type { ProjectView } from "../types.js";
import { dirname, joinPath } from "../paths.js";
import { attrName, descendants, entries, field, fields, moduleParts, textOf, unparen } from "./ast.js";

export interface ModuleFile {
  readonly path: string;
  readonly source: string;
  /**
   * Parsed on first use: the walk parses only files that can lead further (a
   * configuration may have hundreds of module files that nothing needs to
   * look into). May hold a syntax error when the walk did not parse it.
   */
  readonly parsed: ParsedNix;
}

/** Elements of a list literal (through parentheses and `++`; iterative: `[ a ] ++ [ b ] ++ …` may be 100k long). */
export function listElements(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [node];
  while (stack.length) {
    const n = unparen(stack.pop()!);
    if (n.type === "list_expression") {
      for (const e of fields(n, "element")) out.push(e);
    } else if (n.type === "binary_expression") {
      const op = n.children.find((c) => c.field === "operator");
      if (op?.type !== "++") continue;
      // left first
      stack.push(field(n, "right")!, field(n, "left")!);
    }
  }
  return out;
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

/** The attrset a module file evaluates to (`{ … }`, `args: { … }`, through `let`). */
export function moduleBody(root: SyntaxNode): SyntaxNode | null {
  return moduleParts(field(root, "expression") ?? root).body;
}

/** `imports = [ … ];` elements of a module body. */
export function importsOf(source: string, body: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const e of entries(body)) {
    if (e.type !== "binding") continue;
    const keys = fields(field(e, "attrpath")!, "attr").map((a) => attrName(source, a));
    if (keys.length === 1 && keys[0] === "imports") for (const i of listElements(field(e, "expression")!)) out.push(i);
  }
  return out;
}

/**
 * Every `.nix` file reachable through relative path literals anywhere in the
 * file and, recursively, in the files reached (`import ./lib { … }`,
 * `modules = [ ./host.nix ]`, `imports`): a superset of the module files.
 */
export function reachableFiles(source: string, root: SyntaxNode, fromFile: string, project: ProjectView, limit = 1000): ModuleFile[] {
  const paths = (src: string, node: SyntaxNode, from: string) => {
    const out: string[] = [];
    for (const n of descendants(node)) {
      const p = n.type === "path_expression" ? relativePath(src, n, from) : null;
      if (p) out.push(p);
    }
    return out;
  };
  // a relative path literal contains `./` (`../a.nix` too)
  return walkFiles(paths(source, root, fromFile), project, limit, (f) => paths(f.parsed.source, f.parsed.root, f.path), (text) => text.includes("./"));
}

/**
 * Breadth-first walk over files (a directory means its default.nix), each once, inside the project.
 * `mayLink(text)`: can the file lead to others? If not, it is returned without being parsed.
 */
function walkFiles(start: string[], project: ProjectView, limit: number, next: (f: ModuleFile) => string[], mayLink: (text: string) => boolean): ModuleFile[] {
  const out: ModuleFile[] = [];
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length && out.length < limit) {
    let p = queue.shift()!;
    if (!project.inside(p)) continue;
    if (project.isDirectory(p)) p = joinPath(p, "default.nix");
    if (seen.has(p) || !p.endsWith(".nix")) continue;
    seen.add(p);
    const source = project.read(p);
    if (source === undefined) continue;
    if (!mayLink(source)) {
      const path = p;
      out.push({ path, source, get parsed() { return project.parse(path)!; } });
      continue;
    }
    const parsed = project.parse(p);
    if (!parsed || parsed.error) continue;
    const file = { path: p, source, parsed };
    out.push(file);
    queue.push(...next(file));
  }
  return out;
}

/**
 * Files reached from module expressions (the elements of a `modules` list, or
 * an inline module's imports), breadth first, each once.
 */
export function moduleFiles(source: string, modules: SyntaxNode[], fromFile: string, project: ProjectView, limit = 500): ModuleFile[] {
  // module expressions -> file paths; an inline module contributes its imports
  const paths = (src: string, nodes: SyntaxNode[], from: string): string[] =>
    nodes.flatMap((node) => {
      const n = unparen(node);
      const p = relativePath(src, n, from);
      if (p) return [p];
      const body = n.type === "attrset_expression" || n.type === "function_expression" ? moduleParts(n).body : null;
      return body ? paths(src, importsOf(src, body), from) : [];
    });
  return walkFiles(paths(source, modules, fromFile), project, limit, (f) => {
    const body = moduleBody(f.parsed.root);
    return body ? paths(f.parsed.source, importsOf(f.parsed.source, body), f.path) : [];
  }, (text) => text.includes("imports"));
}
