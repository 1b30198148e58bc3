// The NixOS configurations a flake defines, as far as the text shows: a
// `nixosSystem { … }` call in flake.nix, or in a file the flake imports
// (`nixosConfigurations.h = import ./hosts/h.nix { inherit inputs; };`,
// `nixosConfigurations = import ./hosts { … };`), through let-bound names.
// Shared by the passes that follow a configuration's modules, so that they
// all see the same configurations.
import type { SyntaxNode } from "../parse.js";
import type { ProjectView } from "../types.js";
import { applyChain, attrName, attrsOf, entries, field, isAttrset, textOf, unparen } from "./ast.js";
import { resolveFilePath } from "./module-graph.js";
import { MODULE_ARG_ROOTS, nixosSystemArgs, walkFile, type WalkFile } from "./module-walk.js";
import { existingConfigurations, outputSets } from "./outputs.js";
import { analyzeFlake, type FlakeInfo } from "./flake.js";
import { outputsRoots } from "./refs.js";
import { dirname, joinPath } from "../paths.js";
import { resolveName, variableName } from "./scope.js";

/** A `nixosSystem { … }` call (or a function given `{ modules = …; … }`) and the file it is in. */
export interface FoundConfiguration {
  readonly file: WalkFile;
  readonly call: SyntaxNode;
  /** The call's argument set. */
  readonly args: SyntaxNode;
  /** The function's name when it is not nixosSystem itself (`mkHost { modules = …; }`): it may add modules of its own. */
  readonly helper: string | null;
}

/** A configuration found, or why it could not be (a clause: `it is built by a function call`). */
export type Resolved = FoundConfiguration | { readonly reason: string };

/** Files an `import` leads through at most (a file that imports itself). */
const MAX_IMPORTS = 8;

/**
 * What `expr` in `file` builds: a `nixosSystem { … }` call here, through let-bound names, or in the
 * file `import ./x.nix …` names (through its function and `let`).
 */
export function configurationOf(project: ProjectView, file: WalkFile, expr: SyntaxNode, imports = 0): Resolved {
  let n = unparen(expr);
  for (let names = 0; n.type === "variable_expression" && names < 16; names++) {
    const d = resolveName(file.src, n, variableName(file.src, n)!).definition;
    if (d?.kind !== "binding" || !d.value) break;
    n = unparen(d.value);
  }
  const args = nixosSystemArgs(file.src, n);
  if (args) return { file, call: n, args, helper: null };
  const helper = helperArgs(file.src, n);
  if (helper) return { file, call: n, ...helper };
  const target = importedFile(project, file, n, imports);
  if ("reason" in target) return target;
  return configurationOf(project, target.file, target.body, imports + 1);
}

/**
 * `nixosConfigurations.<name>` of a flake's outputs, each resolved; a definition in a `//` operand
 * further right wins, as in Nix. `nixosConfigurations = import ./hosts { … };` reads the set that file is.
 */
export function flakeConfigurations(project: ProjectView, file: WalkFile, outputsBody: SyntaxNode): Map<string, Resolved> {
  const out = new Map<string, Resolved>();
  for (const set of outputSets(file.src, outputsBody)) {
    for (const [name, { value }] of existingConfigurations(file.src, set)) if (!out.has(name)) out.set(name, configurationOf(project, file, value));
    for (const e of entries(set.set)) {
      const attrs = e.type === "binding" ? attrsOf(e) : [];
      const keys = attrs.map((a) => attrName(file.src, a));
      if (keys.length !== set.prefix.length + 1 || keys.at(-1) !== "nixosConfigurations" || !set.prefix.every((k, i) => keys[i] === k)) continue;
      const value = unparen(field(e, "expression")!);
      if (isAttrset(value)) continue; // existingConfigurations read it
      const target = importedFile(project, file, value, 0);
      if ("reason" in target) continue;
      let body = unparen(target.body);
      while (body.type === "let_expression") body = unparen(field(body, "body")!);
      if (!isAttrset(body)) continue;
      for (const [name, { value: v }] of existingConfigurations(target.file.src, { set: body, prefix: [] })) {
        if (!out.has(name)) out.set(name, configurationOf(project, target.file, v, 1));
      }
      for (const inner of entries(body)) {
        const ik = inner.type === "binding" ? attrsOf(inner) : [];
        const name = ik.length === 1 ? attrName(target.file.src, ik[0]!) : null;
        if (name !== null && !out.has(name)) out.set(name, configurationOf(project, target.file, field(inner, "expression")!, 1));
      }
    }
  }
  return out;
}

