/**
 * image-only-options: after migration, `nixosConfigurations.<h>` is the base
 * configuration and `images.<v>` extends it with `image.modules.<v>`. Options
 * that only an image variant declares (`proxmox.qemuConf.cores`,
 * `isoImage.*`, `sdImage.*` …, facts J) must therefore be defined inside
 * `image.modules.<v>`, or the configuration fails with
 * "The option `proxmox' does not exist".
 *
 * For every configuration whose images the flake builds, this pass walks its
 * modules (inline sets and functions, let-bound modules, relative paths and
 * their `imports`, inside the repository only; never through inputs, never by
 * evaluating) and:
 *  - moves each variant-only definition into `image.modules.<v>` for every
 *    variant that the configurations using the module build and that declares
 *    the option: in a module file in place, by prefixing its path
 *    (`image.modules.proxmox.proxmox.qemuConf.cores = 4;`, once per variant);
 *    in flake.nix as `image.modules.<v> = { … };` (merged into an existing
 *    `image.modules.<v> = { … }` of the configuration when there is one);
 *    names that no longer exist are renamed on the way;
 *  - removes direct imports of nixpkgs image modules that the variant imports
 *    itself (they switch `system.build.images` off, facts J rule 4), moves the
 *    ones that add more (installer profiles) into `image.modules.<v>.imports`,
 *    and flags the rest;
 *  - reports every module it could not follow.
 */
import { meta } from "./image-only-options.meta.js";
import { applyEdits, type TextEdit } from "../src/edits.js";
import type { SyntaxNode } from "../src/parse.js";
import type { PassContext, PassOutput, RawFinding, Transform } from "../src/types.js";
import { attrKey, attrName, attrpathKeys, calleeName, descendants, entries, field, fields, inheritedNames, isAttrset, named, outer, stringValue, textOf, unparen } from "../src/nix/ast.js";
import { analyzeFlake, generatorsInputs, type FlakeInfo } from "../src/nix/flake.js";
import { indentAt, reindent, removeRange, startsLine, stringRanges } from "../src/nix/layout.js";
import { existingConfigurations, outputSets } from "../src/nix/outputs.js";
import { evalRef, outputsRoots, type RefRoots } from "../src/nix/refs.js";
import { freeVariables, resolveName, variableName, type Definition } from "../src/nix/scope.js";
import { possibleStrings } from "../src/nix/values.js";
import { isRelativePathText } from "../src/nix/module-graph.js";
import { basename, dirname, joinPath } from "../src/paths.js";
import { detectEol, detectIndentUnit, LineIndex, lineEndOf, lineStartOf } from "../src/text.js";
import { ALL_VARIANTS, OPTION_ENTRIES, classifyOption, imageModule, mayDefineImageOptions, renamedPath, type ImageModule, type OptionEntry } from "../src/variant-options.js";

const NO_OUTPUT: PassOutput = { edits: [], findings: [] };
/** Module files followed per flake at most (a guard against pathological repositories). */
const MAX_FILES = 2000;
/** Lines we write stay under this many columns where we can choose. */
const MAX_LINE = 100;
/** Top-level keys of a module that are not configuration. */
const MODULE_KEYS = new Set(["imports", "_file", "key", "disabledModules", "_class", "freeformType", "options", "config"]);

export const imageOnlyOptions: Transform<typeof meta.rules> = {
  id: "image-only-options",
  ...meta,
  appliesTo: (path) => basename(path) === "flake.nix",
  needles: ["system.build.images"],
  input: "nix",
  run(ctx) {
    const flake = analyzeFlake(ctx.text, ctx.file!.root);
    if (!flake?.outputs) return NO_OUTPUT;
    return new ImageOptions(ctx, flake).run();
  },
};

export default imageOnlyOptions;

// ---------------------------------------------------------------- model

interface Config {
  /** `nixosConfigurations.lab`, or `the configuration built in place at line 12`. */
  readonly label: string;
  readonly args: SyntaxNode;
  readonly variants: Set<string>;
  /** An image reference whose variant is not known statically. */
  unknownAt: SyntaxNode | null;
}

interface FileCtx {
  readonly path: string;
  readonly src: string;
  readonly root: SyntaxNode;
  readonly roots: RefRoots;
  readonly isFlake: boolean;
  readonly strings: { start: number; end: number }[];
}

/** One module (a file, or an inline module expression) and the configurations that use it. */
interface Unit {
  readonly key: string;
  readonly file: FileCtx;
  readonly expr: SyntaxNode;
  readonly configs: Set<Config>;
  /** The module's attrset (null: not a module shape we can read). */
  readonly shape: ModuleShape | null;
  /** Set when the module is an attrset element of exactly this configuration's own `modules = [ … ]`. */
  listOf: Config | null;
}

/** A place the walk stopped at. */
interface Site {
  readonly file: FileCtx;
  readonly node: SyntaxNode;
  readonly configs: Set<Config>;
}

interface UnfollowedSite extends Site {
  readonly reason: string;
}

interface ImportSite extends Site {
  /** The list element to remove or wrap. */
  readonly element: SyntaxNode;
  readonly display: string;
  /** The nixpkgs image module imported. */
  readonly info: ImageModule;
}

/** Where a definition sits: the attrset that is configuration root, and how we got there. */
interface RootCtx {
  readonly unit: Unit;
  /** The configuration root (`{ … }` of a shorthand module, of `config = { … }`, of a `mkIf c { … }` …). */
  readonly root: SyntaxNode;
  /** The entry of `root` that holds the current nested set (null: directly in root). */
  readonly top: SyntaxNode | null;
  /** Number of attrs of `top` before the option path (`config.virtualisation` -> 1). */
  readonly topSkip: number;
}

interface Move {
  readonly ctx: RootCtx;
  readonly entry: SyntaxNode;
  /** Attrs of the entry before the option path (`config.` of a full module). */
  readonly skip: number;
  /** Full option path of the definition (from the configuration root). */
  readonly path: string[];
  /** The path inside the image module (renamed where needed). */
  readonly newPath: string[];
  readonly own: OptionEntry;
  readonly variants: string[];
  /** Renamed: how many leading keys of `path` the old name covers. */
  readonly renamed: boolean;
}

// ---------------------------------------------------------------- the pass

class ImageOptions {
  private readonly flakeFile: FileCtx;
  private readonly findings: RawFinding[] = [];
  private readonly edits = new Map<string, TextEdit[]>();
  private readonly files = new Map<string, FileCtx | null>();
  private readonly units = new Map<string, Unit>();
  private readonly unfollowed = new Map<string, UnfollowedSite>();
  private readonly imports = new Map<string, ImportSite>();
  private readonly generatorsNames: Set<string>;
  private readonly eol: string;

  constructor(private readonly ctx: PassContext, private readonly flake: FlakeInfo) {
    const out = flake.outputs!;
    const roots = outputsRoots(out.fn);
    this.flakeFile = fileCtxOf(ctx.path, ctx.text, ctx.file!.root, roots, true);
    this.files.set(ctx.path, this.flakeFile);
    this.generatorsNames = new Set(["nixos-generators", ...generatorsInputs(flake).map((i) => i.name)]);
    this.eol = detectEol(ctx.text);
  }

