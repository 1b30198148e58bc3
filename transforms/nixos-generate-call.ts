/**
 * nixos-generate-call: `nixos-generators.nixosGenerate { format = "qcow"; … }`
 * becomes an image of a NixOS configuration:
 *
 *   nixosConfigurations.<host> = nixpkgs.lib.nixosSystem { … };      (once per distinct configuration)
 *   qcow = self.nixosConfigurations.<host>.config.system.build.images.qemu;
 *
 * or, when the arguments use variables of the call's surroundings (e.g.
 * `system` from `forAllSystems (system: …)`), in place:
 *
 *   qcow = (nixpkgs.lib.nixosSystem { … }).config.system.build.images.qemu;
 *
 * In module and library files that reach the input through `inputs`, calls
 * are always rewritten in place (there is no nixosConfigurations there).
 * Formats without an upstream variant are left alone and reported with a
 * recipe. Removing the input once nothing uses it is a later pass
 * (unused-generators-input).
 */
import { meta } from "./nixos-generate-call.meta.js";
import type { TextEdit } from "../src/edits.js";
import { lookupFormat, type FormatInfo } from "../src/formats.js";
import type { SyntaxNode } from "../src/parse.js";
import type { PassContext, PassOutput, RawFinding, Transform } from "../src/types.js";
import { attrKey, contains, descendants, entries, field, fields, inheritedNames, isAncestor, normalized, outer, stringValue, textOf, unparen, attrName } from "../src/nix/ast.js";
import { compareRelease, lockPathOf, nixpkgsInputFor, pinnedRelease, type FlakeInfo, type FlakeOutputs } from "../src/nix/flake.js";
import { generatorsView, type GeneratorsView } from "../src/nix/generators.js";
import { removeEntry, removeInheritedName, indentAt, startsLine, firstLineComments, stringRanges } from "../src/nix/layout.js";
import { configurationTarget, entriesStartingWith, existingConfigurations, type OutputSet } from "../src/nix/outputs.js";
import { freeVariables, resolveName, variableName, type Definition } from "../src/nix/scope.js";
import { possibleStrings, nameStrings } from "../src/nix/values.js";
import { customVariantName, migrateCustomModule } from "../src/nix/custom-format.js";
import { relativePath } from "../src/nix/module-graph.js";
import { applyEdits } from "../src/edits.js";
import { detectEol, detectIndentUnit, isBlank, lineEndOf, lineStartOf } from "../src/text.js";
import { joinPath } from "../src/paths.js";

const NIXOS_SYSTEM_ARGS = new Set(["system", "modules", "specialArgs", "pkgs", "lib"]);
const KNOWN_ARGS = new Set([...NIXOS_SYSTEM_ARGS, "format", "customFormats", "nixosSystem"]);

interface ArgEntry {
  readonly key: string;
  readonly entry: SyntaxNode;
  readonly kind: "binding" | "inherit" | "inherit-from";
  /** `key = value;` value, or the `inherit (from)` expression. */
  readonly value: SyntaxNode | null;
}

interface Call {
  readonly node: SyntaxNode;
  readonly fn: SyntaxNode;
  readonly args: SyntaxNode;
  readonly argEntries: ArgEntry[];
  /** Possible formats, null when unknown. */
  formats: string[] | null;
  /** Expression text to look the variant up at run time (dynamic formats), null for one literal. */
  formatExpr: string | null;
  infos: FormatInfo[];
  bindingName: string | null;
  /** The nixosConfigurations name, once the call is hoisted. */
  host?: string;
}

interface Group {
  readonly key: string;
  readonly calls: Call[];
  host: string;
  reuse: boolean;
}

const NO_OUTPUT: PassOutput = { edits: [], findings: [] };
/** Lines we write stay under this many columns where we can choose. */
const MAX_LINE = 100;

export const nixosGenerateCall: Transform<typeof meta.rules> = {
  id: "nixos-generate-call",
  ...meta,
  appliesTo: (path) => path.endsWith(".nix"),
  needles: ["nixosGenerate"],
  input: "nix",
  run(ctx) {
    // flake.nix, or any module/library file that reaches the input through `inputs`
    const view = generatorsView(ctx.text, ctx.file!.root, ctx.path, ctx.project);
    if (!view || (view.flake && !view.flake.outputs)) return NO_OUTPUT;
    return new CallMigration(ctx, view).run();
  },
};

export default nixosGenerateCall;

class CallMigration {
  private readonly src: string;
  private readonly edits: TextEdit[] = [];
  private readonly findings: RawFinding[] = [];
  /** The flake's outputs function; null in a module or library file. */
  private readonly outputs: FlakeOutputs | null;
  private readonly flake: FlakeInfo | null;
  private readonly eol: string;
  private readonly unit: string;
  private readonly strings: { start: number; end: number }[];
  /** The nixpkgs release the flake pins ("25.05"), null for unstable or unknown. */
  private nixpkgsRelease: string | null = null;

  constructor(private readonly ctx: PassContext, private readonly view: GeneratorsView) {
    this.src = ctx.text;
    this.flake = view.flake;
    this.outputs = view.flake?.outputs ?? null;
    this.eol = detectEol(this.src);
    this.unit = detectIndentUnit(this.src);
    this.strings = stringRanges(ctx.file!.root);
  }

  run(): PassOutput {
    const calls = this.findCalls();
    if (calls.length === 0) return this.result();
    const np = this.flake ? nixpkgsInputFor(this.flake, this.view.input!) : { name: "nixpkgs", followed: true };
    if (!np) {
      for (const c of calls) this.finding(c.node, "unmigratable-call", "no nixpkgs input found: add `inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-25.05\";` and run again");
      return this.result();
    }

    if (this.flake) {
      this.nixpkgsRelease = pinnedRelease(this.flake, np.name, () => this.ctx.project.read(lockPathOf(this.ctx.path)))?.release ?? null;
    }
    const migratable: Call[] = [];
    for (const call of calls) {
      if (!this.classify(call)) continue;
      if (this.nixpkgsAt(np.name, call.node) === null && !this.arg(call, "nixosSystem")) {
        this.finding(call.node, "unmigratable-call",
          `nixosGenerate here cannot reach nixpkgs: this file has no \`inputs\` (or \`${np.name}\`) argument. Pass the flake's inputs to it (e.g. \`specialArgs = { inherit inputs; };\` and \`{ inputs, ... }:\`), then run again; ` +
          `by hand: \`(inputs.${np.name}.lib.nixosSystem { system = …; modules = …; }).config.system.build.images.${this.variantLabel(call)}\``);
        continue;
      }
      migratable.push(call);
    }

    const target = this.outputs ? configurationTarget(this.src, this.outputs.body) : null;
    const hoisted: Call[] = [];
    const inline: Call[] = [];
    for (const call of migratable) {
      const why = !this.outputs
        ? "this file is not a flake (it has no nixosConfigurations to add to)"
        : target ? this.notHoistable(call, target) : "the flake's outputs are not an attribute set";
      if (why) {
        inline.push(call);
        this.finding(call.node, "inline-configuration", `${why}, so the configuration is built in place: \`(${this.fnText(call, np.name, call.node)} { … }).config.system.build.images.${this.variantLabel(call)}\`. To share it, move it to \`nixosConfigurations\` by hand`);
      } else hoisted.push(call);
    }

    for (const call of inline) this.rewriteInline(call, np.name);
    if (hoisted.length) this.rewriteHoisted(hoisted, target!, np.name);
    if (inline.length || hoisted.length) {
      const formal = this.nixpkgsFormalEdit(np.name);
      if (formal) this.edits.push(formal);
    }

    if (migratable.length) this.notes(migratable, np);
    return this.result();
  }

