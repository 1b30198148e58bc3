/**
 * unused-generators-input: once nothing in flake.nix uses nixos-generators any
 * more, remove the input (every `inputs.<name>…` definition), its outputs
 * formal, and aliases left dead (`gen = nixos-generators.nixosGenerate;`,
 * `inherit (nixos-generators) nixosGenerate;`, `with nixos-generators;`).
 * Runs after the passes that migrate uses, on their result. When the flake
 * hands its whole `inputs` to modules, the module files it refers to are read
 * first; if they cannot be read the input stays.
 */
import { sortEdits, type TextEdit } from "../src/edits.js";
import type { SyntaxNode } from "../src/parse.js";
import type { PassContext, PassOutput, RawFinding, Transform } from "../src/types.js";
import { attrName, descendants, entries, field, fields, inheritedNames } from "../src/nix/ast.js";
import { generatorsViews, type GeneratorsView } from "../src/nix/generators.js";
import { removeEntry, removeFormal, removeInheritedName } from "../src/nix/layout.js";
import { resolveName, variableName, type Definition } from "../src/nix/scope.js";
import { reachableFiles } from "../src/nix/module-graph.js";

export const unusedGeneratorsInput: Transform = {
  id: "unused-generators-input",
  summary: "remove the nixos-generators input once nothing uses it",
  // any .nix file that is a flake (a flake.nix reached through a symlink may have another name)
  appliesTo: (path) => path.endsWith(".nix"),
  needles: ["nixos-generators"],
  input: "nix",
  run: (ctx) => new InputRemoval(ctx).run(),
};

export default unusedGeneratorsInput;

const BUILTIN_NAMES = new Set([
  "builtins", "import", "toString", "map", "true", "false", "null", "throw", "abort", "baseNameOf", "dirOf", "isNull",
  "removeAttrs", "derivation", "fetchTarball", "fetchGit", "fetchurl", "placeholder", "scopedImport", "__curPos",
]);

interface Alias {
  /** The let / rec set that binds it. */
  readonly scope: SyntaxNode;
  readonly name: string;
  readonly entry: SyntaxNode;
}

class InputRemoval {
  private readonly src: string;
  private readonly findings: RawFinding[] = [];
  /** What the edits so far remove (dead aliases, `let`s, `with`s): references inside them do not count. */
  private removed = new RangeSet();
  /** name -> its variable_expression nodes, in document order (built once). */
  private variablesByName: Map<string, SyntaxNode[]> | null = null;

  constructor(private readonly ctx: PassContext) {
    this.src = ctx.text;
  }

  run(): PassOutput {
    const root = this.ctx.file!.root;
    // every nixos-generators input of the flake (usually one; two when it is there under two names)
    const edits: TextEdit[] = [];
    const formals: SyntaxNode[] = [];
    const views = generatorsViews(this.src, root, this.ctx.path, this.ctx.project);
    const gone = new Set<string>();
    /** Why each input that stays stays (its findings of the last round that looked at it). */
    const kept = new Map<string, RawFinding[]>();
    // Twice when there are two: an input kept because the other follows it (`inputs.b.inputs.x.follows = "a"`)
    // is free once the other goes in this run (else the next run would remove it: not idempotent).
    for (let round = 0; round < Math.min(views.length, 2); round++) {
      const found = gone.size;
      for (const [i, view] of views.entries()) {
        if (!view.flake?.outputs || !view.input) break;
        if (gone.has(view.name)) continue;
        // an input that stays removes nothing: what its dead aliases would have removed must not hide uses of the next
        const before = this.removed.copy();
        const reported = this.findings.length;
        const mine = this.removeInput(view, root, gone);
        if (!mine) {
          this.removed = before;
          kept.set(view.name, this.findings.splice(reported));
          continue;
        }
        kept.delete(view.name);
        if (i > 0 && overlap([...edits, ...mine.edits])) break; // left for the next run
        gone.add(view.name);
        edits.push(...mine.edits);
        if (mine.formal) formals.push(mine.formal);
      }
      if (gone.size === found) break;
    }
    for (const reasons of kept.values()) this.findings.push(...reasons);
    // neighbouring formals go together (each alone would take the comma between them)
    formals.sort((a, b) => a.index - b.index);
    for (let k = 0; k < formals.length; ) {
      let j = k;
      while (j + 1 < formals.length && onlyPunctuationBetween(formals[j]!, formals[j + 1]!)) j++;
      edits.push(...removeFormal(this.src, formals[k]!, formals[j]!));
      k = j + 1;
    }
    return this.result(edits);
  }