  run(): PassOutput {
    const configs = this.findConfigurations();
    if (configs.length === 0) return NO_OUTPUT;
    for (const c of configs) {
      if (c.unknownAt) {
        this.finding(this.flakeFile, c.unknownAt, "image-variants-unknown",
          `${c.label}: which image variant this builds is not known statically, so variant-only options in its modules go to every variant that declares them`);
      }
      this.walkConfiguration(c);
    }
    const moves: Move[] = [];
    for (const unit of this.units.values()) moves.push(...this.scanUnit(unit));
    this.editMoves(moves);
    this.editImports();
    this.reportUnfollowed();
    const edits = [...this.edits].filter(([, e]) => e.length).map(([path, e]) => ({ path, edits: e }));
    return { edits, findings: this.findings };
  }

  // ---------------------------------------------------------------- configurations

  /** Configurations whose `system.build.images.<v>` the flake refers to. */
  private findConfigurations(): Config[] {
    const src = this.flakeFile.src;
    const named = new Map<string, SyntaxNode>();
    for (const set of outputSets(src, this.flake.outputs!.body)) {
      for (const [name, { value }] of existingConfigurations(src, set)) {
        const args = nixosSystemArgs(src, value);
        if (args && !named.has(name)) named.set(name, args);
      }
    }
    const byName = new Map<string, Config>();
    const inline = new Map<SyntaxNode, Config>();
    for (const n of descendants(this.flakeFile.root)) {
      if (n.type !== "select_expression") continue;
      const path = field(n, "attrpath");
      if (!path) continue;
      const attrs = fields(path, "attr");
      const base = field(n, "expression")!;
      const keys = attrs.map((a) => attrName(src, a));
      // (<nixpkgs>.lib.nixosSystem { … }).config.system.build.images.<v>
      const b = unparen(base);
      const inlineArgs = b.type === "apply_expression" ? nixosSystemArgs(src, b) : null;
      if (inlineArgs && isPrefixOf(["config", "system", "build", "images"], keys)) {
        let c = inline.get(b);
        if (!c) {
          c = { label: `the configuration built in place at line ${lineOf(src, b.start)}`, args: inlineArgs, variants: new Set(), unknownAt: null };
          inline.set(b, c);
        }
        this.addVariants(c, attrs[4] ?? null, n);
        continue;
      }
      // self.nixosConfigurations.<h>.config.system.build.images.<v>, inputs.self…, or a rec/let-bound nixosConfigurations
      const full = this.selfPath(base, keys);
      if (!full) continue;
      const offset = full.offset;
      const h = full.keys[1];
      if (full.keys[0] !== "nixosConfigurations" || h === undefined || h === null) continue;
      if (!isPrefixOf(["config", "system", "build", "images"], full.keys.slice(2))) continue;
      const args = named.get(h);
      if (!args) continue;
      let c = byName.get(h);
      if (!c) {
        c = { label: `nixosConfigurations.${h}`, args, variants: new Set(), unknownAt: null };
        byName.set(h, c);
      }
      this.addVariants(c, attrs[6 - offset] ?? null, n);
    }
    return [...byName.values(), ...inline.values()];
  }

  /** Keys of `base.keys` counted from the flake's outputs (`self.…`), or null. `offset` = keys that base stands for. */
  private selfPath(base: SyntaxNode, keys: (string | null)[]): { keys: (string | null)[]; offset: number } | null {
    const src = this.flakeFile.src;
    const ref = evalRef(src, base, this.flakeFile.roots);
    if (ref && ref.input === "self") return { keys: [...ref.path, ...keys], offset: ref.path.length };
    // inputs.self.nixosConfigurations…: the first key names the input
    if (ref && ref.input === null && ref.path.length === 0 && keys[0] === "self") return { keys: keys.slice(1), offset: -1 };
    // `nixosConfigurations.h.…` inside a rec set / let that defines nixosConfigurations
    const b = unparen(base);
    const name = variableName(src, b);
    if (name === "nixosConfigurations") {
      const r = resolveName(src, b, name);
      if (r.definition?.kind === "binding" && (r.definition.scope.type === "rec_attrset_expression" || r.definition.scope.type === "let_expression")) {
        return { keys: ["nixosConfigurations", ...keys], offset: 1 };
      }
    }
    return null;
  }

  /** Records the variant(s) that `attr` (the key after `images`) selects. */
  private addVariants(c: Config, attr: SyntaxNode | null, at: SyntaxNode) {
    if (!attr) {
      c.unknownAt ??= at;
      return;
    }
    const src = this.flakeFile.src;
    const literal = attrName(src, attr);
    if (literal !== null) {
      c.variants.add(literal);
      return;
    }
    const values = attr.type === "interpolation" ? dynamicVariants(src, named(attr)[0] ?? null) : null;
    if (values) for (const v of values) c.variants.add(v);
    else c.unknownAt ??= at;
  }

  // ---------------------------------------------------------------- walking modules

  private walkConfiguration(c: Config) {
    const src = this.flakeFile.src;
    let modules: SyntaxNode | null = null;
    let listValue: SyntaxNode | null = null;
    for (const e of entries(c.args)) {
      if (e.type === "binding") {
        const keys = fields(field(e, "attrpath")!, "attr");
        if (keys.length === 1 && attrName(src, keys[0]!) === "modules") modules = listValue = field(e, "expression");
      } else if (inheritedNames(src, e).some((x) => x.name === "modules")) {
        modules = e;
      }
    }
    if (!modules) return;
    const visited = new Set<string>();
    if (modules.type === "inherit" || modules.type === "inherit_from") {
      const value = modules.type === "inherit_from" ? null : this.inheritedValue(modules, "modules");
      if (!value) {
        this.unfollow(this.flakeFile, modules, c, "the module list is not defined in this file");
        return;
      }
      this.walkList(this.flakeFile, value, c, visited, null);
      return;
    }
    const own = unparen(listValue!);
    this.walkList(this.flakeFile, listValue!, c, visited, own.type === "list_expression" ? own : null);
  }

  private inheritedValue(entry: SyntaxNode, name: string): SyntaxNode | null {
    const r = resolveName(this.flakeFile.src, entry, name);
    return r.definition?.kind === "binding" ? r.definition.value : null;
  }

  /** The module expressions of a list (through `++`, let names, `lib.optionals`). */
  private listElements(file: FileCtx, expr: SyntaxNode, c: Config, depth = 0): SyntaxNode[] {
    const n = unparen(expr);
    if (depth > 16) return [];
    if (n.type === "list_expression") return fields(n, "element");
    if (n.type === "binary_expression" && operator(file.src, n) === "++") {
      return [...this.listElements(file, field(n, "left")!, c, depth + 1), ...this.listElements(file, field(n, "right")!, c, depth + 1)];
    }
    if (n.type === "variable_expression") {
      const name = variableName(file.src, n)!;
      const r = resolveName(file.src, n, name);
      const d = r.definition;
      if (d?.kind === "binding" && d.value) return this.listElements(file, d.value, c, depth + 1);
      this.unfollow(file, n, c, d ? `\`${name}\` is a function argument` : `\`${name}\` is not defined in this file`);
      return [];
    }
    if (n.type === "apply_expression") {
      const { callee, args } = applyChain(file.src, n);
      if (callee === "optionals" && args.length === 2) return this.listElements(file, args[1]!, c, depth + 1);
      if (callee === "optional" && args.length === 2) return [args[1]!];
    }
    if (n.type === "if_expression") {
      return [...this.listElements(file, field(n, "consequence")!, c, depth + 1), ...this.listElements(file, field(n, "alternative")!, c, depth + 1)];
    }
    this.unfollow(file, n, c, "the module list is computed");
    return [];
  }

  private walkList(file: FileCtx, list: SyntaxNode, c: Config, visited: Set<string>, ownList: SyntaxNode | null) {
    for (const el of this.listElements(file, list, c)) this.walkModule(file, el, c, visited, ownList && el.parent === ownList ? el : null);
  }

