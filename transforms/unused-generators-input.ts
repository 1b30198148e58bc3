/**
 * unused-generators-input: once nothing in flake.nix uses nixos-generators any
 * more, remove the input (every `inputs.<name>…` definition), its outputs
 * formal, and aliases left dead (`gen = nixos-generators.nixosGenerate;`,
 * `inherit (nixos-generators) nixosGenerate;`, `with nixos-generators;`).
 * Runs after the passes that migrate uses, on their result. When the flake
 * hands its inputs on (`inputs` or `self` as a value: specialArgs, an
 * imported file's arguments), the files it refers to are read first; the input
 * stays while one of them still uses it (each such use gets a warning), or
 * when they cannot be read.
 */
import type { Rule } from "./unused-generators-input.meta.js";
import { meta } from "./unused-generators-input.meta.js";
import { sortEdits, type TextEdit } from "../src/edits.js";
import type { ParsedNix, SyntaxNode } from "../src/parse.js";
import type { PassContext, PassOutput, RawFinding, Transform } from "../src/types.js";
import { attrName, descendants, entries, field, fields, inheritedNames, textOf, unparen } from "../src/nix/ast.js";
import { generatorsReferences, generatorsView, generatorsViews, throughSelf, type GeneratorsView } from "../src/nix/generators.js";
import { evalName } from "../src/nix/refs.js";
import { LineIndex } from "../src/text.js";
import { removeEntry, removeFormal, removeInheritedName, removeScopeEntries } from "../src/nix/layout.js";
import { resolveName, variableName, type Definition } from "../src/nix/scope.js";
import { reachableFiles } from "../src/nix/module-graph.js";

export const unusedGeneratorsInput: Transform<typeof meta.rules> = {
  id: "unused-generators-input",
  ...meta,
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
  /** The name's node in an `inherit (…)` entry. */
  readonly node?: SyntaxNode;
}

class InputRemoval {
  private readonly src: string;
  private readonly findings: RawFinding<Rule>[] = [];
  /** What the edits so far remove (dead aliases, `let`s, `with`s): references inside them do not count. */
  private removed = new RangeSet();
  /** name -> its variable_expression nodes, in document order (built once). */
  private variablesByName: Map<string, SyntaxNode[]> | null = null;

  constructor(private readonly ctx: PassContext) {
    this.src = ctx.text;
  }

