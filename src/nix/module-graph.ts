// The module files a NixOS configuration is made of, as far as the text shows:
// relative path literals in its `modules` list and, recursively, in the
// `imports` of those files (a directory means its default.nix). Only files
// inside the project are read; nothing is evaluated.
import type { SyntaxNode, ParsedNix } from "../parse.js";
import type { ProjectView } from "../types.js";
import { dirname, joinPath } from "../paths.js";
import { attrName, entries, field, fields, textOf, unparen } from "./ast.js";

export interface ModuleFile {
  readonly path: string;
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
  return p.startsWith("./") || p.startsWith("../") || p === "." || p === ".." ? joinPath(dirname(fromFile), p) : null;
}

/** The attrset a module file evaluates to (`{ … }`, `args: { … }`, through `let`). */
export function moduleBody(root: SyntaxNode): SyntaxNode | null {
  let n: SyntaxNode | null = field(root, "expression") ?? root;
  n = unparen(n);
  if (n.type === "function_expression") n = unparen(field(n, "body")!);
  while (n.type === "let_expression") n = unparen(field(n, "body")!);
  return n.type === "attrset_expression" || n.type === "rec_attrset_expression" ? n : null;
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
 * Files reached from module expressions (the elements of a `modules` list, or
 * an inline module's imports), breadth first, each once.
 */
export function moduleFiles(source: string, modules: SyntaxNode[], fromFile: string, project: ProjectView, limit = 500): ModuleFile[] {
  const out: ModuleFile[] = [];
  const seen = new Set<string>();
  const queue: string[] = [];
  const enqueue = (src: string, node: SyntaxNode, from: string) => {
    const n = unparen(node);
    const p = relativePath(src, n, from);
    if (p) {
      queue.push(p);
      return;
    }
    // an inline module: follow its imports
    const body = n.type === "attrset_expression" || n.type === "function_expression" ? moduleBody(n) : null;
    if (body) for (const i of importsOf(src, body)) enqueue(src, i, from);
  };
  for (const m of modules) enqueue(source, m, fromFile);
  while (queue.length && out.length < limit) {
    let p = queue.shift()!;
    if (!project.inside(p)) continue;
    if (project.isDirectory(p)) p = joinPath(p, "default.nix");
    if (seen.has(p) || !p.endsWith(".nix")) continue;
    seen.add(p);
    const parsed = project.parse(p);
    if (!parsed || parsed.error) continue;
    out.push({ path: p, parsed });
    const body = moduleBody(parsed.root);
    if (body) for (const i of importsOf(parsed.source, body)) enqueue(parsed.source, i, p);
  }
  return out;
}