  // ---------------------------------------------------------------- finding calls

  private findCalls(): Call[] {
    const calls: Call[] = [];
    const seenFns = new Set<SyntaxNode>();
    for (const n of descendants(this.ctx.file!.root)) {
      if (n.type !== "apply_expression") continue;
      const fn = field(n, "function");
      if (!fn || !this.isNixosGenerate(fn)) continue;
      seenFns.add(unparen(fn));
      const arg = field(n, "argument");
      const args = arg ? unparen(arg) : null;
      if (!args || args.type !== "attrset_expression") {
        this.finding(n, "unmigratable-call", "the argument of nixosGenerate is not an attribute set literal; rewrite it as `<nixpkgs>.lib.nixosSystem { system = …; modules = …; }` and use `.config.system.build.images.<variant>` by hand");
        continue;
      }
      calls.push({ node: n, fn, args, argEntries: this.argEntries(args), formats: null, formatExpr: null, infos: [], bindingName: bindingNameOf(this.src, n) });
    }
    // nixosGenerate used as a value (map nixosGenerate …): cannot be rewritten
    for (const n of descendants(this.ctx.file!.root)) {
      if ((n.type === "variable_expression" || n.type === "select_expression") && !seenFns.has(n) && !isInsideFunctionOf(n, seenFns) && this.isNixosGenerate(n)) {
        if (n.parent?.type === "select_expression" && n.field === "expression") continue;
        if (isAliasDefinition(n)) continue;
        this.finding(n, "unmigratable-call", "nixosGenerate is used as a value here, not called with an attribute set; call `<nixpkgs>.lib.nixosSystem` and use `.config.system.build.images.<variant>` by hand");
      }
    }
    return calls;
  }

  private isNixosGenerate(node: SyntaxNode): boolean {
    return this.view.isGenerators(node, ["nixosGenerate"]);
  }

  private argEntries(args: SyntaxNode): ArgEntry[] {
    const out: ArgEntry[] = [];
    for (const e of entries(args)) {
      if (e.type === "binding") {
        const first = fields(field(e, "attrpath")!, "attr")[0];
        const key = first ? attrName(this.src, first) : null;
        if (key !== null) out.push({ key, entry: e, kind: "binding", value: field(e, "expression") });
      } else {
        for (const inh of inheritedNames(this.src, e)) {
          out.push({ key: inh.name, entry: e, kind: e.type === "inherit" ? "inherit" : "inherit-from", value: field(e, "expression") });
        }
      }
    }
    return out;
  }

  private arg(call: Call, key: string): ArgEntry | undefined {
    return call.argEntries.find((a) => a.key === key);
  }

  /** Works out the formats of a call; reports and returns false when it cannot be migrated. */
  private classify(call: Call): boolean {
    for (const a of call.argEntries) {
      if (!KNOWN_ARGS.has(a.key)) {
        this.finding(a.entry, "unmigratable-call", `nixosGenerate has no argument \`${a.key}\`; remove it, then run again`);
        return false;
      }
    }
    const customs = this.customFormats(call);
    if (customs === null) return false;
    const f = this.arg(call, "format");
    if (!f) {
      this.finding(call.node, "unmigratable-call", "nixosGenerate without `format`: add the format, then run again");
      return false;
    }
    let values;
    if (f.kind === "binding") values = possibleStrings(this.src, f.value!);
    else if (f.kind === "inherit") values = nameStrings(this.src, f.entry, "format");
    else values = { known: false as const, at: f.entry, reason: "`inherit (…) format` is not a literal" };
    if (!values.known) {
      const here = this.lineOf(f.entry);
      const where = this.lineOf(values.at);
      const expr = f.kind === "binding" ? textOf(this.src, f.value!) : "format";
      const elsewhere = where !== here ? ` (line ${where}: ${values.reason})` : ` (${values.reason})`;
      this.finding(f.entry, "dynamic-format",
        `the format \`${expr.length > 60 ? expr.slice(0, 57) + "..." : expr}\` is not known in this file${elsewhere}; ` +
        `write the format as a literal (\`format = "iso";\`, or a literal list such as \`genAttrs [ "iso" "qcow" ] (format: …)\`) and run again, ` +
        `or migrate by hand to \`<configuration>.config.system.build.images.<variant>\` (\`nixgen-migrate --list-formats\` lists the variants)`);
      return false;
    }
    const formats = [...new Set(values.values)];
    call.formats = formats;
    call.formatExpr = f.kind === "binding" && stringValue(this.src, f.value!) !== null ? null : f.kind === "inherit" ? "format" : textOf(this.src, unparen(f.value!));
    if (call.formatExpr !== null && formats.length === 1) call.formatExpr = null;
    let ok = true;
    for (const name of formats) {
      // a custom format shadows the built-in one of the same name, as in nixosGenerate
      const custom = customs.get(name);
      if (custom) {
        if (typeof custom === "string") {
          this.finding(f.entry, "custom-format", custom);
          ok = false;
        } else call.infos.push(custom);
        continue;
      }
      const info = lookupFormat(name);
      if (!info) {
        this.finding(f.entry, "unknown-format", `"${name}" is not a nixos-generators format (see \`nixgen-migrate --list-formats\`); the call is left as it is`);
        ok = false;
      } else if (!info.variant) {
        this.finding(f.entry, "unsupported-format", `format "${name}" has no nixpkgs image variant; the call is left as it is and nixos-generators stays. ${info.recipe}`);
        ok = false;
      } else if (info.newerThan2505 && this.nixpkgsRelease && compareRelease(this.nixpkgsRelease, "25.05") <= 0) {
        this.finding(f.entry, "unsupported-format", `the ${info.variant} variant is not in nixpkgs ${this.nixpkgsRelease}, which this flake pins (it was added after 25.05); the call is left as it is: update nixpkgs to a newer release (or unstable), then run again, or keep nixos-generators for this output`);
        ok = false;
      } else {
        // tests of --verify only: a deliberately wrong variant (MigrateOptions.testSwapVariant)
        const swapped = this.ctx.options.testSwapVariant?.[info.variant];
        call.infos.push(swapped ? { ...info, variant: swapped } : info);
      }
    }
    return ok;
  }