  /** Follows one module expression (`./a.nix`, `{ … }`, a let name, `import ./a.nix` …). */
  private walkModule(file: FileCtx, element: SyntaxNode, c: Config, visited: Set<string>, ownElement: SyntaxNode | null, expr: SyntaxNode = element, depth = 0): void {
    const src = file.src;
    const n = unparen(expr);
    if (depth > 16) return;
    switch (n.type) {
      case "attrset_expression":
      case "rec_attrset_expression":
      case "function_expression":
      case "let_expression":
      case "with_expression":
        return this.enterUnit(file, n, `${file.path}@${n.start}`, c, visited, ownElement && unparen(ownElement) === n && isAttrset(n) ? c : null);
      case "path_expression": {
        if (n.children.some((x) => x.type === "interpolation")) return this.unfollow(file, n, c, "the path is computed");
        return this.enterFile(file, n, textOf(src, n), c, visited);
      }
      case "binary_expression": {
        // ./. + "/hosts/a.nix"
        const l = unparen(field(n, "left")!);
        const r = field(n, "right")!;
        const rs = stringValue(src, r);
        if (operator(src, n) === "+" && l.type === "path_expression" && !l.children.some((x) => x.type === "interpolation") && rs !== null) {
          return this.enterFile(file, n, textOf(src, l) + rs, c, visited);
        }
        break;
      }
      case "apply_expression": {
        const { callee, args } = applyChain(src, n);
        if (callee === "import" && args.length === 1) return this.walkModule(file, element, c, visited, null, args[0]!, depth + 1);
        return this.unfollow(file, n, c, "it is the result of a function call");
      }
      case "variable_expression":
      case "select_expression": {
        const name = n.type === "variable_expression" ? variableName(src, n) : null;
        if (name !== null) {
          const r = resolveName(src, n, name);
          if (r.definition?.kind === "binding" && r.definition.value) return this.walkModule(file, element, c, visited, null, r.definition.value, depth + 1);
          if (r.definition?.kind === "inherit") {
            const outer = resolveName(src, r.definition.scope, name);
            if (outer.definition?.kind === "binding" && outer.definition.value) return this.walkModule(file, element, c, visited, null, outer.definition.value, depth + 1);
          }
        }
        const ref = evalRef(src, n, file.roots);
        if (ref && ref.input !== null) {
          // nixos-generators' own modules: the generators-modules pass (which runs first) removed them, or kept
          // them and said why
          if (this.generatorsNames.has(ref.input) && ref.path[0] === "nixosModules" && ref.path.length === 2) return;
          if (ref.input === "self" && file.isFlake && ref.path[0] === "nixosModules" && ref.path.length === 2) {
            const value = this.ownNixosModule(ref.path[1]!);
            if (value) return this.walkModule(file, element, c, visited, null, value, depth + 1);
          }
          const how = file.isFlake ? `the flake input \`${ref.input}\`` : `the module argument \`${ref.input}\``;
          return this.unfollow(file, n, c, `it comes from ${how}`);
        }
        if (ref && ref.input === null) return this.unfollow(file, n, c, "it comes from the flake's inputs");
        return this.unfollow(file, n, c, name !== null ? `\`${name}\` is not a module defined in this file` : "it is not a module defined in this file");
      }
      case "string_expression":
      case "spath_expression":
        break;
      case "if_expression":
        this.walkModule(file, element, c, visited, null, field(n, "consequence")!, depth + 1);
        this.walkModule(file, element, c, visited, null, field(n, "alternative")!, depth + 1);
        return;
    }
    const np = nixpkgsModulePath(src, n);
    if (np !== null) {
      const info = imageModule(np);
      if (info) this.addImport(file, element, n, c, info);
      return; // other nixpkgs modules declare their own options
    }
    if (n.type === "spath_expression") return this.unfollow(file, n, c, "it is found through NIX_PATH, outside the repository");
    this.unfollow(file, n, c, "the module path is computed");
  }