  /** Edits that remove one generators input (and its dead aliases) and its formal, or null when it stays. */
  private removeInput(view: GeneratorsView, root: SyntaxNode, gone: ReadonlySet<string>): { edits: TextEdit[]; formal: SyntaxNode | null } | null {
    if (!view.flake?.outputs || !view.input) return null;
    const edits = this.deadAliases(view, root);
    const G = view.name;

    const live = this.sites(view, root).filter((s) => !this.isRemoved(s));
    if (live.length) {
      // still used: keep it, and keep the aliases too (they may be what uses it)
      const s = live[0]!;
      this.finding(s, "generators-input-kept", `the nixos-generators input \`${G}\` stays: it is still used here${live.length > 1 ? ` and in ${live.length - 1} more place(s)` : ""}; migrate or remove those uses, then run again`);
      return null;
    }
    const dependent = view.flake.allFollows.find((f) => !gone.has(f.input) && (f.target === G || f.target.startsWith(G + "/")));
    if (dependent) {
      this.finding(dependent.node, "generators-input-kept", `the nixos-generators input \`${G}\` stays: input \`${dependent.input}\` follows "${dependent.target}"; point it at another input (e.g. "nixpkgs"), then run again`);
      return null;
    }
    const escape = this.inputsEscape(view);
    if (escape) {
      const checked = this.moduleFilesUsing(G);
      if (checked === null) {
        this.finding(escape, "generators-input-kept", `the nixos-generators input \`${G}\` stays: the flake passes its inputs on here and the module files could not be read to check them; if no module uses \`inputs.${G}\`, remove the input`);
        return null;
      }
      if (!checked.complete) {
        this.finding(escape, "generators-input-kept", `the nixos-generators input \`${G}\` stays: the flake passes its inputs on here and more than ${checked.files} files are reachable from flake.nix, more than this tool reads to check them; if no module uses \`inputs.${G}\`, remove the input`);
        return null;
      }
      if (checked.users.length) {
        this.finding(escape, "generators-input-kept", `the nixos-generators input \`${G}\` stays: ${checked.users.join(", ")} still ${checked.users.length === 1 ? "refers" : "refer"} to it through the inputs passed on here; migrate or remove those uses, then run again`);
        return null;
      }
      this.finding(escape, "unused-input-check", `the flake passes its inputs on here; \`${G}\` was removed after checking the ${checked.files} module file(s) reachable from flake.nix; modules loaded another way (directory listings, other flakes) were not checked`);
    }
    for (const def of view.input.definitions) edits.push(removeEntry(this.src, def));
    return { edits, formal: view.flake.outputs.formalNames.get(G) ?? null };
  }

  /** References to the generators input: `G`, `inputs.G…`, `inherit (inputs) G`. */
  private sites(view: GeneratorsView, root: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (const n of descendants(root)) {
      if (n.type === "variable_expression") {
        const r = view.ref(n);
        if (r && r.input === view.name && r.path.length === 0 && variableName(this.src, n) === view.name) out.push(n);
      } else if (n.type === "select_expression") {
        const b = view.ref(field(n, "expression")!);
        const first = fields(field(n, "attrpath")!, "attr")[0];
        if (b && b.input === null && b.path.length === 0 && first && attrName(this.src, first) === view.name) out.push(n);
      } else if (n.type === "inherit_from") {
        const b = view.ref(field(n, "expression")!);
        if (b && b.input === null && inheritedNames(this.src, n).some((x) => x.name === view.name)) out.push(n);
      } else if (n.type === "inherit") {
        // `specialArgs = { inherit nixos-generators; }` passes the input on
        const hit = inheritedNames(this.src, n).find((x) => x.name === view.name);
        const d = hit ? resolveName(this.src, n, view.name).definition : null;
        if (hit && d?.kind === "formal" && d.scope === view.flake!.outputs!.fn) out.push(hit.node);
      }
    }
    return out;
  }