/** `import ./x.nix` or `import ./x.nix { … }`: the file and the expression it evaluates to (past its function and `let`). */
function importedFile(project: ProjectView, file: WalkFile, n: SyntaxNode, imports: number): { file: WalkFile; body: SyntaxNode } | { reason: string } {
  const { callee, args } = n.type === "apply_expression" ? applyChain(file.src, n) : { callee: null, args: [] as SyntaxNode[] };
  const target = callee === "import" && args.length >= 1 ? unparen(args[0]!) : null;
  if (!target || target.type !== "path_expression" || target.children.some((c) => c.type === "interpolation")) {
    return { reason: n.type === "apply_expression" ? "it is built by a function call this tool does not follow" : "it is not a `nixosSystem { … }` call" };
  }
  if (imports >= MAX_IMPORTS) return { reason: `it leads through more than ${MAX_IMPORTS} imports` };
  const where = resolveFilePath(project, file.path, textOf(file.src, target));
  if ("reason" in where) return where;
  const parsed = project.parse(where.path);
  if (!parsed) return { reason: `${textOf(file.src, target)} does not exist` };
  if (parsed.error) return { reason: `${where.path} does not parse` };
  const imported = walkFile(where.path, parsed.source, parsed.root, MODULE_ARG_ROOTS, false);
  let body = unparen(field(parsed.root, "expression") ?? parsed.root);
  // `import ./x.nix args`: the file is a function of the arguments
  for (let i = 1; i < args.length && body.type === "function_expression"; i++) body = unparen(field(body, "body")!);
  while (body.type === "let_expression") body = unparen(field(body, "body")!);
  return { file: imported, body };
}

/** `mkHost { modules = …; … }`: a function (not `import`) given an attrset literal with `modules`. */
function helperArgs(src: string, n: SyntaxNode): { args: SyntaxNode; helper: string } | null {
  if (n.type !== "apply_expression") return null;
  const { callee, args } = applyChain(src, n);
  const arg = args.length ? unparen(args[args.length - 1]!) : null;
  if (!callee || callee === "import" || !arg || arg.type !== "attrset_expression") return null;
  const hasModules = entries(arg).some((e) => e.type === "binding" && attrsOf(e).length === 1 && attrName(src, attrsOf(e)[0]!) === "modules");
  return hasModules ? { args: arg, helper: callee } : null;
}

/** A flake.nix as the module walk reads it: the file (its outputs' formals are the inputs) and its outputs. */
export interface FlakeFile {
  readonly file: WalkFile;
  readonly info: FlakeInfo;
  readonly outputsBody: SyntaxNode;
}

/**
 * The flake a file belongs to: the nearest flake.nix at or above it (a file named flake.nix is its own),
 * when it parses and has outputs. Null when there is none, or when the nearest one does not qualify.
 */
export function nearestFlake(project: ProjectView, path: string): FlakeFile | null {
  for (let dir = dirname(path), i = 0; i < 64; i++) {
    const candidate = joinPath(dir, "flake.nix");
    if (project.inside(candidate) && project.read(candidate) !== undefined) {
      const parsed = project.parse(candidate);
      const info = parsed && !parsed.error ? analyzeFlake(parsed.source, parsed.root) : null;
      if (!parsed || !info?.outputs) return null;
      return { file: walkFile(candidate, parsed.source, parsed.root, outputsRoots(info.outputs.fn), true), info, outputsBody: info.outputs.body };
    }
    const up = dirname(dir);
    if (up === dir || dir === ".") break;
    dir = up;
  }
  return null;
}
