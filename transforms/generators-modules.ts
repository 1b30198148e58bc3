/**
 * generators-modules: nixos-generators' NixOS modules imported into a configuration.
 *
 *  - `nixosModules.all-formats`: the import goes; `….config.formats.<f>` becomes
 *    `….config.system.build.images.<variant>`; `formatConfigs.<f> = M` becomes
 *    `image.modules.<variant> = M` (default priority: it extends the stock
 *    variant module). Custom formats become `image.modules.<name>` when their
 *    module shows its builder (`formatAttr`).
 *  - `nixosModules.<format>`: the import goes (left in, it defines
 *    `system.build.image` and switches `system.build.images` off);
 *    `….config.system.build.<formatAttr>` becomes `….config.system.build.images.<variant>`.
 *  - reads of `formatAttr` / `fileExtension` are reported with their replacement.
 *
 * Formats without a variant stay, reported, and then so does the import.
 */
import { meta } from "./generators-modules.meta.js";
import type { TextEdit } from "../src/edits.js";
import { lookupFormat, type FormatInfo } from "../src/formats.js";
import type { SyntaxNode } from "../src/parse.js";
import type { PassContext, PassOutput, RawFinding, Transform } from "../src/types.js";
import { attrKey, attrName, attrpathKeys, descendants, entries, field, fields, isAttrset, moduleParts, outer, textOf, unparen } from "../src/nix/ast.js";
import { customVariantName, migrateCustomModule } from "../src/nix/custom-format.js";
import { generatorsReferences, generatorsView, type GeneratorsView } from "../src/nix/generators.js";
import { removeEntry, removeRange } from "../src/nix/layout.js";
import { existingConfigurations, outputSets } from "../src/nix/outputs.js";
import { resolveName, variableName } from "../src/nix/scope.js";
import { possibleStrings } from "../src/nix/values.js";
import { dirname, joinPath } from "../src/paths.js";
import { listElements, moduleFiles } from "../src/nix/module-graph.js";

export const generatorsModules: Transform<typeof meta.rules> = {
  id: "generators-modules",
  ...meta,
  appliesTo: (path) => path.endsWith(".nix"),
  // a flake with the input may own module files that import nixos-generators modules
  needles: ["nixos-generators", "nixosModules", "formatConfigs", "formats."],
  input: "nix",
  run: (ctx) => new ModulesMigration(ctx).run(),
};

export default generatorsModules;

/**
 * Can this pass change or report anything in the file? Asked of the text before
 * the tree is read: a repository's `formats.` needles are mostly `pkgs.formats.json`
 * in files that have nothing to do with nixos-generators (nixpkgs: 586 files, one
 * of them 3 MB). A flake (its text says `outputs`) is always read. Any other file
 * must name `nixos-generators` or import one of its modules (`nixosModules`, also
 * through a renamed input), define `formatConfigs`, read `formatAttr`/`fileExtension`,
 * or read `config.formats` under a flake that imports all-formats.
 */
function mayMigrate(ctx: PassContext): boolean {
  const text = ctx.text;
  if (["outputs", "nixos-generators", "nixosModules", "formatConfigs", "formatAttr", "fileExtension"].some((w) => text.includes(w))) return true;
  return text.includes("formats") && nearestFlakeImportsAllFormats(ctx);
}

