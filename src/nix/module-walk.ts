// The modules of NixOS configurations, as far as the text shows: the one walk
// every pass that follows modules uses, so they all see the same module set.
//
// From a configuration's `modules = …` it follows list literals (through `++`,
// let-bound names, `lib.optional(s)`, `if`), module expressions (inline sets
// and functions, relative paths and `./. + "/x.nix"`, `import`, let-bound and
// inherited names, the flake's own `self.nixosModules.<x>`) and, in each
// module, its `imports`. Only files inside the project are read; nothing is
// evaluated. The walk keeps its own stack (a chain of thousands of module
// files is walked like a short one) and never turns a failure into a missing
// file: an exception from the host goes up.
//
// What it hands back, as data: the units (a module file or an inline module
// expression) with the configurations using each; the sites it could not
// follow, with the reason; the nixpkgs modules and the flake inputs' modules
// it met (which a pass may act on: image modules, nixos-generators' modules).
import type { SyntaxNode } from "../parse.js";
import type { ProjectView } from "../types.js";
import { joinPath } from "../paths.js";
import { applyChain, attrName, attrpathKeys, attrsOf, calleeName, entries, field, fields, inheritedNames, isAttrset, named, operatorOf, stringValue, textOf, unparen } from "./ast.js";
import { stringRanges } from "./layout.js";
import { resolveFilePath } from "./module-graph.js";
import { outputSets } from "./outputs.js";
import { throughSelf } from "./generators.js";
import { evalName, evalRef, type InputRef, type RefRoots } from "./refs.js";
import { resolveName, variableName, type Definition } from "./scope.js";

/** A parsed file the walk looked into. */
export interface WalkFile {
  readonly path: string;
  readonly src: string;
  readonly root: SyntaxNode;
  /** How references to inputs resolve here (flake: the outputs' formals; module file: module arguments). */
  readonly roots: RefRoots;
  readonly isFlake: boolean;
  /** Ranges of string literals (found on first use). */
  readonly strings: readonly { start: number; end: number }[];
}

/** What the walk needs of a configuration: the `nixosSystem { … }` argument set and the file holding it. */
export interface Configuration {
  readonly file: WalkFile;
  readonly args: SyntaxNode;
}

/** The attrset a module evaluates to; `full` when it has `config`/`options` (definitions are under `config`). */
export interface ModuleShape {
  readonly set: SyntaxNode;
  readonly full: boolean;
}

/** One module (a file, or an inline module expression) and the configurations that use it. */
export interface ModuleUnit<C> {
  /** The file's path, or `path@offset` for an inline module. */
  readonly key: string;
  readonly file: WalkFile;
  readonly expr: SyntaxNode;
  readonly configs: Set<C>;
  /** The module's attrset (null: not a module shape the walk can read). */
  readonly shape: ModuleShape | null;
  /** Set when the module is an attrset element of exactly this configuration's own `modules = [ … ]`. */
  listOf: C | null;
}

/** A place the walk stopped at. */
export interface WalkSite<C> {
  readonly file: WalkFile;
  readonly node: SyntaxNode;
  readonly configs: Set<C>;
}

export interface UnfollowedSite<C> extends WalkSite<C> {
  /** Why, as a clause: `the module path is computed`. */
  readonly reason: string;
}

/** A module of nixpkgs itself (`"${modulesPath}/…"`, `<nixpkgs/nixos/…>`, `"${nixpkgs}/nixos/…"`). */
export interface NixpkgsModuleSite<C> extends WalkSite<C> {
  /** The element of the list it was found through (what a pass removes or wraps). */
  readonly element: SyntaxNode;
  /** Its path below `nixos/` (`modules/virtualisation/proxmox-image.nix`). */
  readonly path: string;
}

/** A module taken from a flake input (or from a module argument of a module file): `inputs.x.nixosModules.y`. */
export interface InputModuleSite<C> extends WalkSite<C> {
  readonly input: string;
  readonly path: readonly string[];
}

export interface ModuleWalk<C> {
  /** In the order the walk met them (depth first, in the order of the lists). */
  readonly units: Map<string, ModuleUnit<C>>;
  readonly unfollowed: Map<string, UnfollowedSite<C>>;
  readonly nixpkgsModules: Map<string, NixpkgsModuleSite<C>>;
  readonly inputModules: Map<string, InputModuleSite<C>>;
}

