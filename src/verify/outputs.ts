// Which outputs of a flake --verify compares, read from the migration itself:
// every `….config.system.build.images.<v>` the migration wrote (in flake.nix,
// or in a file flake.nix imports as a value) stands where a nixos-generators
// image stood, at the same attribute path of the outputs; that path is
// compared before and after. An image of `nixosConfigurations.<h>` it now
// points at is a new output too, compared with the image it replaces. Pure.
import { parseNix, type SyntaxNode } from "../parse.js";
import { analyzeFlake } from "../nix/flake.js";
import { attrName, descendants, field, fields, normalized, unparen } from "../nix/ast.js";
import { outputPatterns, type OutputPattern } from "../nix/output-path.js";
import { relativePath } from "../nix/module-graph.js";
import { variableName } from "../nix/scope.js";
import { lookupFormat } from "../formats.js";
import { joinPath } from "../paths.js";
import { lineOps } from "../report/diff.js";

export type { OutputPattern };

export interface ChangedFile {
  readonly path: string;
  readonly before: string | undefined;
  readonly after: string;
}

export interface OutputPair {
  /** The output after migration. */
  readonly after: OutputPattern;
  /** The output it is compared with before migration: the same path, or the image a new configuration image replaces. */
  readonly before: OutputPattern;
  /** Where the migration wrote the image: file, and 1-based lines before and after migration. */
  readonly file: string;
  readonly lineBefore: number;
  readonly lineAfter: number;
}

export interface ImageOutputs {
  readonly pairs: OutputPair[];
  /** Images the migration wrote that are not at a flake output this can locate. */
  readonly unlocated: { file: string; lineBefore: number; lineAfter: number }[];
  /**
   * Every `packages.<system>.<name>` is compared too: some images were not located, or the migration
   * removed nixos-generators modules from configurations (an output that reads their `config.formats`
   * in a file this run did not migrate breaks, and no image reference of the migration shows it).
   */
  readonly scanPackages: boolean;
}

/** The patterns of that scan. */
export const ALL_PACKAGES: OutputPattern = ["packages", null, null];

const IMAGES_TAIL = ["system", "build", "images"];

/** The image outputs of the flake at `flakePath` that the migration of `files` (its changed files) touches. */
export function imageOutputs(flakePath: string, files: readonly ChangedFile[]): ImageOutputs {
  const flakeFile = files.find((f) => f.path === flakePath);
  const flakeText = flakeFile?.after;
  const flakeTree = flakeText !== undefined ? parseNix(flakeText) : null;
  const outputsFn = flakeTree && !flakeTree.error ? (analyzeFlake(flakeText!, flakeTree.root)?.outputs?.fn ?? null) : null;
  const pairs: OutputPair[] = [];
  const unlocated: ImageOutputs["unlocated"] = [];
  const seen = new Set<string>();
  const add = (pair: OutputPair) => {
    const key = JSON.stringify(pair.after);
    if (seen.has(key)) return;
    seen.add(key);
    pairs.push(pair);
  };
  // a nixos-generators format module a configuration imported: its image is images.<v> now
  if (flakeFile?.before !== undefined) for (const pair of formatModulePairs(flakeFile.path, flakeFile.before, flakeFile.after)) add(pair);
  // definitions moved into `image.modules.<v>` (image-only options) change the images of configurations
  // whose image outputs the migration did not write: then every image read counts, not only new ones
  const variantModulesAdded = files.some((f) => f.path.endsWith(".nix") && count(f.after, "image.modules") > count(f.before ?? "", "image.modules"));
  for (const file of files) {
    if (!file.path.endsWith(".nix")) continue;
    const tree = file.path === flakePath && flakeTree ? flakeTree : parseNix(file.after);
    if (tree.error) continue;
    const lines = lineMap(file.before ?? "", file.after);
    const beforeBindings = file.before !== undefined ? bindingLines(file.before) : new Map<string, number[]>();
    const sites = variantModulesAdded ? imageSelects(file.after, tree.root) : newImageSelects(file.before, file.after, tree.root);
    for (const site of sites) {
      const lineAfter = lineOf(file.after, site.node.start);
      // the binding the image is the value of kept its name: its line before migration
      const key = bindingKey(file.after, site.node);
      const same = key === null ? undefined : beforeBindings.get(key);
      const at = { file: file.path, lineAfter, lineBefore: same?.length === 1 ? same[0]! : lines(lineAfter) };
      let patterns: OutputPattern[] = [];
      if (file.path === flakePath) {
        if (outputsFn) patterns = outputPatterns(file.after, { outputsFn }, site.node);
      } else if (flakeText !== undefined && outputsFn) {
        // a library file the flake imports as a value: its paths continue where the flake uses the import
        const inFile = outputPatterns(file.after, { outputsFn: null }, site.node);
        const topIsFunction = unparen(field(tree.root, "expression") ?? tree.root).type === "function_expression";
        for (const use of importsOf(flakeText, flakeTree!.root, flakePath, file.path, topIsFunction)) {
          for (const suffix of inFile) patterns.push(...outputPatterns(flakeText, { outputsFn }, use, suffix));
        }
      }
      // an image read inside a configuration is not an output of its own
      patterns = patterns.filter((p) => p[0] !== "nixosConfigurations");
      if (!patterns.length) {
        unlocated.push(at);
        continue;
      }
      for (const p of patterns) add({ after: p, before: p, ...at });
      // `self.nixosConfigurations.<h>.config.system.build.images.<v>`: that image is an output now
      if (site.configuration && file.path === flakePath) {
        add({ after: ["nixosConfigurations", site.configuration, "config", ...IMAGES_TAIL, site.variant], before: patterns[0]!, ...at });
      }
    }
  }
  const modulesRemoved = files.some((f) => f.path.endsWith(".nix") && f.before !== undefined && generatorsModules(f.before) > generatorsModules(f.after));
  return { pairs, unlocated, scanPackages: unlocated.length > 0 || modulesRemoved };
}