  /** Aliases of anything inside the input that nothing uses, and `with <input>;` that supplies nothing used. */
  private deadAliases(view: GeneratorsView, root: SyntaxNode): TextEdit[] {
    const aliases: Alias[] = [];
    const inherits = new Map<SyntaxNode, Alias[]>();
    const withs: SyntaxNode[] = [];
    for (const n of descendants(root)) {
      const scope = n.parent?.parent;
      const inScope = !!scope && (scope.type === "let_expression" || scope.type === "rec_attrset_expression");
      if (n.type === "binding" && inScope) {
        const value = field(n, "expression");
        const keys = fields(field(n, "attrpath")!, "attr");
        const name = keys.length === 1 ? attrName(this.src, keys[0]!) : null;
        if (value && name && view.isGenerators(value)) aliases.push({ scope: scope!, name, entry: n });
      } else if (n.type === "inherit_from" && inScope && view.isGenerators(field(n, "expression")!)) {
        const list = inheritedNames(this.src, n).map((x) => ({ scope: scope!, name: x.name, entry: n }));
        inherits.set(n, list);
        for (const a of list) aliases.push(a);
      } else if (n.type === "with_expression" && view.isGenerators(field(n, "environment")!, [])) {
        withs.push(n);
      }
    }
    const dead = new Set<Alias>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const a of aliases) {
        if (dead.has(a) || this.used(a)) continue;
        dead.add(a);
        if (a.entry.type === "binding" || inherits.get(a.entry)!.every((x) => dead.has(x))) this.removed.push(a.entry);
        changed = true;
      }
    }
    const edits: TextEdit[] = [];
    // per let: a let left empty goes entirely
    const byScope = new Map<SyntaxNode, Set<SyntaxNode>>();
    for (const a of dead) {
      if (a.entry.type === "inherit_from" && !inherits.get(a.entry)!.every((x) => dead.has(x))) {
        edits.push(removeInheritedName(this.src, a.entry, a.name)!);
        continue;
      }
      const set = byScope.get(a.scope) ?? new Set();
      set.add(a.entry);
      byScope.set(a.scope, set);
    }
    for (const [scope, gone] of byScope) {
      const body = field(scope, "body");
      if (scope.type === "let_expression" && body && gone.size === entries(scope).length) {
        edits.push({ start: scope.start, end: body.start, text: "" });
        this.removed.push({ start: scope.start, end: body.start });
      } else for (const e of gone) edits.push(removeEntry(this.src, e));
    }
    const unbound = withs.length ? this.unboundVariables() : [];
    for (const w of withs) {
      if (!this.withSuppliesNothing(w, unbound)) continue;
      const body = field(w, "body")!;
      edits.push({ start: w.start, end: body.start, text: "" });
      this.removed.push({ start: w.start, end: body.start });
    }
    return edits;
  }

  /** Is the alias referenced outside removed code? */
  private used(a: Alias): boolean {
    if (!this.variablesByName) {
      this.variablesByName = new Map();
      for (const n of descendants(this.ctx.file!.root)) {
        if (n.type !== "variable_expression") continue;
        const name = variableName(this.src, n)!;
        const list = this.variablesByName.get(name);
        if (list) list.push(n);
        else this.variablesByName.set(name, [n]);
      }
    }
    for (const n of this.variablesByName.get(a.name) ?? []) {
      if (n.start < a.scope.start || n.end > a.scope.end) continue;
      const d = resolveName(this.src, n, a.name).definition;
      if (!d || d.scope !== a.scope || !sameEntry(d, a.entry)) continue;
      if (!this.isRemoved(n)) return true;
    }
    return false;
  }

  /**
   * Start offsets, sorted, of the variables that no lexical binding supplies and
   * that are not builtins, outside what dead aliases remove: the names a `with` could supply.
   */
  private unboundVariables(): number[] {
    const out: number[] = [];
    for (const n of descendants(this.ctx.file!.root)) {
      if (n.type !== "variable_expression") continue;
      const name = variableName(this.src, n)!;
      if (resolveName(this.src, n, name).definition || BUILTIN_NAMES.has(name) || this.isRemoved(n)) continue;
      out.push(n.start);
    }
    return out;
  }

  /**
   * Every name under the `with` that no lexical binding supplies is a builtin.
   * (`unbound` was computed before any `with` was found dead: the environment of
   * a dead `with` is the input, never an unbound name.)
   */
  private withSuppliesNothing(w: SyntaxNode, unbound: readonly number[]): boolean {
    const body = field(w, "body")!;
    let lo = 0;
    let hi = unbound.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (unbound[mid]! < body.start) lo = mid + 1;
      else hi = mid;
    }
    return !(lo < unbound.length && unbound[lo]! < body.end);
  }

  /** The whole inputs set used as a value (`specialArgs = { inherit inputs; }`): where, or null. */
  private inputsEscape(view: GeneratorsView): SyntaxNode | null {
    const P = view.flake!.outputs!.inputsParam;
    if (!P) return null;
    const isParam = (d: Definition | null) => d?.kind === "param" && d.scope === view.flake!.outputs!.fn;
    for (const n of descendants(this.ctx.file!.root)) {
      if (n.type === "variable_expression" && variableName(this.src, n) === P) {
        if (!isParam(resolveName(this.src, n, P).definition)) continue;
        if (n.parent?.type === "select_expression" && n.field === "expression") continue;
        if (n.parent?.type === "inherit_from") continue;
        return n;
      }
      if (n.type === "inherit" && inheritedNames(this.src, n).some((x) => x.name === P) && isParam(resolveName(this.src, n, P).definition)) return n;
    }
    return null;
  }

  /** Files reachable through relative paths from flake.nix that mention the input; null if none could be read. */
  private moduleFilesUsing(G: string): { users: string[]; files: number; complete: boolean } | null {
    const { files, complete } = reachableFiles(this.src, this.ctx.file!.root, this.ctx.path, this.ctx.project);
    if (!files.length) return null;
    return { users: files.filter((f) => f.source.includes(G)).map((f) => f.path), files: files.length, complete };
  }

  private isRemoved(n: { start: number; end: number }): boolean {
    return this.removed.covers(n);
  }

  private finding(node: { start: number; end: number }, rule: string, message: string) {
    this.findings.push({ rule, message, start: node.start, end: node.end });
  }

  private result(edits: TextEdit[]): PassOutput {
    return { edits: edits.length ? [{ path: this.ctx.path, edits }] : [], findings: this.findings };
  }
}