export interface WalkOptions {
  readonly project: ProjectView;
  /** The flake the configurations belong to (for `self.nixosModules.<x>`), if any. */
  readonly flake?: { readonly file: WalkFile; readonly outputsBody: SyntaxNode } | null;
  /**
   * Does a module file with this text matter to the caller? A file that imports nothing and does
   * not matter is neither parsed nor a unit (most module files of a large configuration).
   */
  readonly matters: (text: string) => boolean;
  /** Module files read per walk at most. */
  readonly fileLimit?: number;
}

/** Module files read per walk at most (a guard against pathological repositories). */
const MAX_FILES = 2000;
/** Indirections followed from one module expression (let names, `import`, `if` …). */
const MAX_DEPTH = 16;

/** Formals of a module file's function stand for module arguments (`inputs` is the flake's inputs). */
export const MODULE_ARG_ROOTS: RefRoots = {
  root: (def: Definition) => {
    if (def.kind !== "formal" && def.kind !== "param") return null;
    if (def.name === "inputs") return { input: null, path: [] };
    return { input: def.name, path: [] };
  },
};

/** A WalkFile; its string ranges (a walk over the whole tree) are found when first needed. */
export function walkFile(path: string, src: string, root: SyntaxNode, roots: RefRoots, isFlake: boolean): WalkFile {
  let strings: { start: number; end: number }[] | undefined;
  return { path, src, root, roots, isFlake, get strings() { return (strings ??= stringRanges(root)); } };
}

/** Work left on the walk's stack: a list to expand, or one module expression to follow. */
type Work =
  | { readonly kind: "list"; readonly file: WalkFile; readonly list: SyntaxNode; readonly ownList: SyntaxNode | null }
  | { readonly kind: "module"; readonly file: WalkFile; readonly element: SyntaxNode; readonly ownElement: SyntaxNode | null; readonly expr: SyntaxNode; readonly depth: number };

/** Walks the modules of every configuration, each configuration's module set once. */
export function walkModules<C extends Configuration>(configs: readonly C[], options: WalkOptions): ModuleWalk<C> {
  const walker = new Walker<C>(options);
  for (const c of configs) walker.walkConfiguration(c);
  return walker.result;
}

class Walker<C extends Configuration> {
  readonly result: ModuleWalk<C> = { units: new Map(), unfollowed: new Map(), nixpkgsModules: new Map(), inputModules: new Map() };
  private readonly files = new Map<string, WalkFile | null>();
  private readonly limit: number;

  constructor(private readonly options: WalkOptions) {
    this.limit = options.fileLimit ?? MAX_FILES;
    if (options.flake) this.files.set(options.flake.file.path, options.flake.file);
  }