/**
 * `nixosConfigurations.<h>` that imported `<generators>.nixosModules.<format>`, which the migration
 * removed: its `config.system.build.<formatAttr>` was the image, `config.system.build.images.<v>` is.
 */
function formatModulePairs(path: string, before: string, after: string): OutputPair[] {
  const tree = parseNix(before);
  const outputsFn = tree.error ? null : (analyzeFlake(before, tree.root)?.outputs?.fn ?? null);
  if (!outputsFn) return [];
  const left = new Map<string, number>();
  for (const n of descendants(parseNix(after).root)) if (n.type === "select_expression") left.set(normalized(after, n), (left.get(normalized(after, n)) ?? 0) + 1);
  const out: OutputPair[] = [];
  for (const n of descendants(tree.root)) {
    if (n.type !== "select_expression") continue;
    const keys = fields(field(n, "attrpath")!, "attr").map((a) => attrName(before, a));
    const info = keys.length >= 2 && keys[keys.length - 2] === "nixosModules" && keys[keys.length - 1] ? lookupFormat(keys[keys.length - 1]!) : undefined;
    if (!info?.variant) continue;
    const k = normalized(before, n);
    if ((left.get(k) ?? 0) > 0) {
      left.set(k, left.get(k)! - 1);
      continue;
    }
    const host = configurationAround(before, outputsFn, n);
    if (host === null) continue;
    const line = lineOf(before, n.start);
    out.push({
      after: ["nixosConfigurations", host, "config", ...IMAGES_TAIL, info.variant],
      before: ["nixosConfigurations", host, "config", "system", "build", info.formatAttr],
      file: path,
      lineBefore: line,
      lineAfter: line,
    });
  }
  return out;
}

/** How many `….nixosModules.<f>` a text names, f all-formats or a format. */
function generatorsModules(source: string): number {
  let n = 0;
  const tree = parseNix(source);
  for (const node of descendants(tree.root)) {
    if (node.type !== "select_expression") continue;
    const keys = fields(field(node, "attrpath")!, "attr").map((a) => attrName(source, a));
    const last = keys[keys.length - 1];
    if (keys.length >= 2 && keys[keys.length - 2] === "nixosModules" && last && (last === "all-formats" || lookupFormat(last))) n++;
  }
  return n;
}

/** The `nixosConfigurations.<h>` whose value holds `node` (h static), or null. */
function configurationAround(source: string, outputsFn: SyntaxNode, node: SyntaxNode): string | null {
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    if (n.field !== "expression" || n.parent?.type !== "binding") continue;
    for (const p of outputPatterns(source, { outputsFn }, n)) {
      if (p.length === 2 && p[0] === "nixosConfigurations" && p[1] !== null) return p[1];
    }
  }
  return null;
}

