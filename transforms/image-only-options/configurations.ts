// Phase 1: the configurations whose images the file builds, and the variants
// each builds (`….config.system.build.images.<v>`).
import type { Rule } from "../image-only-options.meta.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { ProjectView, RawFinding } from "../../src/types.js";
import { attrName, attrsOf, descendants, entries, field, fields, named, stringValue, textOf, unparen } from "../../src/nix/ast.js";
import type { FlakeInfo } from "../../src/nix/flake.js";
import { configurationOf, flakeConfigurations, type FoundConfiguration, type Resolved } from "../../src/nix/configurations.js";
import type { WalkFile } from "../../src/nix/module-walk.js";
import { evalRef } from "../../src/nix/refs.js";
import { resolveName, variableName } from "../../src/nix/scope.js";
import { possibleStrings } from "../../src/nix/values.js";
import { LineIndex } from "../../src/text.js";
import { finding, type Config } from "./model.js";

const IMAGES = ["config", "system", "build", "images"];

/** A configuration an image is built from that this pass cannot see into, where the image is referred to. */
export interface UnseenConfiguration {
  readonly at: SyntaxNode;
  readonly label: string;
  readonly reason: string;
}

/**
 * Configurations whose `system.build.images.<v>` the file refers to: the flake's
 * `nixosConfigurations.<h>` (defined in flake.nix or in a file it imports), and configurations
 * built in place (`(nixpkgs.lib.nixosSystem { … }).config.system.build.images.<v>`, through
 * let-bound names and imports), in flake.nix or in any other file.
 */
export function findConfigurations(project: ProjectView, file: WalkFile, flake: FlakeInfo | null): { configs: Config[]; unseen: UnseenConfiguration[]; findings: RawFinding<Rule>[] } {
  const src = file.src;
  const named = flake?.outputs ? flakeConfigurations(project, file, flake.outputs.body) : new Map<string, Resolved>();
  const byName = new Map<string, Config>();
  const inline = new Map<SyntaxNode, Config>();
  const unseen = new Map<string, UnseenConfiguration>();
  for (const n of descendants(file.root)) {
    if (n.type !== "select_expression") continue;
    const path = field(n, "attrpath");
    if (!path) continue;
    const attrs = fields(path, "attr");
    const base = field(n, "expression")!;
    const keys = attrs.map((a) => attrName(src, a));
    // self.nixosConfigurations.<h>.config.system.build.images.<v>, inputs.self…, or a rec/let-bound nixosConfigurations
    const full = flake ? selfPath(file, base, keys) : null;
    const h = full?.keys[0] === "nixosConfigurations" ? full.keys[1] : undefined;
    if (full && h !== undefined && h !== null && isPrefixOf(IMAGES, full.keys.slice(2))) {
      const found = named.get(h) ?? { reason: `\`nixosConfigurations.${h}\` is not defined in this file` };
      if ("reason" in found) {
        if (!unseen.has(h)) unseen.set(h, { at: n, label: `nixosConfigurations.${h}`, reason: found.reason });
        continue;
      }
      let c = byName.get(h);
      if (!c) byName.set(h, (c = configOf(found, `nixosConfigurations.${h}`)));
      addVariants(src, c, attrs[6 - full.offset] ?? null, n);
      continue;
    }
    // (<nixpkgs>.lib.nixosSystem { … }).config.system.build.images.<v>, or a let-bound or imported one
    if (!isPrefixOf(IMAGES, keys)) continue;
    const b = unparen(base);
    if (b.type !== "apply_expression" && b.type !== "variable_expression") continue;
    const found = configurationOf(project, file, b);
    if ("reason" in found) continue;
    let c = inline.get(found.call);
    if (!c) inline.set(found.call, (c = configOf(found, `the configuration built in place at ${found.file.isFlake ? "" : `${found.file.path} `}line ${lineOf(found.file.src, found.call.start)}`)));
    addVariants(src, c, attrs[4] ?? null, n);
  }
  const configs = [...byName.values(), ...inline.values()];
  const findings = configs.filter((c) => c.unknownAt).map((c) => finding(file, c.unknownAt!, "image-variants-unknown",
    `${c.label}: which image variant this builds is not known statically, so variant-only options in its modules go to every variant that declares them`));
  return { configs, unseen: [...unseen.values()], findings };
}

function configOf(found: FoundConfiguration, label: string): Config {
  return { label, file: found.file, args: found.args, helper: found.helper, variants: new Set(), unknownAt: null };
}

/** Keys of `base.keys` counted from the flake's outputs (`self.…`), or null. `offset` = keys that base stands for. */
function selfPath(file: WalkFile, base: SyntaxNode, keys: (string | null)[]): { keys: (string | null)[]; offset: number } | null {
  const src = file.src;
  const ref = evalRef(src, base, file.roots);
  if (ref && ref.input === "self") return { keys: [...ref.path, ...keys], offset: ref.path.length };
  // inputs.self.nixosConfigurations…: the first key names the input
  if (ref && ref.input === null && ref.path.length === 0 && keys[0] === "self") return { keys: keys.slice(1), offset: -1 };
  // `nixosConfigurations.h.…` inside a rec set / let that defines nixosConfigurations
  const b = unparen(base);
  const name = variableName(src, b);
  if (name === "nixosConfigurations") {
    const d = resolveName(src, b, name).definition;
    if (d?.kind === "binding" && (d.scope.type === "rec_attrset_expression" || d.scope.type === "let_expression")) {
      return { keys: ["nixosConfigurations", ...keys], offset: 1 };
    }
  }
  return null;
}

/** Records the variant(s) that `attr` (the key after `images`) selects. */
function addVariants(src: string, c: Config, attr: SyntaxNode | null, at: SyntaxNode) {
  if (!attr) {
    c.unknownAt ??= at;
    return;
  }
  const literal = attrName(src, attr);
  if (literal !== null) {
    c.variants.add(literal);
    return;
  }
  const values = attr.type === "interpolation" ? dynamicVariants(src, named(attr)[0] ?? null) : null;
  if (values) for (const v of values) c.variants.add(v);
  else c.unknownAt ??= at;
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
  const attrs = attrsOf(n);
  const dflt = field(n, "default");
  if (base.type !== "attrset_expression" || attrs.length !== 1 || attrs[0]!.type !== "interpolation" || !dflt) return null;
  const key = named(attrs[0]!)[0];
  if (!key || textOf(src, unparen(key)) !== textOf(src, unparen(dflt))) return null;
  const values = possibleStrings(src, key);
  if (!values.known) return null;
  const table = new Map<string, string>();
  for (const e of entries(base)) {
    if (e.type !== "binding") return null;
    const k = attrsOf(e);
    const s = stringValue(src, field(e, "expression"));
    const name = k.length === 1 ? attrName(src, k[0]!) : null;
    if (name === null || s === null) return null;
    table.set(name, s);
  }
  return values.values.map((x) => table.get(x) ?? x);
}

function isPrefixOf(prefix: readonly string[], keys: readonly (string | null)[]): boolean {
  return prefix.length <= keys.length && prefix.every((k, i) => keys[i] === k);
}

/** 1-based line of an offset. */
export function lineOf(src: string, offset: number): number {
  return new LineIndex(src).lineOf(offset) + 1;
}