  /** `self.nixosModules.<name>` defined in the flake's own outputs. */
  private ownNixosModule(name: string): SyntaxNode | null {
    const src = this.flakeFile.src;
    for (const { set, prefix } of outputSets(src, this.flake.outputs!.body)) {
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
            const ik = fields(field(inner, "attrpath")!, "attr");
            if (ik.length === 1 && attrName(src, ik[0]!) === name) return field(inner, "expression");
          }
        }
      }
    }
    return null;
  }

  private enterFile(from: FileCtx, node: SyntaxNode, pathText: string, c: Config, visited: Set<string>): void {
    if (!isRelativePathText(pathText)) {
      return this.unfollow(from, node, c, pathText.startsWith("/") ? "it is an absolute path outside the repository" : "the module path is not relative");
    }
    let path = joinPath(dirname(from.path), pathText);
    if (!this.ctx.project.inside(path)) return this.unfollow(from, node, c, `${pathText} is outside the repository`);
    if (this.ctx.project.isDirectory(path)) path = joinPath(path, "default.nix");
    // most module files name no option of the table and import nothing: not worth parsing
    const text = this.ctx.project.read(path);
    if (text !== undefined && path.endsWith(".nix") && !this.files.has(path) && !mayDefineImageOptions(text)) return;
    const file = this.fileCtx(path);
    if (!file) {
      // a file the host does not have (only flake.nix given, as in `migrate(text)`) is not reported:
      // Nix itself would fail on a missing module; only files that exist and do not parse are
      if (text === undefined) return;
      return this.unfollow(from, node, c, "the file does not parse");
    }
    const expr = field(file.root, "expression");
    if (!expr) return;
    this.enterUnit(file, expr, path, c, visited, null);
  }

  private enterUnit(file: FileCtx, expr: SyntaxNode, key: string, c: Config, visited: Set<string>, listOf: Config | null): void {
    let unit = this.units.get(key);
    if (!unit) {
      unit = { key, file, expr, configs: new Set(), shape: moduleShape(file.src, expr), listOf };
      this.units.set(key, unit);
    } else if (unit.listOf !== listOf) unit.listOf = null;
    unit.configs.add(c);
    if (visited.has(key)) return;
    visited.add(key);
    const shape = unit.shape;
    if (!shape) return this.unfollow(file, expr, c, "it is not an attribute set or a module function");
    for (const e of entries(shape.set)) {
      if (e.type !== "binding") continue;
      const keys = fields(field(e, "attrpath")!, "attr");
      if (keys.length !== 1 || attrName(file.src, keys[0]!) !== "imports") continue;
      const value = field(e, "expression");
      if (!value) continue;
      for (const el of this.listElements(file, value, c)) this.walkModule(file, el, c, visited, null, el);
    }
  }

  private fileCtx(path: string): FileCtx | null {
    if (this.files.has(path)) return this.files.get(path)!;
    if (this.files.size > MAX_FILES) return null;
    const parsed = path.endsWith(".nix") ? this.ctx.project.parse(path) : undefined;
    let out: FileCtx | null = null;
    if (parsed && !parsed.error) out = fileCtxOf(path, parsed.source, parsed.root, MODULE_ARG_ROOTS, false);
    this.files.set(path, out);
    return out;
  }

  private unfollow(file: FileCtx, node: SyntaxNode, c: Config, reason: string) {
    const key = `${file.path}@${node.start}`;
    const site = this.unfollowed.get(key);
    if (site) site.configs.add(c);
    else this.unfollowed.set(key, { file, node, configs: new Set([c]), reason });
  }

  private addImport(file: FileCtx, element: SyntaxNode, node: SyntaxNode, c: Config, info: ImageModule) {
    const key = `${file.path}@${element.start}`;
    const site = this.imports.get(key);
    if (site) site.configs.add(c);
    else this.imports.set(key, { file, node, element, configs: new Set([c]), info, display: textOf(file.src, node) });
  }

  private reportUnfollowed() {
    for (const s of this.unfollowed.values()) {
      const text = textOf(s.file.src, s.node);
      const shown = text.length > 60 ? text.slice(0, 57) + "..." : text;
      this.finding(s.file, s.node, "module-not-followed",
        `\`${shown.replace(/\s+/g, " ")}\` (a module of ${labels(s.configs)}) was not checked for options that exist only in image variants: ${s.reason}; ` +
        "make sure it sets no option such as `isoImage.*`, `sdImage.*` or `proxmox.*` outside `image.modules.<variant>`");
    }
  }

  // ---------------------------------------------------------------- definitions

  /** Variants the configurations build (all of them when one's variants are unknown). */
  private variantsOf(configs: Set<Config>): Set<string> {
    const out = new Set<string>();
    for (const c of configs) {
      if (c.unknownAt) return new Set(ALL_VARIANTS);
      for (const v of c.variants) out.add(v);
    }
    return out;
  }

  /** Variant-only definitions of one module; findings for the ones that cannot move. */
  private scanUnit(unit: Unit): Move[] {
    const shape = unit.shape;
    if (!shape) return [];
    const moves: Move[] = [];
    const src = unit.file.src;
    const scan = new Scanner(this, unit, this.variantsOf(unit.configs), moves);
    if (shape.full) {
      for (const e of entries(shape.set)) {
        if (e.type !== "binding") continue;
        const attrs = fields(field(e, "attrpath")!, "attr");
        if (attrName(src, attrs[0]!) !== "config") continue;
        if (attrs.length === 1) {
          for (const root of configRoots(src, field(e, "expression")!)) scan.set(root, [], { unit, root, top: null, topSkip: 0 }, false);
        } else {
          scan.binding(e, 1, [], { unit, root: shape.set, top: null, topSkip: 0 });
        }
      }
    } else {
      scan.set(shape.set, [], { unit, root: shape.set, top: null, topSkip: 0 }, true);
    }
    return moves;
  }

  finding(file: FileCtx, node: { start: number; end: number }, rule: string, message: string, severity?: RawFinding["severity"]) {
    this.findings.push({ path: file.path, rule, message, start: node.start, end: node.end, ...(severity ? { severity } : {}) });
  }

  private edit(file: FileCtx, e: TextEdit) {
    const list = this.edits.get(file.path) ?? [];
    list.push(e);
    this.edits.set(file.path, list);
  }

  // ---------------------------------------------------------------- moving

  private editMoves(all: Move[]) {
    // a definition whose new place clashes with an existing one (`image.modules.iso = { lib, ... }: …;`
    // next to `image.modules.iso.isoImage.x = …;` is "attribute already defined") stays, flagged
    const moved = new Set(all.map((m) => m.entry));
    const moves = all.filter((m) => {
      const clash = this.clash(m, moved);
      if (!clash) return true;
      this.finding(m.ctx.unit.file, m.entry, "image-option-not-moved",
        `\`${m.path.join(".")}\` exists only in image variants, but \`${attrpathText(m.ctx.unit.file.src, clash)}\` (line ${lineOf(m.ctx.unit.file.src, clash.start)}) already defines that part of \`image.modules\` in a way it cannot be merged with: move it into \`image.modules.${m.variants[0]}\` by hand`);
      return false;
    });
    for (const m of moves) if (!m.ctx.unit.file.isFlake) this.prefixInPlace(m);
    // flake.nix: per configuration root, one `image.modules.<v> = { … };` per variant
    const byRoot = new Map<string, Move[]>();
    for (const m of moves) {
      if (!m.ctx.unit.file.isFlake) continue;
      const k = `${m.ctx.root.start}:${rootSkipText(m)}`;
      byRoot.set(k, [...(byRoot.get(k) ?? []), m]);
    }
    for (const group of byRoot.values()) this.groupInFlake(group);
    for (const m of moves) this.movedFindings(m);
  }

  /** An entry of the move's root that the new definition(s) would collide with. */
  private clash(m: Move, moved: Set<SyntaxNode>): SyntaxNode | null {
    const src = m.ctx.unit.file.src;
    const head = rootSkipText(m) ? [rootSkipText(m).slice(0, -1)] : [];
    for (const v of m.variants) {
      if (m.ctx.unit.file.isFlake) {
        if (this.mergeTarget(m.ctx.unit, m.ctx.root, v)) continue;
        const hit = pathConflict(src, m.ctx.root, [...head, "image", "modules", v], true, moved);
        if (hit) return hit;
      } else {
        const value = field(m.entry, "expression");
        const literal = !!value && value.type === "attrset_expression";
        const hit = pathConflict(src, m.ctx.root, [...head, "image", "modules", v, ...m.newPath], literal, moved);
        if (hit) return hit;
      }
    }
    return null;
  }

  private movedFindings(m: Move) {
    const file = m.ctx.unit.file;
    const old = m.path.join(".");
    const where = m.variants.map((v) => `\`image.modules.${v}\``).join(" and ");
    const declaredBy = m.own.variants.length === ALL_VARIANTS.length ? "every image variant (image/file-options.nix)" : `the ${m.own.variants.join(", ")} image variant${m.own.variants.length > 1 ? "s" : ""}`;
    const builds = [...m.ctx.unit.configs].map((c) => `${c.label} builds ${[...c.variants].sort().join(", ") || "unknown variants"}`).join("; ");
    const subject = OPTION_ENTRIES.includes(m.own) ? `\`${old}\` exists` : `everything \`${old} = { … }\` sets exists`;
    let msg = m.renamed && m.own.nowhere
      ? `\`${old}\` is not an option of nixpkgs 25.05 (later releases alias some of these names); it is \`${m.newPath.join(".")}\` of the ${m.own.variants.join(", ")} image variant${m.own.variants.length > 1 ? "s" : ""} now: renamed and moved to ${where} (${builds})`
      : `${subject} only in ${declaredBy}: moved to ${where} (${builds})`;
    if (m.renamed && !m.own.nowhere) {
      msg += `; renamed to \`${m.newPath.join(".")}\``;
      if (m.newPath.join(".") === "image.baseName" && m.variants.some((v) => v === "iso" || v === "iso-installer")) {
        msg += "; iso-image.nix sets image.baseName at normal priority, so a different value needs `lib.mkForce`";
      }
    }
    this.finding(file, m.entry, "image-option-moved", msg);
    const value = field(m.entry, "expression");
    if (value && mentionsModuleArg(file.src, value, "config")) {
      const v = m.variants[0]!;
      this.finding(file, value, "moved-value-uses-config",
        `the value of \`${old}\` reads \`config\`: in \`image.modules.${v}\` that is the base configuration of ${labels(m.ctx.unit.configs)}, ` +
        `while nixos-generators evaluated it in the image (where the image module may change it, e.g. proxmox-image.nix forces networking.hostName = "" with cloud-init); ` +
        `to read the image's values, write it as \`image.modules.${v} = { config, ... }: { ${m.newPath.join(".")} = …; };\``);
    }
  }

  /** Module file: `proxmox.x = 1;` -> `image.modules.proxmox.proxmox.x = 1;` (one copy per variant). */
  private prefixInPlace(m: Move) {
    const file = m.ctx.unit.file;
    const src = file.src;
    if (m.ctx.top) {
      // a leaf of a mixed nested set: out of it, next to the root entry that holds it
      this.edit(file, removeRange(src, m.entry.start, m.entry.end));
      const top = m.ctx.top;
      const skipText = rootSkipText(m);
      const value = field(m.entry, "expression")!;
      const comment = trailingComment(src, m.entry.end);
      const indent = startsLine(src, top) ? indentAt(src, top) : null;
      const valueText = reindent(src, value.start, value.end, indentAt(src, m.entry), indent ?? indentAt(src, m.entry), file.strings);
      const texts = m.variants.map((v, i) => `${skipText}image.modules.${attrKey(v)}.${pathText(m.newPath)} = ${valueText};${i === 0 && comment ? " " + comment : ""}`);
      this.insertAfter(file, top, texts);
      return;
    }
    const attrs = fields(field(m.entry, "attrpath")!, "attr");
    const first = attrs[m.skip]!;
    const oldEnd = m.renamed ? attrs[m.skip + m.own.path.length - 1]!.end : first.start;
    const replaced = (v: string) => `image.modules.${attrKey(v)}.` + (m.renamed ? m.own.to!.join(".") : "");
    this.edit(file, { start: first.start, end: oldEnd, text: replaced(m.variants[0]!) });
    if (m.variants.length > 1) {
      const copies = m.variants.slice(1).map((v) => src.slice(m.entry.start, first.start) + replaced(v) + src.slice(oldEnd, m.entry.end));
      this.insertAfter(file, m.entry, copies);
    }
  }

  /** Inserts entries after `entry`: on their own lines when it stands on its own line, else on the same line. */
  private insertAfter(file: FileCtx, entry: SyntaxNode, texts: string[]) {
    const src = file.src;
    const le = lineEndOf(src, entry.end);
    const rest = src.slice(entry.end, le);
    if (startsLine(src, entry) && /^\s*(#.*)?$/.test(rest)) {
      const indent = indentAt(src, entry);
      this.edit(file, { start: le, end: le, text: texts.map((t) => this.eolOf(file) + indent + t).join("") });
    } else {
      this.edit(file, { start: entry.end, end: entry.end, text: texts.map((t) => " " + t).join("") });
    }
  }

  private eolOf(file: FileCtx): string {
    return file.isFlake ? this.eol : detectEol(file.src);
  }

  /** flake.nix: the moved definitions of one configuration root become `image.modules.<v> = { … };`. */
  private groupInFlake(moves: Move[]) {
    const file = this.flakeFile;
    const src = file.src;
    const unit = moves[0]!.ctx.unit;
    const root = moves[0]!.ctx.root;
    const variants: string[] = [];
    for (const m of moves) for (const v of m.variants) if (!variants.includes(v)) variants.push(v);
    const unitIndent = detectIndentUnit(src);
    const first = moves[0]!;
    const anchor = first.ctx.top ?? first.entry;
    const multiLine = startsLine(src, anchor) && src.slice(root.start, root.end).includes("\n");
    const baseIndent = indentAt(src, anchor);
    // a leaf that leaves a binding which moves itself (`virtualbox = { vmFileName = …; }`) is cut from its copy
    const within = (inner: Move, outer: Move) => inner !== outer && outer.entry.start <= inner.entry.start && inner.entry.end <= outer.entry.end;
    const lineOfMove = (m: Move, indent: string) => {
      const value = field(m.entry, "expression")!;
      const cuts = moves.filter((x) => within(x, m)).map((x) => removeRange(src, x.entry.start, x.entry.end));
      const valueText = cuts.length
        ? reindent(applyEdits(src.slice(value.start, value.end), cuts.map((c) => ({ start: c.start - value.start, end: Math.min(c.end, value.end) - value.start, text: c.text }))), 0, Infinity, indentAt(src, m.entry), indent, [])
        : reindent(src, value.start, value.end, indentAt(src, m.entry), indent, file.strings);
      const comment = trailingComment(src, m.entry.end);
      return { text: `${pathText(m.newPath)} = ${valueText};`, comment };
    };
    const groups: string[] = [];
    for (const v of variants) {
      const mine = moves.filter((m) => m.variants.includes(v));
      const target = this.mergeTarget(unit, root, v);
      if (target) {
        this.appendToSet(file, target, mine.map((m) => lineOfMove(m, indentAt(src, target) + unitIndent)));
        continue;
      }
      const skipText = rootSkipText(first);
      if (multiLine) {
        const inner = baseIndent + unitIndent;
        const body = mine.map((m) => {
          const l = lineOfMove(m, inner);
          return this.eol + inner + l.text + (l.comment ? " " + l.comment : "");
        }).join("");
        groups.push(`${skipText}image.modules.${attrKey(v)} = {${body}${this.eol}${baseIndent}};`);
      } else {
        const body = mine.map((m) => lineOfMove(m, baseIndent).text).join(" ");
        groups.push(`${skipText}image.modules.${attrKey(v)} = { ${body} };`);
      }
    }
    // everything moved into another element of the configuration's list: the emptied element goes
    const element = outer(root);
    if (groups.length === 0 && unit.listOf && element.parent?.type === "list_expression" &&
        entries(root).every((e) => moves.some((m) => m.entry === e && !m.ctx.top)) && !root.children.some((c) => c.type === "comment")) {
      this.edit(file, removeRange(src, element.start, element.end));
      return;
    }
    // remove the moved definitions; the groups take the place of the first one
    const removed = new Set<SyntaxNode>();
    let placed = groups.length === 0;
    for (const m of moves) {
      if (removed.has(m.entry) || moves.some((x) => within(m, x))) continue;
      removed.add(m.entry);
      if (!placed && !m.ctx.top) {
        const comment = multiLine ? trailingComment(src, m.entry.end) : null;
        const end = comment ? m.entry.end + src.slice(m.entry.end).indexOf(comment) + comment.length : m.entry.end;
        const joiner = multiLine ? this.eol + baseIndent : " ";
        this.edit(file, { start: m.entry.start, end, text: groups.join(joiner) });
        placed = true;
        continue;
      }
      this.edit(file, removeRange(src, m.entry.start, m.entry.end));
    }
    if (!placed) {
      const top = first.ctx.top!;
      this.insertAfter(file, top, groups);
    }
  }

  /**
   * An existing `image.modules.<v> = { … };` (attrset literal) to merge into: in the same root,
   * or, for a module that is an attrset element of one configuration's own list, in another
   * attrset element of that list (the one the migration wrote for --parity / variant modules).
   */
  private mergeTarget(unit: Unit, root: SyntaxNode, v: string): SyntaxNode | null {
    const src = this.flakeFile.src;
    const candidates: SyntaxNode[] = [root];
    if (unit.listOf && root === unparen(unit.expr) && root.type === "attrset_expression") {
      const list = root.parent;
      if (list?.type === "list_expression") for (const el of fields(list, "element")) if (unparen(el) !== root && unparen(el).type === "attrset_expression") candidates.push(unparen(el));
    }
    for (const set of candidates) {
      for (const e of entries(set)) {
        if (e.type !== "binding") continue;
        const keys = attrpathKeys(src, field(e, "attrpath"));
        const value = field(e, "expression");
        if (!keys || !value || value.type !== "attrset_expression") continue;
        if (keys.length === 3 && keys[0] === "image" && keys[1] === "modules" && keys[2] === v) return value;
      }
    }
    return null;
  }

  /** Appends `lines` at the end of an attrset literal, in its layout. */
  private appendToSet(file: FileCtx, set: SyntaxNode, lines: { text: string; comment: string | null }[]) {
    const src = file.src;
    const ents = entries(set);
    const last = ents[ents.length - 1];
    const close = set.children[set.children.length - 1]!;
    if (last && startsLine(src, last) && startsLine(src, close)) {
      const indent = indentAt(src, last);
      const at = lineEndOf(src, last.end);
      this.edit(file, { start: at, end: at, text: lines.map((l) => this.eol + indent + l.text + (l.comment ? " " + l.comment : "")).join("") });
      return;
    }
    const at = last ? last.end : set.children.find((c) => c.type === "{")!.end;
    const added = lines.map((l) => " " + l.text).join("");
    const lineLength = lineEndOf(src, set.end) - lineStartOf(src, set.start) + added.length;
    const body = src.slice(set.start, set.end);
    if (lineLength > MAX_LINE && !body.includes("\n") && !set.children.some((c) => c.type === "comment") && ents.length) {
      // one entry per line, now that it got long
      const indent = indentAt(src, set);
      const inner = indent + detectIndentUnit(src);
      const items = [...ents.map((e) => textOf(src, e)), ...lines.map((l) => l.text)].map((t) => this.eol + inner + t).join("");
      this.edit(file, { start: set.start, end: set.end, text: `{${items}${this.eol}${indent}}` });
      return;
    }
    this.edit(file, { start: at, end: at, text: added });
  }

  // ---------------------------------------------------------------- image-module imports

  private editImports() {
    for (const site of this.imports.values()) {
      const builds = this.variantsOf(site.configs);
      const src = site.file.src;
      const targets = site.info.provides.filter((v) => builds.has(v));
      if (targets.length === 0) {
        const what = site.info.provides.length ? `the ${site.info.provides.join(" / ")} image` : "an image";
        this.finding(site.file, site.node, "image-module-import",
          `\`${site.display}\` builds ${what} itself (it sets \`system.build.image\`), which switches \`system.build.images\` off for ${labels(site.configs)} on nixpkgs 25.05 ` +
          `(newer nixpkgs warns); ${labels(site.configs)} ${site.configs.size > 1 ? "build" : "builds"} none of its variants: ` +
          (site.info.provides.length ? `remove the import and build \`config.system.build.images.${site.info.provides[0]}\`, or move it into \`image.modules.${site.info.provides[0]}\`` : "keep it out of configurations that build images"));
        continue;
      }
      const lossless = targets.every((v) => site.info.includedBy.includes(v));
      if (lossless) {
        this.edit(site.file, removeRange(src, site.element.start, site.element.end));
        this.finding(site.file, site.node, "image-module-import-removed",
          `removed the import of \`${site.display}\`: images.${targets.join(" and images.")} import${targets.length > 1 ? "" : "s"} it already, and with it in ${labels(site.configs)} \`system.build.images\` would not exist on nixpkgs 25.05`);
      } else {
        const el = textOf(src, site.element);
        const inner = targets.map((v) => `image.modules.${attrKey(v)}.imports = [ ${el} ];`).join(" ");
        this.edit(site.file, { start: site.element.start, end: site.element.end, text: `{ ${inner} }` });
        this.finding(site.file, site.node, "image-module-import-moved",
          `\`${site.display}\` builds an image itself (it sets \`system.build.image\`), which would switch \`system.build.images\` off for ${labels(site.configs)} on nixpkgs 25.05: ` +
          `moved into ${targets.map((v) => `\`image.modules.${v}\``).join(" and ")}, where it adds what the stock variant module lacks` +
          (/installation-|installer/.test(site.display) ? "; the installer's generated /etc/nixos/configuration.nix (installer.cloneConfig) no longer lists it, since it only lists nixosSystem's own modules" : ""));
      }
    }
  }
}

// ---------------------------------------------------------------- scanning definitions

class Scanner {
  private readonly src: string;
  constructor(private readonly pass: ImageOptions, private readonly unit: Unit, private readonly builds: Set<string>, private readonly moves: Move[]) {
    this.src = unit.file.src;
  }

  /** The entries of a configuration attrset (`top`: the module's own top level, where module keys are skipped). */
  set(set: SyntaxNode, prefix: string[], ctx: RootCtx, top: boolean) {
    for (const e of entries(set)) {
      if (e.type !== "binding") {
        this.inherit(e, prefix);
        continue;
      }
      if (top) {
        const first = attrName(this.src, fields(field(e, "attrpath")!, "attr")[0]!);
        if (first !== null && MODULE_KEYS.has(first)) continue;
      }
      this.binding(e, 0, prefix, ctx);
    }
  }

  private inherit(e: SyntaxNode, prefix: string[]) {
    for (const inh of inheritedNames(this.src, e)) {
      const c = classifyOption([...prefix, inh.name]);
      const k = c.own?.kind;
      if (k === "variant" || k === "renamed" || c.below.some((b) => b.kind !== "harmless")) {
        this.pass.finding(this.unit.file, e, "image-option-not-moved",
          `\`inherit … ${inh.name};\` may define options that exist only in image variants; write them as \`image.modules.<variant>.${[...prefix, inh.name].join(".")} = …;\` by hand`);
      }
    }
  }

  /** One binding at `prefix` (`skip` leading attrs are not option keys, e.g. `config.`). */
  binding(e: SyntaxNode, skip: number, prefix: string[], ctx: RootCtx) {
    const attrs = fields(field(e, "attrpath")!, "attr").slice(skip);
    const keys: string[] = [];
    for (const a of attrs) {
      const k = attrName(this.src, a);
      if (k === null) return; // dynamic key
      keys.push(k);
    }
    const path = [...prefix, ...keys];
    const value = field(e, "expression");
    if (!value) return;
    const c = classifyOption(path);
    const own = c.own;
    const kind = own?.kind;
    if (own && (kind === "variant" || kind === "renamed")) {
      // a binding shorter than the renamed name (`isoImage = { isoName = …; }`) is a variant namespace here
      const renamed = kind === "renamed" && path.length >= own.path.length && keys.length >= own.path.length - prefix.length;
      this.move(e, skip, path, own, renamed, ctx);
      // (a nested binding is copied whole when it leaves its set: nothing inside it can move separately)
      if (kind === "variant") this.inside(value, path, { ...ctx, top: e, topSkip: skip }, own, !ctx.top);
      return;
    }
    if (own && (kind === "removed" || kind === "generators")) {
      this.flag(e, path, own);
      return;
    }
    if (!c.below.some((b) => b.kind !== "harmless")) return;
    // a mixed namespace (`virtualisation = { diskSize = …; azureImage.bootSize = …; }`)
    const v = unparen(value);
    if (v.type === "attrset_expression" && v === value) {
      const uniform = this.uniform(v, path);
      if (uniform) {
        const entry: OptionEntry = { path, kind: "variant", variants: uniform };
        this.move(e, skip, path, entry, false, ctx);
        return;
      }
      this.set(v, path, ctx.top ? ctx : { ...ctx, top: e, topSkip: skip }, false);
      return;
    }
    const found = this.detect(value, path);
    if (found) {
      this.pass.finding(this.unit.file, e, "image-option-not-moved",
        `\`${path.join(".")} = …\` mixes options of the base configuration with \`${found}\`, which exists only in image variants, ` +
        `and is not an attribute set literal, so it could not be split: move \`${found}\` into \`image.modules.<variant>\` by hand`);
    }
  }

  /** The entries of a set with the full option path each defines; null for an entry without static keys. */
  private pathsOf(set: SyntaxNode, path: string[]): ({ e: SyntaxNode; p: string[] } | null)[] {
    return entries(set).map((e) => {
      const keys = e.type === "binding" ? attrpathKeys(this.src, field(e, "attrpath")) : null;
      return keys ? { e, p: [...path, ...keys] } : null;
    });
  }

  /** Inside a binding that moves whole: names that must be rewritten or flagged. */
  private inside(value: SyntaxNode, path: string[], ctx: RootCtx, own: OptionEntry, extract: boolean) {
    const v = unparen(value);
    if (v.type !== "attrset_expression" || v !== value) return;
    for (const b of this.pathsOf(v, path)) {
      if (!b) continue;
      const { e, p } = b;
      const c = classifyOption(p);
      if (c.own && c.own !== own && c.own.kind === "renamed" && c.own.nowhere) {
        // `vmware = { vmFileName = …; }`: vmware.vmFileName exists nowhere; it leaves the set renamed
        if (extract) this.moves.push(this.makeMove(e, 0, p, c.own, true, ctx));
        else this.pass.finding(this.unit.file, e, "image-option-not-moved", `\`${p.join(".")}\` is not an option of nixpkgs 25.05; write it as \`${renamedPath(c.own, p).join(".")}\` inside \`image.modules.<variant>\``);
      } else if (c.own && (c.own.kind === "removed" || c.own.kind === "generators")) {
        this.flag(e, p, c.own);
      } else if (c.below.some((b) => (b.kind === "renamed" && b.nowhere) || b.kind === "removed")) {
        this.inside(field(e, "expression")!, p, ctx, own, extract);
      }
    }
  }

  /** Target variants shared by every leaf of a mixed literal, or null. */
  private uniform(set: SyntaxNode, path: string[]): string[] | null {
    let acc: string[] | null = null;
    for (const b of this.pathsOf(set, path)) {
      if (!b) return null;
      const { e, p } = b;
      const value = field(e, "expression")!;
      const c = classifyOption(p);
      let t: string[] | null;
      if (c.own && (c.own.kind === "variant" || (c.own.kind === "renamed" && !c.own.nowhere)) && !c.below.some((b) => b.kind === "removed" || b.kind === "generators" || (b.kind === "renamed" && b.nowhere))) {
        t = this.targets(c.own);
      } else if (!c.own?.kind || c.own.kind === "harmless") {
        const v = unparen(value);
        t = c.below.some((b) => b.kind !== "harmless") && v.type === "attrset_expression" ? this.uniform(v, p) : null;
      } else t = null;
      if (!t || t.length === 0) return null;
      if (acc && (acc.length !== t.length || acc.some((x) => !t!.includes(x)))) return null;
      acc = t;
    }
    return acc;
  }

  /** A variant-only path somewhere inside a value we cannot split (through mkIf/mkMerge/literals). */
  private detect(value: SyntaxNode, path: string[], depth = 0): string | null {
    if (depth > 8) return null;
    for (const root of configRoots(this.src, value)) {
      for (const b of this.pathsOf(root, path)) {
        if (!b) continue;
        const { e, p } = b;
        const c = classifyOption(p);
        if (c.own && c.own.kind !== "harmless") return p.join(".");
        if (c.below.some((b) => b.kind !== "harmless")) {
          const inner = this.detect(field(e, "expression")!, p, depth + 1);
          if (inner) return inner;
        }
      }
    }
    return null;
  }

  private targets(own: OptionEntry): string[] {
    return own.variants.filter((v) => this.builds.has(v));
  }

  private move(e: SyntaxNode, skip: number, path: string[], own: OptionEntry, renamed: boolean, ctx: RootCtx) {
    const m = this.makeMove(e, skip, path, own, renamed, ctx);
    if (m.variants.length > 4 && [...this.unit.configs].some((c) => c.unknownAt)) {
      // a file option (`image.fileName`) of a configuration whose variants are unknown: not 26 copies
      this.pass.finding(this.unit.file, e, "image-option-not-moved",
        `\`${path.join(".")}\` exists only inside image variants, and which variants ${labels(this.unit.configs)} builds is not known statically: ` +
        `move it into \`image.modules.<variant>\` for the variants you build`);
      return;
    }
    if (m.variants.length === 0) {
      const builds = [...this.unit.configs].map((c) => `${c.label} builds ${[...c.variants].sort().join(", ")}`).join("; ");
      this.pass.finding(this.unit.file, e, "image-option-unbuilt",
        `\`${path.join(".")}\` exists only in the ${own.variants.join(", ")} image variant${own.variants.length > 1 ? "s" : ""}, which no configuration using this module builds (${builds}): ` +
        `it stays, and the configuration will not evaluate with it; remove it, or build one of those variants`);
      return;
    }
    this.moves.push(m);
  }

  private makeMove(e: SyntaxNode, skip: number, path: string[], own: OptionEntry, renamed: boolean, ctx: RootCtx): Move {
    return { ctx, entry: e, skip, path, newPath: renamed ? renamedPath(own, path) : path, own, variants: this.targets(own), renamed };
  }

  private flag(e: SyntaxNode, path: string[], own: OptionEntry) {
    if (own.kind === "generators") {
      this.pass.finding(this.unit.file, e, "generators-option",
        `\`${path.join(".")}\` is an option of nixos-generators' format module, which no longer exists: remove it (a custom image variant sets \`system.build.image\` and \`image.extension\`/\`image.filePath\` instead)`);
    } else {
      this.pass.finding(this.unit.file, e, "image-option-removed",
        `\`${path.join(".")}\`: ${own.message}; remove it (it fails to evaluate in the base configuration and in the image)`);
    }
  }
}

