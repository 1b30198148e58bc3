// Phase 3: the definitions of each module that exist only in image variants:
// the ones that move (Move, handed to the placing phase) and findings for
// the ones that cannot.
import type { Rule } from "../image-only-options.meta.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import { applyChain, attrName, attrpathKeys, attrsOf, entries, field, fields, inheritedNames, isAttrset, unparen } from "../../src/nix/ast.js";
import { ALL_VARIANTS, classifyOption, renamedPath, type OptionEntry } from "../../src/variant-options.js";
import { finding, labels, type Config, type Move, type RootCtx, type Unit } from "./model.js";

/** Top-level keys of a module that are not configuration. */
const MODULE_KEYS = new Set(["imports", "_file", "key", "disabledModules", "_class", "freeformType", "options", "config"]);

/** Variants the configurations build (all of them when one's variants are unknown). */
export function variantsOf(configs: Iterable<Config>): Set<string> {
  const out = new Set<string>();
  for (const c of configs) {
    if (c.unknownAt) return new Set(ALL_VARIANTS);
    for (const v of c.variants) out.add(v);
  }
  return out;
}

/** Variant-only definitions of the modules; findings for the ones that cannot move. */
export function classifyDefinitions(units: Iterable<Unit>): { moves: Move[]; findings: RawFinding<Rule>[] } {
  const moves: Move[] = [];
  const findings: RawFinding<Rule>[] = [];
  for (const unit of units) {
    const scan = scanUnit(unit);
    if (!scan) continue;
    moves.push(...scan.moves);
    findings.push(...scan.findings);
  }
  return { moves, findings };
}

function scanUnit(unit: Unit): Scanner | null {
  const shape = unit.shape;
  if (!shape) return null;
  const src = unit.file.src;
  const scan = new Scanner(unit, variantsOf(unit.configs));
  if (shape.full) {
    for (const e of entries(shape.set)) {
      if (e.type !== "binding") continue;
      const attrs = attrsOf(e);
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
  return scan;
}

/** Walks one module's definitions, collecting moves and findings. */
class Scanner {
  private readonly src: string;
  readonly moves: Move[] = [];
  readonly findings: RawFinding<Rule>[] = [];
  constructor(private readonly unit: Unit, private readonly builds: Set<string>) {
    this.src = unit.file.src;
  }

  private finding(node: SyntaxNode, rule: Rule, message: string) {
    this.findings.push(finding(this.unit.file, node, rule, message));
  }

  /** The entries of a configuration attrset (`top`: the module's own top level, where module keys are skipped). */
  set(set: SyntaxNode, prefix: string[], ctx: RootCtx, top: boolean) {
    for (const e of entries(set)) {
      if (e.type !== "binding") {
        this.inherit(e, prefix);
        continue;
      }
      if (top) {
        const first = attrName(this.src, attrsOf(e)[0]!);
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
        this.finding(e, "image-option-not-moved",
          `\`inherit … ${inh.name};\` may define options that exist only in image variants; write them as \`image.modules.<variant>.${[...prefix, inh.name].join(".")} = …;\` by hand`);
      }
    }
  }

  /** One binding at `prefix` (`skip` leading attrs are not option keys, e.g. `config.`). */
  binding(e: SyntaxNode, skip: number, prefix: string[], ctx: RootCtx) {
    const attrs = attrsOf(e).slice(skip);
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
      this.finding(e, "image-option-not-moved",
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
        else this.finding(e, "image-option-not-moved", `\`${p.join(".")}\` is not an option of nixpkgs 25.05; write it as \`${renamedPath(c.own, p).join(".")}\` inside \`image.modules.<variant>\``);
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
      this.finding(e, "image-option-not-moved",
        `\`${path.join(".")}\` exists only inside image variants, and which variants ${labels(this.unit.configs)} builds is not known statically: ` +
        `move it into \`image.modules.<variant>\` for the variants you build`);
      return;
    }
    if (m.variants.length === 0) {
      const builds = [...this.unit.configs].map((c) => `${c.label} builds ${[...c.variants].sort().join(", ")}`).join("; ");
      this.finding(e, "image-option-unbuilt",
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
      this.finding(e, "generators-option",
        `\`${path.join(".")}\` is an option of nixos-generators' format module, which no longer exists: remove it (a custom image variant sets \`system.build.image\` and \`image.extension\`/\`image.filePath\` instead)`);
    } else {
      this.finding(e, "image-option-removed",
        `\`${path.join(".")}\`: ${own.message}; remove it (it fails to evaluate in the base configuration and in the image)`);
    }
  }
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