  /**
   * `customFormats = { <name> = M; }`: each becomes a format whose variant is
   * `image.modules.<name>` = M as an image variant module (formatAttr ->
   * system.build.image). A string is the reason one cannot be migrated; null:
   * the whole argument cannot (reported).
   */
  private customFormats(call: Call): Map<string, FormatInfo | string> | null {
    const out = new Map<string, FormatInfo | string>();
    const arg = this.arg(call, "customFormats");
    if (!arg) return out;
    // a literal here, or a name bound to a literal (`inherit customFormats;`): then the
    // modules are migrated where they are defined and referred to by name
    let set: SyntaxNode | null = arg.kind === "binding" ? unparen(arg.value!) : null;
    let shared: string | null = null;
    if (set?.type === "variable_expression" || arg.kind === "inherit") {
      const name = arg.kind === "inherit" ? "customFormats" : variableName(this.src, set!)!;
      const d = resolveName(this.src, arg.kind === "inherit" ? arg.entry : set!, name).definition;
      set = d?.kind === "binding" && d.value ? unparen(d.value) : null;
      shared = name;
    }
    if (!set || set.type !== "attrset_expression") {
      this.finding(arg.entry, "unmigratable-call", "customFormats is not an attribute set literal in this file: move each custom format to `image.modules.<name>` (it must set `system.build.image`; drop formatAttr/fileExtension) and build `config.system.build.images.<name>` by hand");
      return null;
    }
    for (const e of entries(set)) {
      if (e.type !== "binding") continue;
      const keys = fields(field(e, "attrpath")!, "attr");
      const name = keys.length === 1 ? attrName(this.src, keys[0]!) : null;
      const module = field(e, "expression");
      if (!name || !module) continue;
      const variant = customVariantName(name);
      const migrated = this.customModuleText(module, shared ? `${shared}.${attrKey(name)}` : null);
      if (migrated.startsWith("\0")) {
        out.set(name, `custom format "${name}": ${migrated.slice(1)}; define it as \`image.modules.${variant} = { config, lib, ... }: { …; system.build.image = config.system.build.<builder>; };\` (no formatAttr/fileExtension) and build \`config.system.build.images.${variant}\``);
        continue;
      }
      out.set(name, { format: name, variant, formatAttr: "image", fileExtension: "", variantModule: migrated });
    }
    return out;
  }

  /** Modules already migrated (a customFormats set shared by several calls). */
  private readonly migratedModules = new Set<SyntaxNode>();
  private readonly migratedFiles = new Set<string>();

  /**
   * The custom module as image variant module text; "\0reason" when it cannot
   * be migrated. With `sharedRef`, the module is migrated where it stands and
   * referred to by that expression.
   */
  private customModuleText(module: SyntaxNode, sharedRef: string | null): string {
    const m = unparen(module);
    const file = relativePath(this.src, m, this.ctx.path);
    if (file) {
      // a module file: migrate it in place, and refer to it by the same path
      const parsed = this.ctx.project.inside(file) ? this.ctx.project.parse(file) : undefined;
      if (!parsed || parsed.error) return `\0${file} could not be read`;
      const body = field(parsed.root, "expression");
      const r = body ? migrateCustomModule(parsed.source, body) : { ok: false as const, reason: "the file is empty" };
      if (!r.ok) return `\0${file}: ${r.reason}`;
      if (r.edits.length && !this.migratedFiles.has(file)) this.otherFiles.push({ path: file, edits: r.edits });
      this.migratedFiles.add(file);
      return textOf(this.src, m);
    }
    const r = migrateCustomModule(this.src, m);
    if (!r.ok) return `\0${r.reason}`;
    if (sharedRef) {
      if (!this.migratedModules.has(m)) this.edits.push(...r.edits);
      this.migratedModules.add(m);
      return sharedRef;
    }
    const shifted = r.edits.map((e) => ({ start: e.start - m.start, end: e.end - m.start, text: e.text }));
    return applyEdits(textOf(this.src, m), shifted);
  }

  // ---------------------------------------------------------------- placement

  /** Why the call cannot move to the top-level outputs (null when it can). */
  private notHoistable(call: Call, target: OutputSet): string | null {
    const probe = target.set.children.find((c) => c.type === "binding_set") ?? target.set;
    const exprs: SyntaxNode[] = [];
    const names = new Map<string, SyntaxNode[]>();
    for (const a of call.argEntries) {
      if (a.key === "format") continue;
      if (a.kind === "binding" && a.value) exprs.push(a.value);
      else if (a.kind === "inherit-from" && a.value) exprs.push(a.value);
      else if (a.kind === "inherit") names.set(a.key, [a.entry]);
    }
    for (const e of exprs) for (const [k, v] of freeVariables(this.src, e)) names.set(k, [...(names.get(k) ?? []), ...v]);
    for (const [name, refs] of names) {
      const here = resolveName(this.src, refs[0]!, name);
      const there = resolveName(this.src, probe, name);
      if (!sameDefinition(here.definition, there.definition)) return `\`${name}\` (line ${this.lineOf(refs[0]!)}) is defined around the call, not at the top of the outputs`;
      if (!here.definition && here.withCount !== there.withCount) return `\`${name}\` (line ${this.lineOf(refs[0]!)}) may come from a \`with\` around the call`;
    }
    const selfName = this.selfExpr();
    if (selfName === "self") {
      const r = resolveName(this.src, call.node, "self");
      const formal = this.outputs!.formalNames.has("self");
      const ok = formal ? r.definition?.kind === "formal" && r.definition.scope === this.outputs!.fn : r.definition === null;
      if (!ok) return "`self` is redefined around the call";
    }
    if (selfName === null) return "the outputs function has no `self` and no way to add it";
    return null;
  }