// ---------------------------------------------------------------- free functions

/** Formals of a module file's function stand for module arguments (`inputs` is the flake's inputs). */
const MODULE_ARG_ROOTS: RefRoots = {
  root: (def: Definition) => {
    if (def.kind !== "formal" && def.kind !== "param") return null;
    if (def.name === "inputs") return { input: null, path: [] };
    return { input: def.name, path: [] };
  },
};

/** A FileCtx; its string ranges (a walk over the whole tree) are found when a move first needs them. */
function fileCtxOf(path: string, src: string, root: SyntaxNode, roots: RefRoots, isFlake: boolean): FileCtx {
  let strings: { start: number; end: number }[] | undefined;
  return { path, src, root, roots, isFlake, get strings() { return (strings ??= stringRanges(root)); } };
}

/** `X.lib.nixosSystem { … }` / `nixosSystem { … }`: its argument set. */
function nixosSystemArgs(src: string, value: SyntaxNode): SyntaxNode | null {
  const v = unparen(value);
  if (v.type !== "apply_expression") return null;
  const fn = field(v, "function")!;
  const arg = unparen(field(v, "argument")!);
  if (arg.type !== "attrset_expression") return null;
  if (calleeName(src, fn) !== "nixosSystem") return null;
  return arg;
}

function isPrefixOf(prefix: readonly string[], keys: readonly (string | null)[]): boolean {
  return prefix.length <= keys.length && prefix.every((k, i) => keys[i] === k);
}

