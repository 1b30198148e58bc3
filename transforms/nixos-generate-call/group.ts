// Phase 3 (hoisted calls): calls with the same arguments share one
// configuration, unless they want one variant with different image modules;
// an existing nixosConfigurations entry with the same arguments is reused.
// Each new configuration gets a name.
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import { descendants, field, normalized, textOf, unparen } from "../../src/nix/ast.js";
import { existingConfigurations, type OutputSet } from "../../src/nix/outputs.js";
import { joinPath } from "../../src/paths.js";
import { extraModules } from "./arguments.js";
import { argEntries } from "./find.js";
import { arg, finding, type Call, type CallFile } from "./model.js";

export interface Group {
  readonly key: string;
  readonly calls: Call[];
  host: string;
  reuse: boolean;
}

/** The configuration's arguments, normalised: calls with equal keys build the same configuration. */
function argsKey(file: CallFile, call: Call): string {
  const parts: string[] = [];
  for (const a of call.argEntries) {
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
  for (const call of calls) {
    const key = argsKey(file, call);
    // same configuration, and no variant asked for twice with different image modules
    const g = groups.find((x) => x.key === key && !x.calls.some((o) => conflicts(o, call, file.parity)));
    if (g) g.calls.push(call);
    else groups.push({ key, calls: [call], host: "", reuse: false });
  }
  // reuse an existing nixosConfigurations.<name> with the same arguments
  const existing = existingConfigurations(file.src, target);
  for (const g of groups) {
    if (g.calls.some((c) => extraModules(c.infos, file.parity))) continue;
    const name = reusable(file, g, existing);
    if (name !== null) {
      g.host = name;
      g.reuse = true;
    }
  }
  return groups;
}

/** An existing configuration built by the same function from the same arguments as the group's. */
function reusable(file: CallFile, g: Group, existing: Map<string, { value: SyntaxNode }>): string | null {
  const src = file.src;
  const first = g.calls[0]!;
  for (const [name, { value }] of existing) {
    const v = unparen(value);
    if (v.type !== "apply_expression") continue;
    const a = unparen(field(v, "argument")!);
    if (a.type !== "attrset_expression") continue;
    const fnNorm = normalized(src, field(v, "function")!);
    const wantFn = arg(first, "nixosSystem");
    const expectedFn = wantFn?.kind === "binding" ? normalized(src, wantFn.value!) : null;
    const fnOk = expectedFn !== null ? fnNorm === expectedFn : /(^|\.)\s*lib \. nixosSystem$|^nixosSystem$|lib \. nixosSystem$/.test(fnNorm);
    if (!fnOk) continue;
    const k = argsKey(file, { ...first, argEntries: argEntries(src, a).filter((x) => x.key !== "nixosSystem") });
    const want = argsKey(file, { ...first, argEntries: first.argEntries.filter((x) => x.key !== "nixosSystem") });
    if (k === want) return name;
  }
  return null;
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

/** Names the new configurations (sets `host`): `--host`, else from the bindings or module paths. */
export function nameHosts(file: CallFile, groups: readonly Group[], target: OutputSet): RawFinding[] {
  const findings: RawFinding[] = [];
  const taken = new Set(existingConfigurations(file.src, target).keys());
  for (const g of groups) if (g.reuse) taken.add(g.host);
  const fresh = groups.filter((g) => !g.reuse);
  const host = file.ctx.options.host;
  if (host && fresh.length > 1) {
    findings.push(finding(fresh[0]!.calls[0]!.node, "host-option-ignored", `--host ${host} was ignored: this file needs ${fresh.length} configurations (${fresh.length} different sets of arguments); their names are derived from the bindings`));
  }
  for (const g of fresh) {
    let base = host && fresh.length === 1 ? host : deriveHost(file, g);
    base = sanitizeHost(base);
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
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
