// How a file reaches nixos-generators: in flake.nix through the outputs
// function (`{ nixos-generators, … }:`, `inputs@{ … }`, `self.inputs`), in
// other files through an argument `inputs` (passed via specialArgs,
// _module.args or `import ./x.nix { inherit inputs; }`), `self` (its
// `inputs`), flake-parts' `inputs'`, or an argument named like the input.
// Shared by the passes that migrate uses and the one that removes the input.
import type { SyntaxNode } from "../parse.js";
import type { ProjectView } from "../types.js";
import { dirname, joinPath } from "../paths.js";
import { descendants } from "./ast.js";
import { analyzeFlake, generatorsInputs, type FlakeInfo, type FlakeInput } from "./flake.js";
import { evalRef, outputsRoots, type InputRef, type RefRoots } from "./refs.js";
import type { Definition } from "./scope.js";

export interface GeneratorsView {
  /**
   * Name of the nixos-generators input (`nixos-generators` unless the flake calls it otherwise).
   * References through another name the view accepts (see generatorsViews) come back under this one.
   */
  readonly name: string;
  readonly roots: RefRoots;
  /** The flake (flake.nix only). */
  readonly flake: FlakeInfo | null;
  readonly input: FlakeInput | null;
  /** Evaluate an expression to an input reference. */
  ref(node: SyntaxNode): InputRef | null;
  /** Does this expression denote `<generators>.<path…>`? */
  isGenerators(node: SyntaxNode, path?: readonly string[]): boolean;
}

/** Arguments that hold the flake's inputs (flake-parts' `inputs'` holds them per system: `inputs'.x.packages.…`). */
const INPUTS_PARAM_NAMES = new Set(["inputs", "flakeInputs", "flake-inputs", "inputs'"]);
/** An argument that holds the flake itself (`specialArgs = { inherit self; }`), whose `inputs` are the inputs. */
const SELF_NAME = "self";
/** What the input is called when no flake says otherwise. */
const DEFAULT_NAME = "nixos-generators";

/** The generators input name a module file should assume: from the nearest flake.nix, else the default. */
function nameFromNearestFlake(path: string, project: ProjectView, parse: (p: string) => { root: SyntaxNode; source: string } | undefined): string {
  let dir = dirname(path);
  for (let i = 0; i < 32; i++) {
    const candidate = joinPath(dir, "flake.nix");
    if (candidate !== path && project.inside(candidate)) {
      const parsed = parse(candidate);
      if (parsed) {
        const flake = analyzeFlake(parsed.source, parsed.root);
        const g = flake ? generatorsInputs(flake)[0] : undefined;
        if (g) return g.name;
        if (flake) break;
      }
    }
    const up = dirname(dir);
    if (up === dir || dir === "." || dir === "/") break;
    dir = up;
  }
  return DEFAULT_NAME;
}

/** The view of the file's (first) nixos-generators input: see generatorsViews. */
export function generatorsView(source: string, root: SyntaxNode, path: string, project: ProjectView): GeneratorsView | null {
  return generatorsViews(source, root, path, project)[0] ?? null;
}

/**
 * One view per nixos-generators input of a flake (a flake may, oddly, have two), the
 * ones the outputs use first; other files have one view. Built at once: with two
 * inputs, ordering them walks the whole tree per input.
 */
export function generatorsViews(source: string, root: SyntaxNode, path: string, project: ProjectView): GeneratorsView[] {
  const flake = analyzeFlake(source, root);
  if (flake?.outputs) {
    const roots = outputsRoots(flake.outputs.fn);
    const views = generatorsInputs(flake).map((i) => make(source, i.name, roots, flake, i));
    if (views.length < 2) return views;
    // the inputs the outputs use come first: with two, the one the calls go through is the one migrated
    const used = views.filter((v) => generatorsReferences(v, root).length > 0);
    return [...used, ...views.filter((v) => !used.includes(v))];
  }
  const name = nameFromNearestFlake(path, project, (p) => {
    const parsed = project.parse(p);
    return parsed && !parsed.error ? { root: parsed.root, source: parsed.source } : undefined;
  });
  // A module file also takes the conventional name: one that says `inputs.nixos-generators` under a
  // flake that renamed the input means nixos-generators all the same, and once the flake's input is
  // gone that is the only name left (a second run would migrate it anyway).
  const alias = name === DEFAULT_NAME ? null : DEFAULT_NAME;
  // any function argument called `inputs` is the flake's inputs; one called like the input is the input
  const roots: RefRoots = {
    root: (def: Definition) => {
      if (def.kind !== "formal" && def.kind !== "param") return null;
      if (def.name === name || def.name === alias) return { input: name, path: [] };
      if (INPUTS_PARAM_NAMES.has(def.name)) return { input: null, path: [] };
      if (def.name === SELF_NAME) return { input: "self", path: [] };
      return null;
    },
  };
  return [make(source, name, roots, null, null, alias)];
}

/**
 * `self.inputs…` is the inputs set (a flake's `self` carries its `inputs`): `self.inputs.x.y` is input x's `y`,
 * `self.inputs` the whole set.
 */
export function throughSelf(r: InputRef | null): InputRef | null {
  if (!r || r.input !== SELF_NAME || r.path[0] !== "inputs") return r;
  return r.path.length === 1 ? { input: null, path: [] } : { input: r.path[1]!, path: r.path.slice(2) };
}

function make(source: string, name: string, roots: RefRoots, flake: FlakeInfo | null, input: FlakeInput | null, alias: string | null = null): GeneratorsView {
  const ref = (node: SyntaxNode): InputRef | null => {
    const r = throughSelf(evalRef(source, node, roots));
    return r && alias !== null && r.input === alias ? { ...r, input: name } : r;
  };
  return {
    name,
    roots,
    flake,
    input,
    ref,
    isGenerators(node, path) {
      const r = ref(node);
      if (!r || r.input !== name) return false;
      if (!path) return true;
      return r.path.length === path.length && r.path.every((p, i) => p === path[i]);
    },
  };
}

/** Every select/variable that denotes something inside the generators input (outermost nodes only). */
export function generatorsReferences(view: GeneratorsView, root: SyntaxNode): { node: SyntaxNode; ref: InputRef }[] {
  const out: { node: SyntaxNode; ref: InputRef }[] = [];
  for (const n of descendants(root)) {
    if (n.type !== "select_expression" && n.type !== "variable_expression") continue;
    // only the outermost select of a chain
    if (n.parent?.type === "select_expression" && n.field === "expression") continue;
    const r = view.ref(n);
    if (r && r.input === view.name) out.push({ node: n, ref: r });
  }
  return out;
}