function operator(src: string, n: SyntaxNode): string | null {
  const op = field(n, "operator");
  return op ? textOf(src, op) : null;
}

/** `f a b` -> callee name `f` (last key of a select) and [a, b]. */
function applyChain(src: string, n: SyntaxNode): { callee: string | null; args: SyntaxNode[] } {
  const args: SyntaxNode[] = [];
  let f = n;
  while (f.type === "apply_expression") {
    args.unshift(field(f, "argument")!);
    f = unparen(field(f, "function")!);
  }
  return { callee: calleeName(src, f), args };
}

/**
 * Variants selected by `images.${EXPR}`: a name with known values (`genAttrs [ … ] (format: …)`), or the
 * core pass's rename lookup `{ qcow = "qemu"; }.${format} or format`.
 */
function dynamicVariants(src: string, expr: SyntaxNode | null): string[] | null {
  if (!expr) return null;
  const n = unparen(expr);
  const direct = possibleStrings(src, n);
  if (direct.known) return direct.values;
  if (n.type !== "select_expression") return null;
  const base = unparen(field(n, "expression")!);
  const attrs = fields(field(n, "attrpath")!, "attr");
  const dflt = field(n, "default");
  if (base.type !== "attrset_expression" || attrs.length !== 1 || attrs[0]!.type !== "interpolation" || !dflt) return null;
  const key = named(attrs[0]!)[0];
  if (!key || textOf(src, unparen(key)) !== textOf(src, unparen(dflt))) return null;
  const values = possibleStrings(src, key);
  if (!values.known) return null;
  const table = new Map<string, string>();
  for (const e of entries(base)) {
    if (e.type !== "binding") return null;
    const k = fields(field(e, "attrpath")!, "attr");
    const s = stringValue(src, field(e, "expression"));
    const name = k.length === 1 ? attrName(src, k[0]!) : null;
    if (name === null || s === null) return null;
    table.set(name, s);
  }
  return values.values.map((x) => table.get(x) ?? x);
}