function overlap(edits: readonly TextEdit[]): boolean {
  try {
    sortEdits(edits);
    return false;
  } catch {
    return true;
  }
}

/** Only commas and comments between two formals of the same set? */
function onlyPunctuationBetween(a: SyntaxNode, b: SyntaxNode): boolean {
  const kids = a.parent!.children;
  for (let i = a.index + 1; i < b.index; i++) if (kids[i]!.type !== "," && kids[i]!.type !== "comment") return false;
  return true;
}

function sameEntry(d: Definition, entry: SyntaxNode): boolean {
  return (d.kind === "binding" || d.kind === "inherit-from" || d.kind === "inherit") && d.entry === entry;
}

/**
 * Ranges of text, as a sorted list of disjoint intervals (overlapping or nested
 * ranges merge): `covers` is a binary search, so files with many removed
 * aliases or `with`s stay linear.
 */
class RangeSet {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  push(r: { start: number; end: number }): void {
    let start = r.start;
    let end = r.end;
    if (start >= end) return; // removes nothing
    // first interval that ends after start (could overlap)
    let i = this.firstEndingAfter(start);
    let j = i;
    while (j < this.starts.length && this.starts[j]! < end) {
      start = Math.min(start, this.starts[j]!);
      end = Math.max(end, this.ends[j]!);
      j++;
    }
    this.starts.splice(i, j - i, start);
    this.ends.splice(i, j - i, end);
  }

  copy(): RangeSet {
    const c = new RangeSet();
    c.starts.push(...this.starts);
    c.ends.push(...this.ends);
    return c;
  }

  covers(n: { start: number; end: number }): boolean {
    const i = this.firstEndingAfter(n.start);
    return i < this.starts.length && this.starts[i]! <= n.start && n.end <= this.ends[i]!;
  }

  /** Index of the first interval whose end is > offset. */
  private firstEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