/** Does the nearest flake.nix at or above the file import all-formats somewhere? */
function nearestFlakeImportsAllFormats(ctx: PassContext): boolean {
  for (let dir = dirname(ctx.path), i = 0; i < 32; i++) {
    const text = ctx.project.read(joinPath(dir, "flake.nix"));
    if (text !== undefined) return text.includes("nixosModules.all-formats");
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return false;
}

/** What a configuration (or a module file) imports from nixos-generators. */
interface Owner {
  readonly key: SyntaxNode;
  readonly label: string;
  allFormats: { node: SyntaxNode; unit: Unit }[];
  /** Per-format module imports: node and format. */
  formatModules: { node: SyntaxNode; unit: Unit; info: FormatInfo | undefined; name: string }[];
  /** all-formats uses that cannot be migrated: the import must stay. */
  blocked: boolean;
}

/** One file being rewritten: the primary, or a module file of one of its configurations. */
interface Unit {
  readonly path: string;
  readonly src: string;
  readonly root: SyntaxNode;
  readonly view: GeneratorsView;
  /** The configuration this module file belongs to (module files of a flake's host). */
  readonly owner: Owner | null;
  readonly edits: TextEdit[];
}

class ModulesMigration {
  private readonly findings: RawFinding[] = [];
  private readonly owners = new Map<SyntaxNode, Owner>();
  /** nixosConfigurations.<host> value (the nixosSystem call) by host name. */
  private readonly hosts = new Map<string, SyntaxNode>();
  private readonly units: Unit[] = [];
  /** The unit being worked on; the helpers below read it. */
  private unit!: Unit;

  constructor(private readonly ctx: PassContext) {}

  private get src(): string {
    return this.unit.src;
  }
  private get root(): SyntaxNode {
    return this.unit.root;
  }
  private get view(): GeneratorsView {
    return this.unit.view;
  }

  run(): PassOutput {
    if (!mayMigrate(this.ctx)) return { edits: [], findings: [] };
    const view = generatorsView(this.ctx.text, this.ctx.file!.root, this.ctx.path, this.ctx.project);
    if (!view) return { edits: [], findings: [] };
    const primary: Unit = { path: this.ctx.path, src: this.ctx.text, root: this.ctx.file!.root, view, owner: null, edits: [] };
    this.units.push(primary);
    this.unit = primary;
    if (view.flake?.outputs) {
      for (const set of outputSets(this.src, view.flake.outputs.body)) {
        for (const [name, { value }] of existingConfigurations(this.src, set)) this.hosts.set(name, unparen(value));
      }
      this.addModuleFiles();
    }
    for (const u of this.units) {
      this.unit = u;
      this.collectImports();
    }
    if (view.flake?.outputs && this.allFormatsImporters().length) this.addFormatsReaders();
    const usesAllFormats = this.allFormatsImporters().length > 0 || this.flakeUsesAllFormats();
    for (const u of this.units) {
      this.unit = u;
      if (usesAllFormats) {
        this.rewriteFormatsUses();
        this.rewriteFormatConfigs();
        this.reportUnfollowedFormatsReads();
      }
      this.rewriteFormatAttrUses();
    }
    this.removeImports();
    return {
      edits: this.units.filter((u) => u.edits.length).map((u) => ({ path: u.path, edits: u.edits })),
      findings: this.findings,
    };
  }

  /** Module files of the flake's configurations become units owned by their configuration. */
  private addModuleFiles() {
    const seen = new Set<string>([this.ctx.path]);
    for (const [host, call] of this.hosts) {
      const args = unparen(field(call, "argument") ?? call);
      if (!isAttrset(args)) continue;
      const mods = entries(args).find((e) => e.type === "binding" && attrpathKeys(this.src, field(e, "attrpath"))?.join(".") === "modules");
      if (!mods) continue;
      const owner = this.owner(call, `nixosConfigurations.${host}`);
      for (const f of moduleFiles(this.src, listElements(field(mods, "expression")!), this.ctx.path, this.ctx.project)) {
        if (seen.has(f.path)) continue;
        seen.add(f.path);
        // what this pass rewrites names the input, `formats`/`formatConfigs` or `system.build`: other files stay unparsed
        if (!f.source.includes(this.view.name) && !f.source.includes("nixos-generators") && !f.source.includes("format") && !f.source.includes("build")) continue;
        if (f.parsed.error) continue;
        const view = generatorsView(f.parsed.source, f.parsed.root, f.path, this.ctx.project);
        if (view) this.units.push({ path: f.path, src: f.parsed.source, root: f.parsed.root, view, owner, edits: [] });
      }
    }
  }

  /**
   * Other files of this run that read `….nixosConfigurations.<host>.config.formats…` (outputs
   * split into files: `import ./images.nix { inherit self; }`). Their reads are rewritten with the
   * flake's, or keep the all-formats import: removed with reads left elsewhere, the flake would
   * no longer evaluate.
   */
  private addFormatsReaders() {
    const seen = new Set(this.units.map((u) => u.path));
    for (const path of this.ctx.project.given()) {
      if (seen.has(path) || !path.endsWith(".nix")) continue;
      const text = this.ctx.project.read(path);
      if (!text?.includes("nixosConfigurations") || !text.includes("formats")) continue;
      const parsed = this.ctx.project.parse(path);
      if (!parsed || parsed.error) continue;
      const view = generatorsView(parsed.source, parsed.root, path, this.ctx.project);
      if (!view) continue;
      const unit: Unit = { path, src: parsed.source, root: parsed.root, view, owner: null, edits: [] };
      this.units.push(unit);
      this.unit = unit;
      this.collectImports();
    }
  }

  /**
   * No other .nix file in this run: `nixgen-migrate flake.nix` (a file outside the run may read the
   * formats), or a repository run where nothing else passed the prefilter (then nothing reads them).
   */
  private aloneInRun(): boolean {
    return !this.ctx.project.given().some((p) => p !== this.ctx.path && p.endsWith(".nix"));
  }

  // ------------------------------------------------------------------ imports

  private collectImports() {
    for (const { node, ref } of generatorsReferences(this.view, this.root)) {
      if (ref.path[0] !== "nixosModules" || ref.path.length !== 2) continue;
      const name = ref.path[1]!;
      const owner = this.ownerOf(node);
      if (name === "all-formats") owner.allFormats.push({ node, unit: this.unit });
      else owner.formatModules.push({ node, unit: this.unit, info: lookupFormat(name), name });
    }
  }

  /** The configuration a node belongs to: the nixosSystem call around it, else the file's. */
  private ownerOf(node: SyntaxNode): Owner {
    if (this.unit.owner) return this.unit.owner;
    let key: SyntaxNode = this.root;
    let label = this.unit.path;
    for (let n: SyntaxNode | null = node; n; n = n.parent) {
      if (n.type !== "apply_expression") continue;
      const fn = unparen(field(n, "function")!);
      const last = fn.type === "select_expression" ? fields(field(fn, "attrpath")!, "attr").pop() : null;
      const isSystem = (last && attrName(this.src, last) === "nixosSystem") || (fn.type === "variable_expression" && variableName(this.src, fn) === "nixosSystem");
      if (isSystem) {
        key = n;
        const host = [...this.hosts].find(([, v]) => v === n)?.[0];
        label = host ? `nixosConfigurations.${host}` : "the configuration";
        break;
      }
    }
    return this.owner(key, label);
  }

  private owner(key: SyntaxNode, label: string): Owner {
    let o = this.owners.get(key);
    if (!o) this.owners.set(key, (o = { key, label, allFormats: [], formatModules: [], blocked: false }));
    return o;
  }

  /** Owner for a select like `self.nixosConfigurations.<h>.config…` (keys after the base). */
  private ownerOfConfigPath(select: SyntaxNode, keys: string[]): { owner: Owner; configAt: number } | null {
    const base = unparen(field(select, "expression")!);
    const i = keys.indexOf("nixosConfigurations");
    if (i >= 0 && keys[i + 2] === "config") {
      const host = keys[i + 1]!;
      const call = this.hosts.get(host);
      if (!call) return null;
      return { owner: this.owner(call, `nixosConfigurations.${host}`), configAt: i + 2 };
    }
    // `config.…` where config is a module argument
    if (base.type === "variable_expression" && variableName(this.src, base) === "config") {
      const d = resolveName(this.src, base, "config").definition;
      if (d?.kind === "formal") return { owner: this.ownerOf(select), configAt: -1 };
    }
    // `host.config.…` where `host = ….nixosConfigurations.<host>;` (a let or rec binding)
    const alias = base.type === "variable_expression" && keys[0] === "config" ? variableName(this.src, base) : null;
    if (alias !== null) {
      const d = resolveName(this.src, base, alias).definition;
      const value = d?.kind === "binding" && d.value ? unparen(d.value) : null;
      if (value?.type === "select_expression") {
        const valueKeys = this.keysOf(value).keys;
        const call = valueKeys.at(-2) === "nixosConfigurations" ? this.hosts.get(valueKeys.at(-1) ?? "") : undefined;
        if (call) return { owner: this.owner(call, `nixosConfigurations.${valueKeys.at(-1)}`), configAt: 0 };
      }
    }
    // `(nixosSystem { … }).config…`
    if (base.type === "apply_expression" && keys[0] === "config") return { owner: this.ownerOf(base), configAt: 0 };
    return null;
  }

  /** A select's attributes and their names (`\0dynamic` for `${…}`). */
  private keysOf(select: SyntaxNode): { attrs: SyntaxNode[]; keys: string[] } {
    const attrs = fields(field(select, "attrpath")!, "attr");
    return { attrs, keys: attrs.map((a) => attrName(this.src, a) ?? "\0dynamic") };
  }

  /** The configurations that import all-formats (its removal is decided for them). */
  private allFormatsImporters(): Owner[] {
    return [...this.owners.values()].filter((o) => o.allFormats.length);
  }

  private flakeUsesAllFormats(): boolean {
    // a module file whose flake imports all-formats elsewhere
    return !this.units[0]!.view.flake && nearestFlakeImportsAllFormats(this.ctx);
  }

  // ------------------------------------------------------------------ all-formats uses

  /** `….config.formats.<f>` -> `….config.system.build.images.<variant>` */
  /** Selects that read a configuration's `config…`, with the index of the first key after `config`. */
  private *configSelects(): Generator<{ node: SyntaxNode; attrs: SyntaxNode[]; keys: string[]; owner: Owner; at: number }> {
    for (const node of descendants(this.root)) {
      if (node.type !== "select_expression") continue;
      const { attrs, keys } = this.keysOf(node);
      const loc = this.ownerOfConfigPath(node, keys);
      if (loc) yield { node, attrs, keys, owner: loc.owner, at: loc.configAt + 1 };
    }
  }

  private rewriteFormatsUses() {
    for (const { node: n, attrs, keys, owner, at: fi } of this.configSelects()) {
      if (keys[fi] !== "formats") continue;
      const fAttr = attrs[fi + 1];
      if (!fAttr) {
        this.finding(n, "all-formats-use", "`config.formats` as a whole has no upstream equivalent; use `config.system.build.images` (its names are image variants, see `nixgen-migrate --list-formats`)");
        owner.blocked = true;
        continue;
      }
      const replacement = this.imagesAccess(fAttr, owner);
      if (!replacement) {
        owner.blocked = true;
        continue;
      }
      this.unit.edits.push({ start: attrs[fi]!.start, end: fAttr.end, text: replacement });
    }
  }

  /**
   * `<x>.config.formats.<f>` where this pass cannot tell whose configuration `<x>` is (a `let`
   * binding, a function argument): left as it is, it would break once the import goes, so every
   * all-formats import stays until it is changed by hand.
   */
  private reportUnfollowedFormatsReads() {
    // only where an import may be removed (a module file's own run under such a flake decides nothing)
    const importers = this.allFormatsImporters();
    if (importers.length === 0) return;
    for (const node of descendants(this.root)) {
      if (node.type !== "select_expression") continue;
      const { keys } = this.keysOf(node);
      const at = keys.findIndex((k, i) => k === "config" && keys[i + 1] === "formats");
      if (at < 0 || this.ownerOfConfigPath(node, keys)) continue;
      this.finding(node, "all-formats-use", "a configuration's `config.formats` is read here through something this tool does not follow; change it to `config.system.build.images.<variant>` by hand (`nixgen-migrate --list-formats`), then run again: until then the all-formats import stays");
      for (const owner of importers) owner.blocked = true;
    }
  }

  /** `system.build.images.<v>` (or `.${…}`) for a `formats` key; null (reported) when not mappable. */
  private imagesAccess(attr: SyntaxNode, owner: Owner): string | null {
    const name = attrName(this.src, attr);
    if (name !== null) {
      const v = this.variantFor(name, attr, owner);
      return v === null ? null : `system.build.images.${attrKey(v)}`;
    }
    // formats.${expr} with a known set of values
    const expr = attr.type === "interpolation" ? field(attr, "expression") ?? attr.children.find((c) => c.named) : null;
    const values = expr ? possibleStrings(this.src, expr) : null;
    if (!expr || !values?.known) {
      this.finding(attr, "dynamic-format", "the format in `formats.${…}` is not known in this file; use `system.build.images.<variant>` by hand (`nixgen-migrate --list-formats`)");
      return null;
    }
    const renames: string[] = [];
    for (const f of values.values) {
      const v = this.variantFor(f, attr, owner);
      if (v === null) return null;
      if (v !== f) renames.push(`${attrKey(f)} = "${v}";`);
    }
    const e = textOf(this.src, expr);
    return renames.length ? `system.build.images.\${{ ${renames.join(" ")} }.\${${e}} or ${e}}` : `system.build.images.\${${e}}`;
  }

  /** The variant a format name builds (custom formatConfigs keep their name); reports when there is none. */
  private variantFor(name: string, at: SyntaxNode, owner: Owner): string | null {
    const info = lookupFormat(name);
    if (info?.variant) return info.variant;
    if (info) {
      this.finding(at, "unsupported-format", `format "${name}" has no nixpkgs image variant, so this use and the all-formats import stay. ${info.recipe}`);
      return null;
    }
    if (this.customFormats().has(name)) return customVariantName(name);
    this.finding(at, "unknown-format", `"${name}" is neither a nixos-generators format nor a custom format defined in this file; the all-formats import stays`);
    owner.blocked = true;
    return null;
  }

  private customNames: Set<string> | null = null;
  /** Names defined by `formatConfigs.<n>` in this file that are not built-in formats. */
  private customFormats(): Set<string> {
    if (this.customNames) return this.customNames;
    const out = new Set<string>();
    for (const { name } of this.formatConfigEntries()) if (!lookupFormat(name)) out.add(name);
    return (this.customNames = out);
  }

  // ------------------------------------------------------------------ formatConfigs

  /** `formatConfigs.<n> = M;` and `formatConfigs = { <n> = M; };` bindings. */
  private formatConfigEntries(): { entry: SyntaxNode; keyStart: number; keyEnd: number; nameAttr: SyntaxNode; name: string; value: SyntaxNode; nested: SyntaxNode | null }[] {
    const out: ReturnType<ModulesMigration["formatConfigEntries"]> = [];
    for (const n of descendants(this.root)) {
      if (n.type !== "binding") continue;
      const attrs = fields(field(n, "attrpath")!, "attr");
      const keys = attrs.map((a) => attrName(this.src, a));
      const at = keys.indexOf("formatConfigs");
      if (at < 0 || (at > 0 && keys[at - 1] !== "config")) continue;
      const value = field(n, "expression")!;
      if (attrs[at + 1]) {
        const name = keys[at + 1];
        if (name) out.push({ entry: n, keyStart: attrs[at]!.start, keyEnd: attrs[at + 1]!.end, nameAttr: attrs[at + 1]!, name, value, nested: null });
      } else if (isAttrset(unparen(value))) {
        for (const inner of entries(unparen(value))) {
          if (inner.type !== "binding") continue;
          const ia = fields(field(inner, "attrpath")!, "attr");
          const name = attrName(this.src, ia[0]!);
          if (name) out.push({ entry: inner, keyStart: ia[0]!.start, keyEnd: ia[0]!.end, nameAttr: ia[0]!, name, value: field(inner, "expression")!, nested: n });
        }
      }
    }
    return out;
  }

  /** `formatConfigs.<f> = M` -> `image.modules.<variant> = M` */
  private rewriteFormatConfigs() {
    const renamedParents = new Set<SyntaxNode>();
    for (const fc of this.formatConfigEntries()) {
      const owner = this.ownerOf(fc.entry);
      const info = lookupFormat(fc.name);
      let variant: string;
      if (info) {
        if (!info.variant) {
          this.finding(fc.entry, "unsupported-format", `formatConfigs.${fc.name}: format "${fc.name}" has no nixpkgs image variant, so it stays with all-formats. ${info.recipe}`);
          owner.blocked = true;
          continue;
        }
        variant = info.variant;
        this.dropFormatOptions(fc.value, fc.name);
      } else {
        const m = migrateCustomModule(this.src, fc.value);
        if (!m.ok) {
          this.finding(fc.entry, "custom-format", `custom format "${fc.name}": ${m.reason}. Define it as \`image.modules.${customVariantName(fc.name)} = { config, ... }: { …; system.build.image = config.system.build.<builder>; };\` (no formatAttr/fileExtension) and build \`config.system.build.images.${customVariantName(fc.name)}\``);
          owner.blocked = true;
          continue;
        }
        this.unit.edits.push(...m.edits);
        variant = customVariantName(fc.name);
        this.finding(fc.entry, "custom-format-migrated", `custom format "${fc.name}" is now the image variant \`${variant}\` (system.build.image = lib.mkDefault config.system.build.${m.formatAttr}); \`passthru.filePath\` needs \`image.filePath\`: import "\${modulesPath}/image/file-options.nix" and set image.extension/image.filePath if you use it`);
      }
      if (fc.nested) {
        // formatConfigs = { iso = …; }  ->  image.modules = { iso = …; }
        if (!renamedParents.has(fc.nested)) {
          renamedParents.add(fc.nested);
          const attrs = fields(field(fc.nested, "attrpath")!, "attr");
          const at = attrs.findIndex((a) => attrName(this.src, a) === "formatConfigs");
          this.unit.edits.push({ start: attrs[at]!.start, end: attrs[at]!.end, text: "image.modules" });
        }
        if (variant !== fc.name) this.unit.edits.push({ start: fc.keyStart, end: fc.keyEnd, text: attrKey(variant) });
      } else {
        this.unit.edits.push({ start: fc.keyStart, end: fc.keyEnd, text: `image.modules.${attrKey(variant)}` });
      }
    }
  }

  /** formatConfigs of a built-in format setting formatAttr/fileExtension: those options are gone. */
  private dropFormatOptions(module: SyntaxNode, name: string) {
    const { body } = moduleParts(module);
    if (!body) return;
    for (const e of entries(body)) {
      if (e.type !== "binding") continue;
      const key = attrpathKeys(this.src, field(e, "attrpath"))?.join(".");
      if (key !== "formatAttr" && key !== "fileExtension") continue;
      this.unit.edits.push(removeEntry(this.src, e));
      this.finding(e, "format-option-removed", `formatConfigs.${name}: \`${key}\` was removed, it no longer exists (the ${name} image variant defines its own builder and file name)`);
    }
  }

  // ------------------------------------------------------------------ per-format modules

  /** `….config.system.build.<formatAttr>` of a configuration that imports `nixosModules.<format>`. */
  private rewriteFormatAttrUses() {
    for (const { node: n, attrs, keys, owner, at: c } of this.configSelects()) {
      const opt = keys[c];
      if (opt === "formatAttr" || opt === "fileExtension") {
        this.finding(n, "format-option", `\`${opt}\` was a nixos-generators option and no longer exists; use \`config.system.build.images.<variant>.passthru.filePath\` for the file, \`image.fileName\` / \`image.baseName\` for its name (inside \`image.modules.<variant>\`)`);
        continue;
      }
      if (opt !== "system" || keys[c + 1] !== "build" || !attrs[c + 2]) continue;
      const attrName_ = keys[c + 2]!;
      const match = owner.formatModules.find((m) => m.info?.variant && m.info.formatAttr === attrName_);
      if (!match) continue;
      this.unit.edits.push({ start: attrs[c + 2]!.start, end: attrs[c + 2]!.end, text: `images.${attrKey(match.info!.variant!)}` });
    }
  }

  private removeImports() {
    for (const owner of this.owners.values()) {
      for (const { node, unit } of owner.allFormats) {
        this.unit = unit;
        if (owner.blocked) {
          this.finding(node, "all-formats-kept", `the all-formats import stays in ${owner.label}: some of its uses cannot be migrated (see the other findings)`);
          continue;
        }
        this.removeListElement(node);
        this.finding(node, "all-formats-removed",
          `all-formats removed from ${owner.label}: its images are \`config.system.build.images.<variant>\` now; each is the builder's full output (nixos-generators' \`formats.<f>\` was a directory with one symlink): use \`.passthru.filePath\` to find the file` +
            (this.aloneInRun() ? "; no other file of this run reads `config.formats.<f>`: files that do (outputs split into files) must be migrated in the same run (`nixgen-migrate .` includes them), or changed by hand" : ""));
      }
      for (const m of owner.formatModules) {
        this.unit = m.unit;
        if (!m.info) {
          this.finding(m.node, "unknown-format", `nixos-generators has no module "${m.name}"`);
          continue;
        }
        if (!m.info.variant) {
          this.finding(m.node, "unsupported-format", `nixosModules.${m.name} stays: format "${m.name}" has no nixpkgs image variant. ${m.info.recipe}`);
          continue;
        }
        this.removeListElement(m.node);
        this.finding(m.node, "format-module-removed",
          `nixosModules.${m.name} removed from ${owner.label}: left in, it would define system.build.image and switch system.build.images off; ` +
          `the ${m.info.variant} image is \`config.system.build.images.${m.info.variant}\`, and the configuration itself no longer includes the ${m.name} settings` +
          (m.info.difference ? `; upstream differs: ${m.info.difference}` : ""));
      }
    }
  }

  /** Removes a list element (an import), and an `imports = [ ];` left empty. */
  private removeListElement(node: SyntaxNode) {
    const el = outer(node);
    const list = el.parent;
    if (list?.type !== "list_expression") {
      this.finding(node, "generators-module", "this nixos-generators module is not an element of a `modules`/`imports` list; remove it by hand");
      return;
    }
    const elems = fields(list, "element");
    const binding = list.parent?.type === "binding" && list.field === "expression" ? list.parent : null;
    if (elems.length === 1 && binding && attrpathKeys(this.src, field(binding, "attrpath"))?.join(".") === "imports") {
      this.unit.edits.push(removeEntry(this.src, binding));
      return;
    }
    this.unit.edits.push(removeRange(this.src, el.start, el.end));
  }

  private finding(node: { start: number; end: number }, rule: string, message: string) {
    this.findings.push({ path: this.unit.path, rule, message, start: node.start, end: node.end });
  }
}