interface ModuleShape {
  readonly set: SyntaxNode;
  /** The module has `config`/`options` (definitions are under `config`). */
  readonly full: boolean;
}

/** `{…}`, `args: {…}`, `{ lib, ... }: with lib; let … in {…}` -> the module's attrset; `full` when it has `config`/`options`. */
function moduleShape(src: string, expr: SyntaxNode): ModuleShape | null {
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
    const first = fields(field(e, "attrpath")!, "attr")[0];
    const k = first ? attrName(src, first) : null;
    return k === "config" || k === "options";
  });
  return { set: n, full };
}

/** The attrsets a `config = …` value defines: through mkIf, mkMerge, mkDefault/mkForce/mkOverride, if, let, with. */
function configRoots(src: string, expr: SyntaxNode, depth = 0): SyntaxNode[] {
  if (depth > 16) return [];
  const n = unparen(expr);
  if (isAttrset(n)) return [n];
  if (n.type === "let_expression" || n.type === "with_expression") return configRoots(src, field(n, "body")!, depth + 1);
  if (n.type === "if_expression") return [...configRoots(src, field(n, "consequence")!, depth + 1), ...configRoots(src, field(n, "alternative")!, depth + 1)];
  if (n.type === "apply_expression") {
    const { callee, args } = applyChain(src, n);
    if (callee === "mkMerge" && args.length === 1) {
      const list = unparen(args[0]!);
      if (list.type === "list_expression") return fields(list, "element").flatMap((el) => configRoots(src, el, depth + 1));
      return [];
    }
    if ((callee === "mkIf" || callee === "mkOverride") && args.length === 2) return configRoots(src, args[1]!, depth + 1);
    if (callee && /^(mkDefault|mkForce|mkOptionDefault|mkImageMediaOverride|mkVMOverride)$/.test(callee) && args.length === 1) return configRoots(src, args[0]!, depth + 1);
  }
  return [];
}