  /** How the outputs refer to the flake itself. */
  private selfExpr(): string | null {
    const o = this.outputs!;
    if (o.formalNames.has("self")) return "self";
    if (o.inputsParam) return `${o.inputsParam}.self`;
    if (o.formals) return "self"; // added as a formal
    return null;
  }

  private selfFormalEdit(): TextEdit | null {
    const o = this.outputs!;
    if (o.formalNames.has("self") || o.inputsParam || !o.formals) return null;
    // before a formal that stays (the generators formal goes in a later pass)
    const first = fields(o.formals, "formal").find((f) => textOf(this.src, field(f, "name")!) !== this.view.name) ?? null;
    if (!first) {
      const open = o.formals.children[0]!;
      return { start: open.end, end: open.end, text: " self," };
    }
    if (startsLine(this.src, first)) return { start: first.start, end: first.start, text: `self,${this.eol}${indentAt(this.src, first)}` };
    return { start: first.start, end: first.start, text: "self, " };
  }

  /**
   * The outputs function takes the nixpkgs input the configurations use as a
   * formal: `{ self, nixpkgs-unstable, … }` (it had only the generators one,
   * which went away with the calls). Before the first formal that stays, else
   * before `...`, else after the last one.
   */
  private nixpkgsFormalEdit(name: string): TextEdit | null {
    const o = this.outputs;
    if (!o?.formals || o.inputsParam || o.formalNames.has(name)) return null;
    const all = fields(o.formals, "formal");
    const stays = all.find((f) => !["self", this.view.name].includes(textOf(this.src, field(f, "name")!))) ?? field(o.formals, "ellipses");
    if (stays) {
      if (startsLine(this.src, stays)) return { start: stays.start, end: stays.start, text: `${name},${this.eol}${indentAt(this.src, stays)}` };
      return { start: stays.start, end: stays.start, text: `${name}, ` };
    }
    const last = all[all.length - 1];
    if (!last) {
      const open = o.formals.children[0]!;
      return { start: open.end, end: open.end, text: ` ${name}` };
    }
    return { start: last.end, end: last.end, text: `, ${name}` };
  }

  /** `<nixpkgs>.lib.nixosSystem`, or the call's own `nixosSystem` argument. */
  private fnText(call: Call, np: string, at: SyntaxNode): string {
    const a = this.arg(call, "nixosSystem");
    if (a) {
      if (a.kind === "binding") return textOf(this.src, a.value!);
      if (a.kind === "inherit") return "nixosSystem";
      return `${textOf(this.src, a.value!)}.nixosSystem`;
    }
    return `${this.nixpkgsAt(np, at) ?? np}.lib.nixosSystem`;
  }

  /** How code at `at` refers to flake input `name`: the outputs formal, `inputs.<name>`, or null. */
  private nixpkgsAt(name: string, at: SyntaxNode): string | null {
    const o = this.outputs;
    if (o) {
      const r = resolveName(this.src, at, name);
      if (r.definition?.kind === "formal" && r.definition.scope === o.fn) return name;
      if (o.inputsParam) return `${o.inputsParam}.${name}`;
      return name;
    }
    // a module file: an argument named like the input, or the inputs set
    const own = resolveName(this.src, at, name).definition;
    if (own && (own.kind === "formal" || own.kind === "param") && this.view.roots.root(own) === null) return name;
    for (const p of ["inputs", "flakeInputs"]) {
      const d = resolveName(this.src, at, p).definition;
      if (d && (d.kind === "formal" || d.kind === "param")) return `${p}.${name}`;
    }
    // a file given the flake itself (`{ inherit self; }`) reaches the inputs through it
    const self = resolveName(this.src, at, "self").definition;
    if (self && (self.kind === "formal" || self.kind === "param")) return `self.inputs.${name}`;
    return null;
  }

  private variantLabel(call: Call): string {
    return call.infos.length === 1 ? call.infos[0]!.variant! : "<variant>";
  }