  walkConfiguration(c: C) {
    const file = c.file;
    let modules: SyntaxNode | null = null;
    let listValue: SyntaxNode | null = null;
    for (const e of entries(c.args)) {
      if (e.type === "binding") {
        const keys = attrsOf(e);
        if (keys.length === 1 && attrName(file.src, keys[0]!) === "modules") modules = listValue = field(e, "expression");
      } else if (inheritedNames(file.src, e).some((x) => x.name === "modules")) {
        modules = e;
      }
    }
    if (!modules) return;
    let start: Work;
    if (modules.type === "inherit" || modules.type === "inherit_from") {
      const r = modules.type === "inherit_from" ? null : resolveName(file.src, modules, "modules").definition;
      const value = r?.kind === "binding" ? r.value : null;
      if (!value) {
        this.unfollow(file, modules, c, "the module list is not defined in this file");
        return;
      }
      start = { kind: "list", file, list: value, ownList: null };
    } else {
      const own = unparen(listValue!);
      start = { kind: "list", file, list: listValue!, ownList: own.type === "list_expression" ? own : null };
    }
    const visited = new Set<string>();
    const stack: Work[] = [start];
    while (stack.length) {
      const w = stack.pop()!;
      const next = w.kind === "list" ? this.expandList(w, c) : this.followModule(w, c, visited);
      // depth first, in list order
      for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!);
    }
  }

  private expandList(w: Work & { kind: "list" }, c: C): Work[] {
    return this.listElements(w.file, w.list, c).map((el) => ({
      kind: "module", file: w.file, element: el, ownElement: w.ownList && el.parent === w.ownList ? el : null, expr: el, depth: 0,
    }));
  }

  /**
   * The module expressions of a list (through `++`, let names, `lib.optionals`, `if`), in order. Iterative:
   * `[ a ] ++ [ b ] ++ …` may be long. Only names count against MAX_DEPTH (a list defined through itself).
   */
  private listElements(file: WalkFile, expr: SyntaxNode, c: C): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    const stack: { node: SyntaxNode; depth: number }[] = [{ node: expr, depth: 0 }];
    while (stack.length) {
      const { node, depth } = stack.pop()!;
      const n = unparen(node);
      // the parts of a list, pushed last first so that they come out in order
      const parts = (...xs: SyntaxNode[]) => {
        for (let i = xs.length - 1; i >= 0; i--) stack.push({ node: xs[i]!, depth });
      };
      if (n.type === "list_expression") {
        out.push(...fields(n, "element"));
      } else if (n.type === "binary_expression" && operatorOf(n) === "++") {
        parts(field(n, "left")!, field(n, "right")!);
      } else if (n.type === "if_expression") {
        parts(field(n, "consequence")!, field(n, "alternative")!);
      } else if (n.type === "variable_expression") {
        const name = variableName(file.src, n)!;
        const d = resolveName(file.src, n, name).definition;
        if (d?.kind === "binding" && d.value && depth < MAX_DEPTH) stack.push({ node: d.value, depth: depth + 1 });
        else if (d?.kind === "binding" && d.value) this.unfollow(file, n, c, `\`${name}\` leads through more than ${MAX_DEPTH} names (is it defined through itself?)`);
        else this.unfollow(file, n, c, d ? `\`${name}\` is a function argument` : `\`${name}\` is not defined in this file`);
      } else {
        const { callee, args } = n.type === "apply_expression" ? applyChain(file.src, n) : { callee: null, args: [] };
        if (callee === "optionals" && args.length === 2) parts(args[1]!);
        else if (callee === "optional" && args.length === 2) out.push(args[1]!);
        else this.unfollow(file, n, c, "the module list is computed");
      }
    }
    return out;
  }

  /** Follows one module expression (`./a.nix`, `{ … }`, a let name, `import ./a.nix` …): the work it leads to. */
  private followModule(w: Work & { kind: "module" }, c: C, visited: Set<string>): Work[] {
    const { file, element, depth } = w;
    const src = file.src;
    const n = unparen(w.expr);
    if (depth > MAX_DEPTH) return this.unfollow(file, element, c, `it leads through more than ${MAX_DEPTH} names or imports (is it defined through itself?)`);
    const then = (expr: SyntaxNode, at: WalkFile = file, el: SyntaxNode = element): Work =>
      ({ kind: "module", file: at, element: el, ownElement: null, expr, depth: depth + 1 });
    switch (n.type) {
      case "attrset_expression":
      case "rec_attrset_expression":
      case "function_expression":
      case "let_expression":
      case "with_expression":
        return this.enterUnit(file, n, `${file.path}@${n.start}`, c, visited, w.ownElement && unparen(w.ownElement) === n && isAttrset(n) ? c : null);
      case "path_expression":
        if (n.children.some((x) => x.type === "interpolation")) return this.unfollow(file, n, c, "the path is computed");
        return this.enterFile(file, n, textOf(src, n), c, visited);
      case "binary_expression": {
        // ./. + "/hosts/a.nix"
        const l = unparen(field(n, "left")!);
        const rs = stringValue(src, field(n, "right"));
        if (operatorOf(n) === "+" && l.type === "path_expression" && !l.children.some((x) => x.type === "interpolation") && rs !== null) {
          return this.enterFile(file, n, textOf(src, l) + rs, c, visited);
        }
        // self + /nixos/profiles/x (inputs.self too): a path from the flake's root
        const r = unparen(field(n, "right")!);
        const tail = r.type === "path_expression" && !r.children.some((x) => x.type === "interpolation") ? textOf(src, r) : rs;
        const flake = this.options.flake;
        if (operatorOf(n) === "+" && flake && tail?.startsWith("/") && this.isFlakeSelf(file, l, c)) {
          return this.enterFile(file, n, "." + tail, c, visited, 0, flake.file);
        }
        break;
      }
      case "apply_expression": {
        const { callee, args } = applyChain(src, n);
        if (callee === "import" && args.length === 1) return [then(args[0]!)];
        // `import ./m.nix flakeContext`: the module is what the file's function returns
        const path = callee === "import" ? unparen(args[0]!) : null;
        if (path?.type === "path_expression" && !path.children.some((x) => x.type === "interpolation")) {
          return this.enterFile(file, n, textOf(src, path), c, visited, args.length - 1);
        }
        return this.unfollow(file, n, c, "it is the result of a function call");
      }
      case "variable_expression":
      case "select_expression": {
        const name = n.type === "variable_expression" ? variableName(src, n) : null;
        if (name !== null) {
          const d = resolveName(src, n, name).definition;
          if (d?.kind === "binding" && d.value) return [then(d.value)];
          if (d?.kind === "inherit") {
            const outer = resolveName(src, d.scope, name).definition;
            if (outer?.kind === "binding" && outer.value) return [then(outer.value)];
          }
          // an argument of an inner function (`mkImage = host: …`), not of the file's module function or outputs
          if ((d?.kind === "formal" || d?.kind === "param") && d.scope !== outermostFunction(file) && !(file.isFlake && evalRef(src, n, file.roots))) {
            return this.unfollow(file, n, c, `\`${name}\` is a function argument`);
          }
        }
        // `self.inputs.x…` is input x
        const ref = throughSelf(evalRef(src, n, file.roots));
        if (ref && ref.input !== null) {
          if (ref.input === "self" && ref.path[0] === "nixosModules" && ref.path.length === 2) {
            // `self` (or `inputs.self`) is the flake's in flake.nix and in the file that builds the configuration
            // (a flake-parts module, a file the flake imports with its inputs); in a module file only when the
            // configuration passes it so
            const own = file.isFlake || file.path === c.file.path ? ref : throughSelf(evalRef(src, n, this.passedArgs(c)));
            const value = own?.input === "self" ? this.ownNixosModule(ref.path[1]!) : null;
            // (into flake.nix: what a pass may remove there is the module's definition, not the reference)
            if (value) return [file.isFlake ? then(value) : then(value, this.options.flake!.file, value)];
          }
          this.inputModule(file, n, c, ref.input, ref.path);
          return [];
        }
        if (ref && ref.input === null) return this.unfollow(file, n, c, "it comes from the flake's inputs");
        return this.unfollow(file, n, c, name !== null ? `\`${name}\` is not a module defined in this file` : "it is not a module defined in this file");
      }
      case "string_expression":
      case "spath_expression":
        break;
      case "if_expression":
        return [then(field(n, "consequence")!), then(field(n, "alternative")!)];
    }
    const np = nixpkgsModulePath(src, n);
    if (np !== null) {
      this.nixpkgsModule(file, element, n, c, np);
      return [];
    }
    if (n.type === "spath_expression") return this.unfollow(file, n, c, "it is found through NIX_PATH, outside the repository");
    return this.unfollow(file, n, c, "the module path is computed");
  }

  private readonly passed = new Map<C, RefRoots>();
  /**
   * Module arguments of a module file as the configuration's `specialArgs` define them: `inherit self inputs;`,
   * `inputs = inputs;`, `specialArgs = inputs` (every input by its name). Anything else is unknown.
   */
  private passedArgs(c: C): RefRoots {
    let roots = this.passed.get(c);
    if (roots) return roots;
    const args = new Map<string, InputRef>();
    let all = false;
    const file = c.file;
    const add = (value: SyntaxNode) => {
      const v = unparen(value);
      if (v.type === "binary_expression" && operatorOf(v) === "//") {
        add(field(v, "left")!);
        add(field(v, "right")!);
        return;
      }
      if (isAttrset(v)) {
        for (const e of entries(v)) {
          if (e.type === "binding") {
            const keys = attrpathKeys(file.src, field(e, "attrpath"));
            const ref = keys?.length === 1 ? evalRef(file.src, field(e, "expression")!, file.roots) : null;
            if (ref) args.set(keys![0]!, ref);
            continue;
          }
          const from = e.type === "inherit_from" ? evalRef(file.src, field(e, "expression")!, file.roots) : null;
          for (const { name } of inheritedNames(file.src, e)) {
            const ref = e.type === "inherit" ? evalName(file.src, e, name, file.roots) : from && (from.input === null ? { input: name, path: [] } : { input: from.input, path: [...from.path, name] });
            if (ref) args.set(name, ref);
          }
        }
        return;
      }
      const ref = evalRef(file.src, v, file.roots);
      if (ref?.input === null && ref.path.length === 0) all = true;
    };
    for (const e of entries(c.args)) {
      if (e.type === "binding" && attrpathKeys(file.src, field(e, "attrpath"))?.join(".") === "specialArgs") add(field(e, "expression")!);
    }
    roots = {
      root: (def: Definition) => {
        if (def.kind !== "formal" && def.kind !== "param") return null;
        return args.get(def.name) ?? (all ? { input: def.name, path: [] } : null);
      },
    };
    this.passed.set(c, roots);
    return roots;
  }

  /** `self.nixosModules.<name>` defined in the flake's own outputs. */
  private ownNixosModule(name: string): SyntaxNode | null {
    const flake = this.options.flake;
    if (!flake) return null;
    const src = flake.file.src;
    for (const { set, prefix } of outputSets(src, flake.outputsBody)) {
      for (const e of entries(set)) {
        const path = e.type === "binding" ? attrpathKeys(src, field(e, "attrpath")) : null;
        // flake-parts: the outputs are under `flake.` of the module
        if (!path || !prefix.every((k, i) => path[i] === k)) continue;
        const keys = path.slice(prefix.length);
        const value = field(e, "expression");
        if (!value || keys[0] !== "nixosModules") continue;
        if (keys.length === 2 && keys[1] === name) return value;
        const v = unparen(value);
        if (keys.length === 1 && isAttrset(v)) {
          for (const inner of entries(v)) {
            if (inner.type !== "binding") continue;
            const ik = attrsOf(inner);
            if (ik.length === 1 && attrName(src, ik[0]!) === name) return field(inner, "expression");
          }
        }
      }
    }
    return null;
  }

  /** `self` (or `inputs.self`) here is the flake's: in flake.nix, in the configuration's own file, or passed so. */
  private isFlakeSelf(file: WalkFile, n: SyntaxNode, c: C): boolean {
    const own = file.isFlake || file.path === c.file.path ? evalRef(file.src, n, file.roots) : evalRef(file.src, n, this.passedArgs(c));
    return own?.input === "self" && own.path.length === 0;
  }

  /**
   * A module file (`applied`: the file is a function given that many arguments, whose result is the module;
   * `base`: the file the path is relative to, when not the one it is written in).
   */
  private enterFile(from: WalkFile, node: SyntaxNode, pathText: string, c: C, visited: Set<string>, applied = 0, base: WalkFile = from): Work[] {
    const project = this.options.project;
    const target = resolveFilePath(project, base.path, pathText);
    if ("reason" in target) return this.unfollow(from, node, c, target.reason);
    const path = target.path;
    // most module files import nothing and do not matter to the caller: not worth parsing
    const text = project.read(path);
    if (text !== undefined && path.endsWith(".nix") && !this.files.has(path) && !text.includes("import") && !this.options.matters(text)) return [];
    const file = this.load(path);
    if (file === "limit") return this.unfollow(from, node, c, `the walk reads at most ${this.limit} module files per flake`);
    if (!file) {
      // a file the host does not have (only flake.nix given, as in `migrate(text)`) is not reported:
      // Nix itself would fail on a missing module; only files that exist and do not parse are
      if (text === undefined) return [];
      return this.unfollow(from, node, c, "the file does not parse");
    }
    let expr = field(file.root, "expression");
    if (!expr) return [];
    for (let i = 0; i < applied; i++) {
      const fn = unparen(expr);
      if (fn.type !== "function_expression") return this.unfollow(from, node, c, `${pathText} is not a function of the arguments it is given here`);
      expr = field(fn, "body")!;
    }
    return this.enterUnit(file, expr, applied ? `${path}@${expr.start}` : path, c, visited, null);
  }

  private enterUnit(file: WalkFile, expr: SyntaxNode, key: string, c: C, visited: Set<string>, listOf: C | null): Work[] {
    let unit = this.result.units.get(key);
    if (!unit) {
      unit = { key, file, expr, configs: new Set(), shape: moduleShape(file.src, expr), listOf };
      this.result.units.set(key, unit);
    } else if (unit.listOf !== listOf) unit.listOf = null;
    unit.configs.add(c);
    if (visited.has(key)) return [];
    visited.add(key);
    const shape = unit.shape;
    if (!shape) return this.unfollow(file, expr, c, "it is not an attribute set or a module function");
    const out: Work[] = [];
    for (const e of entries(shape.set)) {
      if (e.type !== "binding") continue;
      const keys = attrsOf(e);
      if (keys.length !== 1 || attrName(file.src, keys[0]!) !== "imports") continue;
      const value = field(e, "expression");
      if (value) out.push({ kind: "list", file, list: value, ownList: null });
    }
    return out;
  }

  /** The parsed file (null: absent or does not parse), or "limit" when the walk has read as many files as it may. */
  private load(path: string): WalkFile | null | "limit" {
    const known = this.files.get(path);
    if (known !== undefined) return known;
    if (this.files.size > this.limit) return "limit";
    const parsed = path.endsWith(".nix") ? this.options.project.parse(path) : undefined;
    const out = parsed && !parsed.error ? walkFile(path, parsed.source, parsed.root, MODULE_ARG_ROOTS, false) : null;
    this.files.set(path, out);
    return out;
  }

  private unfollow(file: WalkFile, node: SyntaxNode, c: C, reason: string): Work[] {
    const key = `${file.path}@${node.start}`;
    const site = this.result.unfollowed.get(key);
    if (site) site.configs.add(c);
    else this.result.unfollowed.set(key, { file, node, configs: new Set([c]), reason });
    return [];
  }

  private nixpkgsModule(file: WalkFile, element: SyntaxNode, node: SyntaxNode, c: C, path: string) {
    const key = `${file.path}@${element.start}`;
    const site = this.result.nixpkgsModules.get(key);
    if (site) site.configs.add(c);
    else this.result.nixpkgsModules.set(key, { file, node, element, configs: new Set([c]), path });
  }

  private inputModule(file: WalkFile, node: SyntaxNode, c: C, input: string, path: readonly string[]) {
    const key = `${file.path}@${node.start}`;
    const site = this.result.inputModules.get(key);
    if (site) site.configs.add(c);
    else this.result.inputModules.set(key, { file, node, configs: new Set([c]), input, path });
  }
}