/** Path below `nixos/` of a nixpkgs module expression (`"${modulesPath}/…"`, `modulesPath + "/…"`, `<nixpkgs/nixos/…>`, `"${nixpkgs}/nixos/…"`). */
function nixpkgsModulePath(src: string, node: SyntaxNode): string | null {
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
  } else if (n.type === "binary_expression" && operator(src, n) === "+") {
    base = unparen(field(n, "left")!);
    rest = stringValue(src, field(n, "right"));
  }
  if (rest === null || !rest.startsWith("/")) return null;
  const isModulesPath = !!base && unparen(base).type === "variable_expression" && variableName(src, unparen(base)) === "modulesPath";
  if (isModulesPath) return joinPath("modules", rest.slice(1));
  if (rest.startsWith("/nixos/")) return joinPath(rest.slice("/nixos/".length));
  return null;
}

/** Does `value` use the module argument `name` (a formal of an enclosing function, or `args.name`)? */
function mentionsModuleArg(src: string, value: SyntaxNode, name: string): boolean {
  for (const [v, refs] of freeVariables(src, value)) {
    for (const ref of refs) {
      const d = resolveName(src, ref, v).definition;
      if (!d) continue;
      if (v === name && d.kind === "formal") return true;
      if (d.kind === "param" && ref.parent?.type === "select_expression" && ref.field === "expression") {
        const first = fields(field(ref.parent, "attrpath")!, "attr")[0];
        if (first && attrName(src, first) === name) return true;
      }
    }
  }
  return false;
}

/** `config.` of `config.virtualisation = …` (the first `skip` attrs and their dot). */
function attrsText(src: string, entry: SyntaxNode, skip: number): string {
  if (skip === 0) return "";
  const attrs = fields(field(entry, "attrpath")!, "attr");
  return src.slice(attrs[0]!.start, attrs[skip - 1]!.end) + ".";
}

/** `config.` when the move's entry in its root is `config.…` of a full module. */
function rootSkipText(m: Move): string {
  const src = m.ctx.unit.file.src;
  return m.ctx.top ? attrsText(src, m.ctx.top, m.ctx.topSkip) : attrsText(src, m.entry, m.skip);
}

function attrpathText(src: string, entry: SyntaxNode): string {
  const path = field(entry, "attrpath");
  return path ? textOf(src, path) : textOf(src, entry).split(/\s/)[0]!;
}

/**
 * Would a new binding `path = <value>` in `set` collide with an existing entry (other than `ignore`)?
 * Nix merges attrset literals (`a.b = { c = 1; }; a.b.d = 2;`), nothing else.
 */
function pathConflict(src: string, set: SyntaxNode, path: string[], literalValue: boolean, ignore: Set<SyntaxNode>): SyntaxNode | null {
  for (const e of entries(set)) {
    if (ignore.has(e)) continue;
    if (e.type !== "binding") {
      if (inheritedNames(src, e).some((n) => n.name === path[0])) return e;
      continue;
    }
    const keys = fields(field(e, "attrpath")!, "attr").map((a) => attrName(src, a));
    const n = Math.min(keys.length, path.length);
    if (keys.slice(0, n).some((k, i) => k !== path[i])) continue;
    const value = field(e, "expression");
    const isLiteral = !!value && (value.type === "attrset_expression" || value.type === "rec_attrset_expression");
    if (keys.length < path.length) {
      if (!isLiteral) return e;
      const inner = pathConflict(src, value!, path.slice(keys.length), literalValue, ignore);
      if (inner) return inner;
    } else if (keys.length === path.length) {
      if (!(isLiteral && literalValue)) return e;
    } else if (!literalValue) return e;
  }
  return null;
}

/** A `#` comment after `end` on the same line, or null. */
function trailingComment(src: string, end: number): string | null {
  let i = end;
  while (i < src.length && (src[i] === " " || src[i] === "\t")) i++;
  if (src[i] !== "#") return null;
  return src.slice(i, lineEndOf(src, i));
}

function pathText(path: readonly string[]): string {
  return path.map(attrKey).join(".");
}

function labels(configs: Set<Config>): string {
  return [...configs].map((c) => c.label).join(", ");
}

/** 1-based line of an offset. */
function lineOf(src: string, offset: number): number {
  return new LineIndex(src).lineOf(offset) + 1;
}