interface ImageSelect {
  readonly node: SyntaxNode;
  /** `<x>.nixosConfigurations.<h>.config.system.build.images.<v>`: h (v static), else null. */
  readonly configuration: string | null;
  readonly variant: string | null;
}

/** `….system.build.images.<v>` selects of `after` whose text `before` does not have as often. */
/** Occurrences of `needle` in `text`. */
function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function newImageSelects(before: string | undefined, after: string, root: SyntaxNode): ImageSelect[] {
  const had = new Map<string, number>();
  if (before !== undefined) {
    const old = parseNix(before);
    for (const s of imageSelects(before, old.root)) {
      const k = normalized(before, s.node);
      had.set(k, (had.get(k) ?? 0) + 1);
    }
  }
  return imageSelects(after, root).filter((s) => {
    const k = normalized(after, s.node);
    const n = had.get(k) ?? 0;
    if (n > 0) had.set(k, n - 1);
    return n === 0;
  });
}

function imageSelects(source: string, root: SyntaxNode): ImageSelect[] {
  const out: ImageSelect[] = [];
  for (const n of descendants(root)) {
    if (n.type !== "select_expression") continue;
    const attrs = fields(field(n, "attrpath")!, "attr");
    const keys = attrs.map((a) => attrName(source, a));
    const k = keys.length;
    if (k < 4 || keys[k - 2] !== "images" || keys[k - 3] !== "build" || keys[k - 4] !== "system") continue;
    // `(x).config.system.build.images.v` or `self.nixosConfigurations.h.config.system.build.images.v`
    const hoisted = k === 7 && keys[0] === "nixosConfigurations" && keys[1] !== null && keys[2] === "config" && variableName(source, unparen(field(n, "expression")!)) !== null;
    out.push({ node: n, configuration: hoisted && keys[6] !== null ? keys[1]! : null, variant: keys[k - 1] ?? null });
  }
  return out;
}

/** `import ./file.nix` in the flake (applied once more when the file is a function): where its value is used. */
function importsOf(source: string, root: SyntaxNode, flakePath: string, target: string, applied: boolean): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const n of descendants(root)) {
    if (n.type !== "apply_expression") continue;
    const fn = unparen(field(n, "function")!);
    if (fn.type !== "variable_expression" || variableName(source, fn) !== "import") continue;
    const arg = field(n, "argument");
    const p = arg ? relativePath(source, arg, flakePath) : null;
    if (p === null || (p !== target && joinPath(p, "default.nix") !== target)) continue;
    let use: SyntaxNode = n;
    while (use.parent?.type === "parenthesized_expression") use = use.parent;
    if (applied) {
      if (use.parent?.type !== "apply_expression" || use.field !== "function") continue;
      use = use.parent;
    }
    out.push(use);
  }
  return out;
}

/** The attrpath (normalized text) of the binding whose value `node` is, if it is one. */
function bindingKey(source: string, node: SyntaxNode): string | null {
  let n = node;
  while (n.parent?.type === "parenthesized_expression") n = n.parent;
  if (n.field !== "expression" || n.parent?.type !== "binding") return null;
  const path = field(n.parent, "attrpath");
  return path ? normalized(source, path) : null;
}

/** Every binding's attrpath (normalized) -> the lines it is on. */
function bindingLines(source: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const tree = parseNix(source);
  for (const n of descendants(tree.root)) {
    if (n.type !== "binding") continue;
    const path = field(n, "attrpath");
    if (!path) continue;
    const k = normalized(source, path);
    out.set(k, [...(out.get(k) ?? []), lineOf(source, n.start)]);
  }
  return out;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/**
 * Maps a line of `after` to the line of `before` it replaced: in a changed
 * block, the k-th new line to the k-th old one (an inserted line: the line it
 * was inserted before).
 */
function lineMap(before: string, after: string): (lineAfter: number) => number {
  const beforeLines = before.split("\n");
  const toBefore: number[] = [];
  let a = 0;
  let removed: number[] = [];
  let added = 0;
  for (const op of lineOps(beforeLines, after.split("\n"))) {
    if (op.kind === "-") removed.push(++a);
    else if (op.kind === "+") toBefore.push(removed[added++] ?? removed[removed.length - 1] ?? a + 1);
    else {
      removed = [];
      added = 0;
      toBefore.push(++a);
    }
  }
  return (line) => Math.min(toBefore[line - 1] ?? a, Math.max(1, beforeLines.length));
}
