// Phase 3 (hoisted calls): calls with the same arguments share one
// configuration, unless they want one variant with different image modules;
// an existing nixosConfigurations entry with the same arguments is reused.
// Each new configuration gets a name.
import type { Rule } from "../nixos-generate-call.meta.js";
import type { RawFinding } from "../../src/types.js";
import { descendants, field, normalized, textOf, unparen } from "../../src/nix/ast.js";
import { existingConfigurations, type OutputSet } from "../../src/nix/outputs.js";
import { joinPath } from "../../src/paths.js";
import { extraModules, moduleSignature, type ModuleChoice } from "./image-modules.js";
import { argEntries } from "./find.js";
import { arg, finding, type ArgEntry, type Call, type CallFile } from "./model.js";

export interface Group {
  readonly key: string;
  readonly calls: Call[];
  host: string;
  reuse: boolean;
}

/** The configuration's arguments, normalised: calls with equal keys build the same configuration. */
function argsKey(file: CallFile, args: readonly ArgEntry[]): string {
  const parts: string[] = [];
  for (const a of args) {
    // format and customFormats become images of the configuration, not part of it
    if (a.key === "format" || a.key === "customFormats") continue;
    if (a.kind === "binding") parts.push(`${a.key}=${normalized(file.src, a.value!)}`);
    else if (a.kind === "inherit") parts.push(`${a.key}=<inherit>`);
    else parts.push(`${a.key}=<inherit ${normalized(file.src, a.value!)}>`);
  }
  return parts.sort().join(";");
}

export function groupCalls(file: CallFile, calls: readonly Call[], target: OutputSet): Group[] {
  const groups: Group[] = [];
  // per key, its groups in the order they were made, with the image modules each variant gets there
  const byKey = new Map<string, { group: Group; modules: Map<string, Set<string>> }[]>();
  for (const call of calls) {
    const key = argsKey(file, call.argEntries);
    const sameKey = byKey.get(key) ?? [];
    byKey.set(key, sameKey);
    // same configuration, and no variant asked for twice with different image modules
    let g = sameKey.find((x) => !conflicts(x.modules, call, file));
    if (!g) {
      g = { group: { key, calls: [], host: "", reuse: false }, modules: new Map() };
      sameKey.push(g);
      groups.push(g.group);
    }
    g.group.calls.push(call);
    for (const i of call.infos) {
      const set = g.modules.get(i.variant!) ?? new Set<string>();
      set.add(moduleSignature(i, file));
      g.modules.set(i.variant!, set);
    }
  }
  // reuse an existing nixosConfigurations.<name> with the same arguments
  const existing = existingArguments(file, target);
  for (const g of groups) {
    if (g.calls.some((c) => extraModules(c.infos, file))) continue;
    const name = reusable(file, g, existing);
    if (name !== null) {
      g.host = name;
      g.reuse = true;
    }
  }
  return groups;
}

interface ExistingConfiguration {
  readonly name: string;
  /** The function, normalised (`nixpkgs . lib . nixosSystem`). */
  readonly fn: string;
}

/** The existing `nixosConfigurations.<name> = <fn> { … };` by their arguments' key, each list in file order. */
function existingArguments(file: CallFile, target: OutputSet): Map<string, ExistingConfiguration[]> {
  const out = new Map<string, ExistingConfiguration[]>();
  for (const [name, { value }] of existingConfigurations(file.src, target)) {
    const v = unparen(value);
    if (v.type !== "apply_expression") continue;
    const a = unparen(field(v, "argument")!);
    if (a.type !== "attrset_expression") continue;
    const key = argsKey(file, argEntries(file.src, a).filter((x) => x.key !== "nixosSystem"));
    const list = out.get(key) ?? [];
    list.push({ name, fn: normalized(file.src, field(v, "function")!) });
    out.set(key, list);
  }
  return out;
}

/** An existing configuration built by the same function from the same arguments as the group's. */
function reusable(file: CallFile, g: Group, existing: Map<string, ExistingConfiguration[]>): string | null {
  const first = g.calls[0]!;
  const wantFn = arg(first, "nixosSystem");
  const expectedFn = wantFn?.kind === "binding" ? normalized(file.src, wantFn.value!) : null;
  const want = argsKey(file, first.argEntries.filter((x) => x.key !== "nixosSystem"));
  for (const c of existing.get(want) ?? []) {
    const fnOk = expectedFn !== null ? c.fn === expectedFn : /(^|\.)\s*lib \. nixosSystem$|^nixosSystem$|lib \. nixosSystem$/.test(c.fn);
    if (fnOk) return c.name;
  }
  return null;
}

/** Would the call get a variant of the group with other image modules than its own? */
function conflicts(groupModules: Map<string, Set<string>>, call: Call, choice: ModuleChoice): boolean {
  for (const y of call.infos) {
    const theirs = groupModules.get(y.variant!);
    if (!theirs) continue;
    const mine = moduleSignature(y, choice);
    for (const m of theirs) if (m !== mine) return true;
  }
  return false;
}

/** Names the new configurations (sets `host`): `--host`, else from the bindings or module paths. */
export function nameHosts(file: CallFile, groups: readonly Group[], target: OutputSet): RawFinding<Rule>[] {
  const findings: RawFinding<Rule>[] = [];
  const taken = new Set(existingConfigurations(file.src, target).keys());
  for (const g of groups) if (g.reuse) taken.add(g.host);
  const fresh = groups.filter((g) => !g.reuse);
  const nextSuffix = new Map<string, number>();
  const host = file.ctx.options.host;
  if (host && fresh.length > 1) {
    findings.push(finding(fresh[0]!.calls[0]!.node, "host-option-ignored", `--host ${host} was ignored: this file needs ${fresh.length} configurations (${fresh.length} different sets of arguments); their names are derived from the bindings`));
  }
  for (const g of fresh) {
    let base = host && fresh.length === 1 ? host : deriveHost(file, g);
    base = sanitizeHost(base);
    // the first free `<base>-<i>`, i from 2: the suffixes below the last one given are all taken
    let name = base;
    let i = nextSuffix.get(base) ?? 2;
    for (; taken.has(name); i++) name = `${base}-${i}`;
    nextSuffix.set(base, i);
    taken.add(name);
    g.host = name;
  }
  return findings;
}

function deriveHost(file: CallFile, g: Group): string {
  const names = g.calls.map((c) => c.bindingName).filter((n): n is string => !!n);
  if (g.calls.length === 1 && names.length === 1) return names[0]!;
  if (names.length === g.calls.length && names.length > 1) {
    const common = commonWordPrefix(names) || commonWordSuffix(names);
    if (common) return common;
  }
  const mods = arg(g.calls[0]!, "modules");
  if (mods?.kind === "binding") {
    for (const n of descendants(mods.value!)) {
      if (n.type !== "path_expression") continue;
      const p = textOf(file.src, n);
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