  run(): PassOutput<Rule> {
    const root = this.ctx.file!.root;
    // every nixos-generators input of the flake (usually one; two when it is there under two names)
    const edits: TextEdit[] = [];
    const formals: SyntaxNode[] = [];
    const views = generatorsViews(this.src, root, this.ctx.path, this.ctx.project);
    // a module or library file: only its dead aliases go (`let inherit (self.inputs) nixos-generators; in …`
    // left behind by the migration of its calls); the input is the flake's to remove
    if (!views[0]?.flake) {
      if (!views[0]) return this.result([]);
      const dead = this.deadAliases(views[0], root, true);
      // `{ self, nixos-generators, ... }:` given the flake's inputs: a formal nothing uses any more would
      // require the input the flake removes (an ellipsis takes what the flake still passes)
      const formal = this.unusedInputFormal(views[0].name);
      return this.result(formal?.ellipsis ? [...dead, ...removeFormal(this.src, formal.node)] : dead);
    }
    const gone = new Set<string>();
    /** Why each input that stays stays (its findings of the last round that looked at it). */
    const kept = new Map<string, RawFinding<Rule>[]>();
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
        const where = checked.users.map((u) => `${u.path}:${u.line}`).join(", ");
        this.finding(escape, "generators-input-kept", `the nixos-generators input \`${G}\` stays: ${where} still ${checked.users.length === 1 ? "uses" : "use"} it through the inputs passed on here; migrate or remove those uses, then run again`);
        return null;
      }
      this.finding(escape, "unused-input-check", `the flake passes its inputs on here; \`${G}\` was removed after checking the ${checked.files} module file(s) reachable from flake.nix; modules loaded another way (directory listings, other flakes) were not checked`);
    }
    for (const def of view.input.definitions) edits.push(removeEntry(this.src, def));
    return { edits, formal: view.flake.outputs.formalNames.get(G) ?? null };
  }

  /**
   * References to the generators input however it is reached (`G`, `inputs.G…`, `self.inputs.G…`,
   * `inherit (inputs) G`, an alias's use), and `inherit G;` passing the input on.
   */
  private sites(view: GeneratorsView, root: SyntaxNode): SyntaxNode[] {
    const out = generatorsReferences(view, root).map((r) => r.node);
    for (const n of descendants(root)) {
      if (n.type === "inherit_from") {
        const b = view.ref(field(n, "expression")!);
        const hit = b && b.input === null && b.path.length === 0 ? inheritedNames(this.src, n).find((x) => x.name === view.name) : undefined;
        if (hit) out.push(hit.node);
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
  private deadAliases(view: GeneratorsView, root: SyntaxNode, letOnly = false): TextEdit[] {
    const aliases: Alias[] = [];
    const inherits = new Map<SyntaxNode, Alias[]>();
    const withs: SyntaxNode[] = [];
    for (const n of descendants(root)) {
      const scope = n.parent?.parent;
      // a rec set's binding is also an attribute others may select: only a flake's are taken for dead
      const inScope = !!scope && (scope.type === "let_expression" || (!letOnly && scope.type === "rec_attrset_expression"));
      if (n.type === "binding" && inScope) {
        const value = field(n, "expression");
        const keys = fields(field(n, "attrpath")!, "attr");
        const name = keys.length === 1 ? attrName(this.src, keys[0]!) : null;
        if (value && name && view.isGenerators(value)) aliases.push({ scope: scope!, name, entry: n });
      } else if (n.type === "inherit_from" && inScope) {
        const from = view.ref(field(n, "expression")!);
        const names = inheritedNames(this.src, n);
        // `inherit (nixos-generators) nixosGenerate;` binds only aliases; `inherit (inputs) nixos-generators nixpkgs;` one
        const list = (view.isGenerators(field(n, "expression")!) ? names
          : from && from.input === null && from.path.length === 0 ? names.filter((x) => x.name === view.name) : [])
          .map((x) => ({ scope: scope!, name: x.name, entry: n, node: x.node }));
        if (list.length) inherits.set(n, list);
        for (const a of list) aliases.push(a);
      } else if (n.type === "with_expression" && view.isGenerators(field(n, "environment")!, [])) {
        withs.push(n);
      }
    }
    const dead = new Set<Alias>();
    /** Every name the entry inherits is a dead alias (an `inherit (inputs) …` may also bind live inputs). */
    const wholeEntryDead = (entry: SyntaxNode) =>
      inheritedNames(this.src, entry).every((x) => inherits.get(entry)!.some((a) => a.name === x.name && dead.has(a)));
    for (let changed = true; changed; ) {
      changed = false;
      for (const a of aliases) {
        if (dead.has(a) || this.used(a)) continue;
        dead.add(a);
        this.removed.push(a.entry.type === "binding" || wholeEntryDead(a.entry) ? a.entry : a.node!);
        changed = true;
      }
    }
    const edits: TextEdit[] = [];
    // per let: a let left empty goes entirely
    const byScope = new Map<SyntaxNode, Set<SyntaxNode>>();
    for (const a of dead) {
      if (a.entry.type === "inherit_from" && !wholeEntryDead(a.entry)) {
        edits.push(removeInheritedName(this.src, a.entry, a.name)!);
        continue;
      }
      const set = byScope.get(a.scope) ?? new Set();
      set.add(a.entry);
      byScope.set(a.scope, set);
    }
    for (const [scope, gone] of byScope) {
      // what they remove (a whole `let … in`, too): references inside do not count
      for (const e of removeScopeEntries(this.src, scope, gone)) {
        edits.push(e);
        this.removed.push(e);
      }
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

  /**
   * Where the flake hands its inputs on, or null: the inputs set or `self` (whose `inputs` they are) used as a
   * value (`specialArgs = { inherit inputs; }`, `import ./images.nix { inherit self; }`, `inherit (self) inputs;`).
   * Selecting from them (`inputs.nixpkgs.lib`, `self.nixosConfigurations`) is not handing them on.
   */
  private inputsEscape(view: GeneratorsView): SyntaxNode | null {
    const whole = (r: { input: string | null; path: readonly string[] } | null) => !!r && r.path.length === 0 && (r.input === null || r.input === "self");
    for (const n of descendants(this.ctx.file!.root)) {
      if (n.type === "variable_expression" || n.type === "select_expression") {
        if (n.parent?.type === "select_expression" && n.field === "expression") continue;
        if (n.parent?.type === "inherit_from") continue;
        if (!this.isRemoved(n) && whole(view.ref(n))) return n;
      } else if (n.type === "inherit") {
        const passed = inheritedNames(this.src, n).some((x) => whole(throughSelf(evalName(this.src, n, x.name, view.roots))));
        if (passed && !this.isRemoved(n)) return n;
      } else if (n.type === "inherit_from") {
        const from = view.ref(field(n, "expression")!);
        if (from?.input === "self" && from.path.length === 0 && inheritedNames(this.src, n).some((x) => x.name === "inputs") && !this.isRemoved(n)) return n;
      }
    }
    return null;
  }

  /**
   * Uses of the input in the files reachable through relative paths from flake.nix (after the other passes
   * migrated what they could); null if none could be read. A file that does not parse counts as a use.
   */
  private moduleFilesUsing(G: string): { users: { path: string; line: number }[]; files: number; complete: boolean } | null {
    const { files, complete } = reachableFiles(this.src, this.ctx.file!.root, this.ctx.path, this.ctx.project);
    if (!files.length) return null;
    const users: { path: string; line: number }[] = [];
    // and the other files of this run (modules loaded by directory listings are in the run, not reachable by paths)
    const reached = new Set(files.map((f) => f.path));
    const others = this.ctx.project.given().filter((p) => p !== this.ctx.path && p.endsWith(".nix") && !reached.has(p) && this.ctx.project.read(p)?.includes(G));
    for (const f of [...files, ...others.flatMap((path) => {
      const parsed = this.ctx.project.parse(path);
      return parsed ? [{ path, source: parsed.source, parsed }] : [];
    })]) {
      if (!f.source.includes(G)) continue;
      const use = usesOfInput(f.path, f.source, f.parsed, G, this.ctx);
      if (!use) continue;
      const line = new LineIndex(f.source).lineOf(use.start) + 1;
      users.push({ path: f.path, line });
      this.findings.push({
        path: f.path, rule: "generators-input-kept", start: use.start, end: use.end,
        message: use.why ?? `\`${G}\` is still used here, through the inputs ${this.ctx.path} passes on, so the flake keeps the input: migrate this use (run nixgen-migrate on the repository, or see this line's other findings), then run again`,
      });
    }
    return { users, files: files.length, complete };
  }

  private isRemoved(n: { start: number; end: number }): boolean {
    return this.removed.covers(n);
  }

  /**
   * The file's function formal named like the input (`{ self, nixos-generators, ... }:` of a file the
   * flake calls with its inputs) when nothing outside what this run removes refers to it; whether its
   * formals end in `...` (only then can it go: without, the flake's call must still pass it).
   */
  unusedInputFormal(G: string): { node: SyntaxNode; ellipsis: boolean } | null {
    let fn = unparen(field(this.ctx.file!.root, "expression") ?? this.ctx.file!.root);
    while (fn.type === "let_expression") fn = unparen(field(fn, "body")!);
    const formals = fn.type === "function_expression" ? field(fn, "formals") : null;
    if (!formals) return null;
    const node = fields(formals, "formal").find((f) => textOf(this.src, field(f, "name")!) === G);
    if (!node) return null;
    for (const n of descendants(fn)) {
      if (n.type !== "variable_expression" || variableName(this.src, n) !== G || this.isRemoved(n)) continue;
      const d = resolveName(this.src, n, G).definition;
      if (d?.kind === "formal" && d.scope === fn) return null;
    }
    return { node, ellipsis: !!field(formals, "ellipses") };
  }

  /** What this file's own run removes as dead aliases of the view's input (a module file's run: let-bound only). */
  deadAliasesOf(view: GeneratorsView): void {
    this.deadAliases(view, this.ctx.file!.root, true);
  }

  /** Does what was computed remove this node? */
  removes(n: { start: number; end: number }): boolean {
    return this.isRemoved(n);
  }

  private finding(node: { start: number; end: number }, rule: Rule, message: string) {
    this.findings.push({ rule, message, start: node.start, end: node.end });
  }

  private result(edits: TextEdit[]): PassOutput<Rule> {
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

/** Names under which a module file may hold the inputs (besides the view's roots): `args.inputs.G`, `inputs'.G`. */
const INPUTS_KEYS = new Set(["inputs", "inputs'", "flakeInputs", "flake-inputs"]);

/**
 * Where a file reached from the flake uses input G: references its arguments resolve to (`inputs.G`,
 * `self.inputs.G`, a `G` argument), and any select that names `….inputs.G` through something else
 * (`args.inputs.G`). A package of the same name (`pkgs.nixos-generators`, `with pkgs; [ nixos-generators ]`),
 * comments and prose in strings are not uses. A file that does not parse: its first mention.
 */
function usesOfInput(path: string, source: string, parsed: ParsedNix, G: string, ctx: PassContext): { start: number; end: number; why?: string } | null {
  if (parsed.error) {
    const at = source.indexOf(G);
    return { start: at, end: at + G.length };
  }
  const view = generatorsView(source, parsed.root, path, ctx.project);
  const out: { start: number; end: number }[] = [];
  if (view) for (const r of generatorsReferences(view, parsed.root)) if (r.ref.input === view.name) out.push(r.node);
  const lastKey = (n: SyntaxNode): string | null =>
    n.type === "variable_expression" ? variableName(source, n)
      : n.type === "select_expression" ? attrName(source, fields(field(n, "attrpath")!, "attr").at(-1)!) : null;
  const covered = (n: SyntaxNode) => out.some((o) => o.start <= n.start && n.end <= o.end);
  for (const n of descendants(parsed.root)) {
    if (n.type === "select_expression") {
      const seq = [lastKey(field(n, "expression")!), ...fields(field(n, "attrpath")!, "attr").map((a) => attrName(source, a))];
      if (seq.some((k, i) => k === G && i > 0 && INPUTS_KEYS.has(seq[i - 1] ?? "")) && !covered(n)) out.push(n);
    } else if (n.type === "inherit_from") {
      const from = lastKey(unparen(field(n, "expression")!));
      const hit = INPUTS_KEYS.has(from ?? "") ? inheritedNames(source, n).find((x) => x.name === G) : undefined;
      if (hit && !covered(hit.node)) out.push(hit.node);
    }
  }
  if (!view) return out[0] ?? null;
  // what this file's own run of the pass removes as dead (an alias its migrated calls no longer use) is no use
  const file = new InputRemoval({ ...ctx, path, text: source, file: parsed });
  file.deadAliasesOf(view);
  // a formal that needs the input: one nothing uses goes in the file's own run when it can (`...`) and the file is in the run
  const formal = file.unusedInputFormal(G);
  const use = out.sort((a, b) => a.start - b.start).find((n) => !file.removes(n));
  if (use || !formal || (formal.ellipsis && ctx.project.given().includes(path))) return use ?? null;
  const { start, end } = formal.node;
  return formal.ellipsis
    ? { start, end, why: `\`${G}\` is an argument of this function, which nothing here uses any more: remove it from these formals (running nixgen-migrate on this file too does), then run again; without the input the flake's call would fail` }
    : { start, end, why: `\`${G}\` is an argument of this function, which nothing here uses any more, and its formals have no \`...\`: the flake must pass it, so the input stays; remove \`${G}\` from these formals, then run again` };
}