/** `{…}`, `args: {…}`, `{ lib, ... }: with lib; let … in {…}` -> the module's attrset; `full` when it has `config`/`options`. */
export function moduleShape(src: string, expr: SyntaxNode): ModuleShape | null {
  let n = unparen(expr);
  for (let i = 0; i < 16; i++) {
    if (n.type === "function_expression" || n.type === "let_expression" || n.type === "with_expression" || n.type === "assert_expression") {
      const body = field(n, "body");
      if (!body) return null;
      n = unparen(body);
      continue;
    }
    break;
  }
  if (!isAttrset(n)) return null;
  const full = entries(n).some((e) => {
    if (e.type !== "binding") return false;
    const first = attrsOf(e)[0];
    const k = first ? attrName(src, first) : null;
    return k === "config" || k === "options";
  });
  return { set: n, full };
}

/** Path below `nixos/` of a nixpkgs module expression (`"${modulesPath}/…"`, `modulesPath + "/…"`, `<nixpkgs/nixos/…>`, `"${nixpkgs}/nixos/…"`). */
export function nixpkgsModulePath(src: string, node: SyntaxNode): string | null {
  const n = unparen(node);
  let base: SyntaxNode | null = null;
  let rest: string | null = null;
  if (n.type === "spath_expression") {
    const t = textOf(src, n).slice(1, -1);
    if (!t.startsWith("nixpkgs/")) return null;
    rest = t.slice("nixpkgs".length);
  } else if (n.type === "string_expression") {
    const parts = n.children.filter((c) => c.type !== '"');
    if (parts.length < 2 || parts[0]!.type !== "interpolation" || parts.slice(1).some((p) => p.type !== "string_fragment")) return null;
    base = named(parts[0]!)[0] ?? null;
    rest = parts.slice(1).map((p) => textOf(src, p)).join("");
  } else if (n.type === "binary_expression" && operatorOf(n) === "+") {
    base = unparen(field(n, "left")!);
    rest = stringValue(src, field(n, "right"));
  }
  if (rest === null || !rest.startsWith("/")) return null;
  const isModulesPath = !!base && unparen(base).type === "variable_expression" && variableName(src, unparen(base)) === "modulesPath";
  if (isModulesPath) return joinPath("modules", rest.slice(1));
  if (rest.startsWith("/nixos/")) return joinPath(rest.slice("/nixos/".length));
  return null;
}

/** `X.lib.nixosSystem { … }` / `nixosSystem { … }`: its argument set, else null. */
export function nixosSystemArgs(src: string, value: SyntaxNode): SyntaxNode | null {
  const v = unparen(value);
  if (v.type !== "apply_expression") return null;
  const fn = field(v, "function")!;
  const arg = unparen(field(v, "argument")!);
  if (arg.type !== "attrset_expression") return null;
  if (calleeName(src, fn) !== "nixosSystem") return null;
  return arg;
}

/** The function a file evaluates to (a module's `{ config, ... }:`, a library's `{ inputs }:`), if any. */
function outermostFunction(file: WalkFile): SyntaxNode | null {
  const e = field(file.root, "expression");
  const n = e ? unparen(e) : null;
  return n?.type === "function_expression" ? n : null;
}