  /** `.${FORMAT}` or `.${{ qcow = "qemu"; }.${FORMAT} or FORMAT}` for dynamic formats. */
  private variantAccess(call: Call): string {
    if (call.formatExpr === null) return `.${call.infos[0]!.variant}`;
    const renames = call.infos.filter((i) => i.variant !== i.format).map((i) => `${attrKey(i.format)} = "${i.variant}";`);
    const expr = /^[A-Za-z_][\w'-]*$/.test(call.formatExpr) ? call.formatExpr : `(${call.formatExpr})`;
    if (renames.length === 0) return `.\${${expr}}`;
    return `.\${{ ${renames.join(" ")} }.\${${expr}} or ${expr}}`;
  }

  // ---------------------------------------------------------------- rewriting

  private rewriteInline(call: Call, np: string) {
    const extras = this.extraModules(call.infos);
    this.edits.push({ start: call.fn.start, end: call.fn.end, text: `(${this.fnText(call, np, call.node)}` });
    this.edits.push(...this.argumentEdits(call, extras, null));
    this.edits.push({ start: call.node.end, end: call.node.end, text: `).config.system.build.images${this.variantAccess(call)}${this.gapAfter(call.node)}` });
    this.findings.push(this.migratedNote(call, `(${this.fnText(call, np, call.node)} { … }).config.system.build.images${this.variantAccess(call)}`));
  }

  /**
   * A space when the call's closing `}` touches what follows (`nixosGenerate { … }-1`, `{ … }''s''`):
   * the reference ends in a name, which would run on into it (`images.digital-ocean-1`).
   */
  private gapAfter(node: SyntaxNode): string {
    return /[A-Za-z0-9_'-]/.test(this.src[node.end] ?? "") ? " " : "";
  }

  private rewriteHoisted(calls: Call[], target: OutputSet, np: string) {
    const groups = this.group(calls, target);
    this.nameHosts(groups, target);
    const self = this.selfExpr()!;
    const selfEdit = this.selfFormalEdit();
    if (selfEdit) this.edits.push(selfEdit);

    const existingSet = entriesStartingWith(this.src, target, ["nixosConfigurations"]);
    const nested = existingSet.find((e) => fields(field(e, "attrpath")!, "attr").length === target.prefix.length + 1);
    const dottedPrefix = [...target.prefix, "nixosConfigurations", ""].join(".");
    const newConfigs: { group: Group; text: (indent: string, prefix: string) => string }[] = [];
    for (const g of groups) {
      for (const call of g.calls) {
        call.host = g.host;
        const ref = `${self}.nixosConfigurations.${attrKey(g.host)}.config.system.build.images${this.variantAccess(call)}`;
        this.replaceCall(call, ref, g.calls[0] === call);
        this.findings.push(this.migratedNote(call, ref));
      }
      if (!g.reuse) newConfigs.push({ group: g, text: (indent, prefix) => this.configText(g, np, target, indent, prefix) });
    }
    if (newConfigs.length === 0) return;

    if (nested) {
      const value = unparen(field(nested, "expression")!);
      if (value.type === "attrset_expression" || value.type === "rec_attrset_expression") {
        this.insertIntoSet(value, newConfigs.map((c) => (indent: string) => c.text(indent, "")));
        return;
      }
      // nixosConfigurations = <expr>;  ->  <expr> // { host = …; }
      const indent = indentAt(this.src, nested);
      const inner = indent + this.unit;
      const body = newConfigs.map((c) => inner + c.text(inner, "")).join(this.eol);
      const simple = ["apply_expression", "select_expression", "variable_expression", "parenthesized_expression"].includes(value.type);
      const fieldExpr = field(nested, "expression")!;
      if (!simple) {
        this.edits.push({ start: fieldExpr.start, end: fieldExpr.start, text: "(" });
        this.edits.push({ start: fieldExpr.end, end: fieldExpr.end, text: `) // {${this.eol}${body}${this.eol}${indent}}` });
      } else {
        this.edits.push({ start: fieldExpr.end, end: fieldExpr.end, text: ` // {${this.eol}${body}${this.eol}${indent}}` });
      }
      return;
    }
    const dotted = existingSet[existingSet.length - 1];
    if (dotted) {
      // after the last `nixosConfigurations.x = …;`
      const indent = indentAt(this.src, dotted);
      const text = newConfigs.map((c) => this.eol + indent + c.text(indent, dottedPrefix)).join("");
      const end = lineEndOf(this.src, dotted.end);
      const at = isBlank(this.src, dotted.end, end) ? end : dotted.end;
      this.edits.push({ start: at, end: at, text });
      return;
    }
    // before the entry of the target that holds the group's first call
    for (const c of newConfigs) {
      const holder = entries(target.set).find((e) => isAncestor(e, c.group.calls[0]!.node)) ?? null;
      this.insertBefore(target.set, holder, (indent) => c.text(indent, dottedPrefix));
    }
  }

  /** Inserts an entry before `holder` (or at the end of `set`), keeping comments above `holder` with it. */
  private insertBefore(set: SyntaxNode, holder: SyntaxNode | null, make: (indent: string) => string) {
    if (!holder) {
      this.insertIntoSet(set, [make]);
      return;
    }
    if (!startsLine(this.src, holder)) {
      const indent = indentAt(this.src, holder);
      this.edits.push({ start: holder.start, end: holder.start, text: make(indent) + " " });
      return;
    }
    const indent = indentAt(this.src, holder);
    let at = lineStartOf(this.src, holder.start);
    // comment lines directly above the entry (no blank line between) stay with it
    for (;;) {
      if (at === 0) break;
      const prevStart = lineStartOf(this.src, at - 1);
      const line = this.src.slice(prevStart, at).trim();
      if (!(line.startsWith("#") || (line.startsWith("/*") && line.endsWith("*/")))) break;
      at = prevStart;
    }
    this.edits.push({ start: at, end: at, text: indent + make(indent) + this.eol });
  }

  /** Appends entries to an attrset literal in its own layout. */
  private insertIntoSet(set: SyntaxNode, makers: ((indent: string) => string)[]) {
    const close = set.children[set.children.length - 1]!;
    const ents = entries(set);
    const last = ents[ents.length - 1];
    if (last && startsLine(this.src, last)) {
      const indent = indentAt(this.src, last);
      const end = lineEndOf(this.src, last.end);
      const at = isBlank(this.src, last.end, end) || this.src[trimStart(this.src, last.end)] === "#" ? end : last.end;
      this.edits.push({ start: at, end: at, text: makers.map((m) => this.eol + indent + m(indent)).join("") });
      return;
    }
    const outer = indentAt(this.src, set);
    const inner = outer + this.unit;
    if (!last) {
      const open = set.children.find((c) => c.type === "{")!;
      this.edits.push({ start: open.end, end: close.start, text: makers.map((m) => this.eol + inner + m(inner)).join("") + this.eol + outer });
      return;
    }
    this.edits.push({ start: last.end, end: last.end, text: makers.map((m) => " " + m(inner)).join("") });
  }

  /** Text of `nixosConfigurations.<host> = <fn> { …args without format… };` */
  private configText(g: Group, np: string, target: OutputSet, indent: string, prefix: string): string {
    const rep = g.calls[0]!;
    const extras = this.extraModules(g.calls.flatMap((c) => c.infos));
    const argsIndent = indentAt(this.src, rep.args);
    // text inserted inside the moved set was indented for its old place
    const sub = this.argumentEdits(rep, extras, rep).map((e) =>
      e.text.includes("\n") && argsIndent !== indent ? { ...e, text: e.text.split(this.eol + argsIndent).join(this.eol + indent) } : e);
    // re-indent every line of the moved argument set that is not inside a string or removed
    const removed = sub.filter((e) => e.text === "");
    for (let nl = this.src.indexOf("\n", rep.args.start); nl >= 0 && nl < rep.args.end; nl = this.src.indexOf("\n", nl + 1)) {
      const ls = nl + 1;
      if (this.strings.some((r) => r.start < ls && ls < r.end)) continue;
      if (removed.some((e) => e.start <= ls && ls < e.end)) continue;
      if (sub.some((e) => e.start < ls && ls < e.end)) continue;
      if (this.src.startsWith(argsIndent, ls) && argsIndent !== indent) sub.push({ start: ls, end: ls + argsIndent.length, text: indent });
    }
    const shifted = sub.map((e) => ({ start: e.start - rep.args.start, end: e.end - rep.args.start, text: e.text }));
    const argsText = applyEdits(this.src.slice(rep.args.start, rep.args.end), shifted);
    const fn = this.fnText(rep, np, target.set.children.find((c) => c.type === "binding_set") ?? target.set);
    return `${prefix}${attrKey(g.host)} = ${fn} ${argsText};`;
  }

  /**
   * Edits inside a call's argument set: drop format/nixosSystem/customFormats,
   * add image modules and `system` where needed. For the moved copy
   * (`movedFrom`), comments on the `{` line are dropped (they stay at the call).
   */
  private argumentEdits(call: Call, extras: string[] | null, movedFrom: Call | null): TextEdit[] {
    const out: TextEdit[] = [];
    const drop = new Map<SyntaxNode, string[]>();
    for (const a of call.argEntries) {
      if (a.key === "format" || a.key === "nixosSystem" || a.key === "customFormats") drop.set(a.entry, [...(drop.get(a.entry) ?? []), a.key]);
    }
    for (const [entry, keys] of drop) {
      if (entry.type === "binding") out.push(removeEntry(this.src, entry));
      else {
        const names = inheritedNames(this.src, entry);
        if (names.every((n) => keys.includes(n.name))) out.push(removeEntry(this.src, entry));
        else for (const k of keys) out.push(removeInheritedName(this.src, entry, k)!);
      }
    }
    if (movedFrom) {
      for (const c of firstLineComments(this.src, call.args)) {
        let s = c.start;
        while (s > 0 && (this.src[s - 1] === " " || this.src[s - 1] === "\t")) s--;
        if (!out.some((e) => e.start <= s && s < e.end)) out.push({ start: s, end: c.end, text: "" });
      }
    }
    const required = call.infos.find((i) => i.requiresSystem)?.requiresSystem;
    const additions: string[] = [];
    if (required) {
      const check = this.systemCheck(call, required);
      if (check === "absent") additions.push(`system = "${required}";`);
    }
    if (extras) {
      const mods = this.arg(call, "modules");
      if (!mods) additions.push(`modules = [ ${this.renderExtras(extras, null)} ];`);
      else if (mods.kind === "binding") out.push(...this.appendToList(mods.value!, extras));
      else {
        // inherit modules;  ->  keep it, add the image settings through a second list
        out.push(...this.replaceInheritedModules(mods, extras));
      }
    }
    if (additions.length) out.push(this.appendEntries(call.args, additions, out));
    return out;
  }

  /**
   * `[ a b ]` -> `[ a b EXTRA ]` (or one element per line when that gets long);
   * `x` -> `x ++ [ EXTRA ]`.
   */
  private appendToList(value: SyntaxNode, lines: string[]): TextEdit[] {
    const oneLine = this.renderExtras(lines, null);
    const lineIndent = indentAt(this.src, value);
    const fits = (extraLength: number) => lineEndOf(this.src, value.end) - lineStartOf(this.src, value.start) + extraLength <= MAX_LINE;
    const v = unparen(value);
    if (v.type === "list_expression" && v === value) {
      const close = v.children[v.children.length - 1]!;
      const elems = fields(v, "element");
      const last = elems[elems.length - 1];
      if (last && startsLine(this.src, last) && startsLine(this.src, close)) {
        const indent = indentAt(this.src, last);
        const at = lineEndOf(this.src, last.end);
        const text = indent.length + oneLine.length <= MAX_LINE ? oneLine : this.renderExtras(lines, indent);
        return [{ start: at, end: at, text: this.eol + indent + text }];
      }
      if (fits(oneLine.length + 1)) {
        if (!last) return [{ start: close.start, end: close.start, text: `${oneLine} ` }];
        return [{ start: last.end, end: last.end, text: ` ${oneLine}` }];
      }
      const hasComments = v.children.some((c) => c.type === "comment");
      if (!hasComments && !this.src.slice(v.start, v.end).includes("\n")) {
        // one element per line
        const inner = lineIndent + this.unit;
        const items = elems.map((e) => this.eol + inner + textOf(this.src, e)).join("");
        return [{ start: v.start, end: v.end, text: `[${items}${this.eol}${inner}${this.renderExtras(lines, inner)}${this.eol}${lineIndent}]` }];
      }
      return [{ start: (last ?? close).end, end: (last ?? close).end, text: ` ${oneLine}` }];
    }
    const extra = fits(oneLine.length + 8) ? oneLine : this.renderExtras(lines, lineIndent);
    const simple = ["variable_expression", "select_expression", "list_expression", "parenthesized_expression", "apply_expression"].includes(value.type);
    if (simple) return [{ start: value.end, end: value.end, text: ` ++ [ ${extra} ]` }];
    return [{ start: value.start, end: value.start, text: "(" }, { start: value.end, end: value.end, text: `) ++ [ ${extra} ]` }];
  }

  private replaceInheritedModules(mods: ArgEntry, lines: string[]): TextEdit[] {
    const from = mods.kind === "inherit-from" ? `${textOf(this.src, mods.value!)}.modules` : "modules";
    const rm = removeInheritedName(this.src, mods.entry, "modules");
    const edits: TextEdit[] = rm ? [rm] : [];
    const set = mods.entry.parent!.parent!;
    const indent = entries(set).length && startsLine(this.src, mods.entry) ? indentAt(this.src, mods.entry) : null;
    edits.push(this.appendEntries(set, [`modules = ${from} ++ [ ${this.renderExtras(lines, indent)} ];`]));
    return edits;
  }

  /** Adds `key = value;` entries at the end of an attrset literal. */
  private appendEntries(set: SyntaxNode, texts: string[], edits: readonly TextEdit[] = []): TextEdit {
    // after the last entry that stays: one that goes away (`format = …;` last) takes its line with it
    const ents = entries(set).filter((e) => !edits.some((r) => r.text === "" && r.start <= e.start && e.end <= r.end));
    const last = ents[ents.length - 1];
    if (last && startsLine(this.src, last)) {
      const indent = indentAt(this.src, last);
      const at = lineEndOf(this.src, last.end);
      return { start: at, end: at, text: texts.map((t) => this.eol + indent + t).join("") };
    }
    const at = last ? last.end : set.children.find((c) => c.type === "{")!.end;
    return { start: at, end: at, text: texts.map((t) => " " + t).join("") };
  }

  /** `image.modules.<v> = …;` lines for formats that need them (always, or with --parity). */
  private extraModules(infos: FormatInfo[]): string[] | null {
    const parts = new Map<string, string[]>();
    for (const i of infos) {
      const mods: string[] = [];
      if (i.variantModule) mods.push(i.variantModule);
      if (this.ctx.options.parity && i.parityModule) mods.push(i.parityModule);
      for (const m of mods) {
        const list = parts.get(i.variant!) ?? [];
        if (!list.includes(m)) list.push(m);
        parts.set(i.variant!, list);
      }
    }
    if (parts.size === 0) return null;
    return [...parts].map(([v, mods]) =>
      mods.length === 1 ? `image.modules.${v} = ${mods[0]};` : `image.modules.${v} = { imports = [ ${mods.map((m) => `(${m})`).join(" ")} ]; };`);
  }

  /** The extra module as `{ a; b; }` on one line, or as a block indented from `indent`. */
  private renderExtras(lines: string[], indent: string | null): string {
    if (indent === null) return `{ ${lines.join(" ")} }`;
    return `{${lines.map((l) => this.eol + indent + this.unit + l).join("")}${this.eol}${indent}}`;
  }

  /** Replaces a hoisted call by its reference, keeping its comments at the call site. */
  private replaceCall(call: Call, ref: string, representative: boolean) {
    this.edits.push({ start: call.node.start, end: call.node.end, text: ref + this.gapAfter(call.node) });
    const firstLine = firstLineComments(this.src, call.args);
    const firstSet = new Set(firstLine);
    if (firstLine.length) {
      const gapStart = (c: SyntaxNode) => {
        let s = c.start;
        while (s > 0 && (this.src[s - 1] === " " || this.src[s - 1] === "\t")) s--;
        return s;
      };
      const text = firstLine.map((c) => this.src.slice(gapStart(c), c.end)).join("");
      // after the `;` that ends the binding, if the rest of that line is free
      let after = call.node.end;
      while (after < this.src.length && (this.src[after] === " " || this.src[after] === "\t")) after++;
      const semi = this.src[after] === ";" ? after + 1 : -1;
      const lineRest = semi >= 0 ? this.src.slice(semi, lineEndOf(this.src, semi)) : "x";
      if (semi >= 0 && /^\s*(#.*)?$/.test(lineRest)) this.edits.push({ start: semi, end: semi, text });
      else this.commentsAbove(call, firstLine);
    }
    if (!representative) {
      // other comments inside a duplicate call's arguments would vanish: keep them above the binding
      const inner = [...descendants(call.args)].filter((n) => n.type === "comment" && !firstSet.has(n));
      if (inner.length) this.commentsAbove(call, inner);
    }
  }

  private commentsAbove(call: Call, comments: SyntaxNode[]) {
    const holder = enclosingEntry(call.node) ?? call.node;
    const indent = indentAt(this.src, holder);
    const at = lineStartOf(this.src, holder.start);
    const text = comments.map((c) => indent + textOf(this.src, c) + this.eol).join("");
    this.edits.push({ start: at, end: at, text });
  }

  // ---------------------------------------------------------------- grouping & names

  private argsKey(call: Call): string {
    const parts: string[] = [];
    for (const a of call.argEntries) {
      // format and customFormats become images of the configuration, not part of it
      if (a.key === "format" || a.key === "customFormats") continue;
      if (a.kind === "binding") parts.push(`${a.key}=${normalized(this.src, a.value!)}`);
      else if (a.kind === "inherit") parts.push(`${a.key}=<inherit>`);
      else parts.push(`${a.key}=<inherit ${normalized(this.src, a.value!)}>`);
    }
    return parts.sort().join(";");
  }

  private group(calls: Call[], target: OutputSet): Group[] {
    const groups: Group[] = [];
    for (const call of calls) {
      const key = this.argsKey(call);
      // same configuration, and no variant asked for twice with different image modules
      const g = groups.find((x) => x.key === key && !x.calls.some((o) => conflicts(o, call, !!this.ctx.options.parity)));
      if (g) g.calls.push(call);
      else groups.push({ key, calls: [call], host: "", reuse: false });
    }
    // reuse an existing nixosConfigurations.<name> with the same arguments
    const existing = existingConfigurations(this.src, target);
    for (const g of groups) {
      if (g.calls.some((c) => this.extraModules(c.infos))) continue;
      for (const [name, { value }] of existing) {
        const v = unparen(value);
        if (v.type !== "apply_expression") continue;
        const a = unparen(field(v, "argument")!);
        if (a.type !== "attrset_expression") continue;
        const fnNorm = normalized(this.src, field(v, "function")!);
        const wantFn = this.arg(g.calls[0]!, "nixosSystem");
        const expectedFn = wantFn?.kind === "binding" ? normalized(this.src, wantFn.value!) : null;
        const fnOk = expectedFn !== null ? fnNorm === expectedFn : /(^|\.)\s*lib \. nixosSystem$|^nixosSystem$|lib \. nixosSystem$/.test(fnNorm);
        if (!fnOk) continue;
        const pseudo: Call = { ...g.calls[0]!, argEntries: this.argEntries(a) };
        const k = this.argsKey({ ...pseudo, argEntries: pseudo.argEntries.filter((x) => x.key !== "nixosSystem") });
        const want = this.argsKey({ ...g.calls[0]!, argEntries: g.calls[0]!.argEntries.filter((x) => x.key !== "nixosSystem") });
        if (k === want) {
          g.host = name;
          g.reuse = true;
          break;
        }
      }
    }
    return groups;
  }

  private nameHosts(groups: Group[], target: OutputSet) {
    const taken = new Set(existingConfigurations(this.src, target).keys());
    for (const g of groups) if (g.reuse) taken.add(g.host);
    const fresh = groups.filter((g) => !g.reuse);
    const host = this.ctx.options.host;
    if (host && fresh.length > 1) {
      this.finding(fresh[0]!.calls[0]!.node, "host-option-ignored", `--host ${host} was ignored: this file needs ${fresh.length} configurations (${fresh.length} different sets of arguments); their names are derived from the bindings`);
    }
    for (const g of fresh) {
      let base = host && fresh.length === 1 ? host : this.deriveHost(g);
      base = sanitizeHost(base);
      let name = base;
      for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
      taken.add(name);
      g.host = name;
    }
  }

  private deriveHost(g: Group): string {
    const names = g.calls.map((c) => c.bindingName).filter((n): n is string => !!n);
    if (g.calls.length === 1 && names.length === 1) return names[0]!;
    if (names.length === g.calls.length && names.length > 1) {
      const common = commonWordPrefix(names) || commonWordSuffix(names);
      if (common) return common;
    }
    const mods = this.arg(g.calls[0]!, "modules");
    if (mods?.kind === "binding") {
      for (const n of descendants(mods.value!)) {
        if (n.type !== "path_expression") continue;
        const p = textOf(this.src, n);
        const parts = joinPath(p).split("/").filter((s) => s !== "." && s !== "..");
        let last = parts[parts.length - 1] ?? "";
        if (/^(default|configuration|config|hardware-configuration)\.nix$/.test(last)) last = parts[parts.length - 2] ?? "";
        last = last.replace(/\.nix$/, "");
        if (last && !/^(hosts?|machines?|nixos|modules?|systems?)$/.test(last)) return last;
        break;
      }
    }
    return "nixos";
  }

  // ---------------------------------------------------------------- checks & notes

  /** sd-card: does the configuration target the SD image's system? */
  private systemCheck(call: Call, required: string): "ok" | "absent" | "other" {
    const sys = this.arg(call, "system");
    const fmt = call.infos.find((i) => i.requiresSystem)!.format;
    if (!sys) {
      if (this.arg(call, "pkgs")) {
        this.finding(call.node, "sd-card-system", `format "${fmt}" maps to the sd-card variant, which builds the SD image of the configuration's own platform; this call takes its system from \`pkgs\`, which was not checked: make sure it is ${required}`);
        return "other";
      }
      this.finding(call.node, "sd-card-system", `format "${fmt}" maps to the sd-card variant, which builds the SD image of the configuration's own platform: \`system = "${required}";\` was added`);
      return "absent";
    }
    const values = sys.kind === "binding" ? possibleStrings(this.src, sys.value!) : sys.kind === "inherit" ? nameStrings(this.src, sys.entry, "system") : null;
    if (values?.known && values.values.length && values.values.every((v) => v === required)) return "ok";
    const what = values?.known ? `targets ${values.values.join(", ")}` : "has a system that could not be checked";
    this.finding(sys.entry, "sd-card-system", `format "${fmt}" maps to the sd-card variant, which picks its SD module from the configuration's platform (pkgs.targetPlatform.qemuArch); this configuration ${what}: set \`system = "${required}";\` (or \`nixpkgs.hostPlatform\`) so that images.sd-card builds the ${required} SD image`);
    return "other";
  }

  private notes(calls: Call[], np: { name: string; followed: boolean }) {
    const first = calls[0]!;
    this.finding(first.node, "output-paths",
      "image file names and paths change: upstream images are `$out/<image.filePath>` (e.g. nixos-image-<label>-<system>.<ext>, iso/… for ISOs); " +
      "scripts that glob result/*.qcow2 and the like should use `<image>.passthru.filePath`");
    if (!np.followed && this.view.input) {
      const def = [...this.view.input.definitions][0] ?? first.node;
      this.finding(def, "nixpkgs-source-changed",
        `nixos-generators had no \`inputs.nixpkgs.follows\`, so images were built from its own pinned nixpkgs; they are now built from your \`${np.name}\` input, so package versions and module defaults may change`);
    }
    const seen = new Set<string>();
    for (const c of calls) {
      for (const info of c.infos) {
        // once per format and file: the same difference for every call would only be noise
        const key = info.format;
        if (seen.has(key)) continue;
        seen.add(key);
        if (info.newerThan2505) {
          this.finding(c.node, "variant-needs-newer-nixpkgs", `the ${info.variant} variant exists only in nixpkgs newer than 25.05; check with \`nix eval .#nixosConfigurations.${c.host ? attrKey(c.host) : "<host>"}.config.system.build.images --apply builtins.attrNames\``);
        }
        if (info.difference && !(this.ctx.options.parity && info.parityModule)) {
          this.finding(c.node, "behaviour-change", `${info.format} -> ${info.variant}: ${info.difference}${info.parityModule ? "; run with --parity to keep nixos-generators' behaviour" : ""}`);
        }
      }
    }
  }

  private migratedNote(call: Call, ref: string): RawFinding {
    const fmts = call.infos.map((i) => (i.variant === i.format ? i.format : `${i.format} (now ${i.variant})`)).join(", ");
    return { rule: "migrated-call", message: `nixosGenerate (format ${fmts}) -> ${ref}`, start: call.node.start, end: call.node.end };
  }

  // ---------------------------------------------------------------- helpers

  private lineOf(node: { start: number }): number {
    let line = 1;
    for (let i = this.src.indexOf("\n"); i >= 0 && i < node.start; i = this.src.indexOf("\n", i + 1)) line++;
    return line;
  }

  private finding(node: { start: number; end: number }, rule: string, message: string) {
    this.findings.push({ rule, message, start: node.start, end: node.end });
  }

  /** Edits in other files (custom format modules migrated in place). */
  private readonly otherFiles: { path: string; edits: TextEdit[] }[] = [];

  private result(): PassOutput {
    return { edits: [...(this.edits.length ? [{ path: this.ctx.path, edits: this.edits }] : []), ...this.otherFiles], findings: this.findings };
  }
}

// ---------------------------------------------------------------- free functions

function sameDefinition(a: Definition | null, b: Definition | null): boolean {
  if (!a || !b) return a === b;
  if (a.kind !== b.kind || a.scope !== b.scope || a.name !== b.name) return false;
  return true;
}

/** Two calls of one configuration that want the same variant with different image modules. */
function conflicts(a: Call, b: Call, parity: boolean): boolean {
  for (const x of a.infos) for (const y of b.infos) {
    if (x.variant !== y.variant) continue;
    const mx = [x.variantModule, parity ? x.parityModule : undefined].join("|");
    const my = [y.variantModule, parity ? y.parityModule : undefined].join("|");
    if (mx !== my) return true;
  }
  return false;
}

/** `name = <call>;` -> name (last key), through parentheses. */
function bindingNameOf(source: string, call: SyntaxNode): string | null {
  const n = outer(call);
  if (n.field !== "expression" || n.parent?.type !== "binding") return null;
  const attrs = fields(field(n.parent, "attrpath")!, "attr");
  const last = attrs[attrs.length - 1];
  return last ? attrName(source, last) : null;
}

function enclosingEntry(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (n.type === "binding" || n.type === "inherit" || n.type === "inherit_from") return n;
  return null;
}

function isInsideFunctionOf(n: SyntaxNode, fns: Set<SyntaxNode>): boolean {
  for (const f of fns) if (contains(f, n)) return true;
  return false;
}

/** `gen = nixos-generators.nixosGenerate;` — the value of an alias is not a use. */
function isAliasDefinition(n: SyntaxNode): boolean {
  const x = outer(n);
  return x.field === "expression" && x.parent?.type === "binding";
}

function trimStart(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  return i;
}

function sanitizeHost(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_'-]+/g, "-").replace(/^-+|-+$/g, "");
  if (!s) s = "nixos";
  if (!/^[A-Za-z_]/.test(s)) s = "host-" + s;
  return s;
}

function commonWordPrefix(names: string[]): string {
  return commonLeadingWords(names.map((n) => n.split(/(?<=[-_])/))).join("").replace(/[-_]+$/, "");
}

function commonWordSuffix(names: string[]): string {
  return commonLeadingWords(names.map((n) => n.split(/(?=[-_])/).reverse())).reverse().join("").replace(/^[-_]+/, "");
}

/** The words all lists start with, leaving every list at least one word of its own. */
function commonLeadingWords(lists: string[][]): string[] {
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const w = lists[0]![i];
    if (w === undefined || !lists.every((s) => s[i] === w) || lists.some((s) => s.length === i + 1)) return out;
    out.push(w);
  }
}
