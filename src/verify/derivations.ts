// Why two images differ, from their derivations (`nix derivation show`, or
// `nix show-derivation` before Nix 2.15): walk both graphs from the top,
// pairing inputs by name, down to the first derivation whose own attributes
// differ (not only the store paths of inputs that changed below it), and say
// what differs there in a few words. Also finds the system
// (`nixos-system-…`) inside an image whose configuration is not at hand.

/** One derivation, reduced to what the comparison reads. */
export interface Derivation {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
  /** Input derivations by name (store hash dropped); several paths when names repeat. */
  readonly inputs: ReadonlyMap<string, readonly string[]>;
  readonly inputSrcs: readonly string[];
  readonly builder: string;
  readonly args: readonly string[];
  readonly outputs: readonly string[];
}

/** Shows derivations (absolute .drv paths) -> their contents; throws on failure. */
export type ShowDerivations = (paths: readonly string[]) => Promise<Map<string, Derivation>>;

const STORE_HASH = /\/nix\/store\/[0-9a-df-np-sv-z]{32}-/g;

/** The name of a store path: `/nix/store/<hash>-<name>.drv` -> `<name>`. */
export function drvName(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1).replace(/\.drv$/, "");
  return /^[0-9a-z]{32}-/.test(base) ? base.slice(33) : base;
}

/** Reads the JSON of `nix derivation show` / `nix show-derivation` (keys are store paths, or their base names in newer Nix). */
export function parseShow(json: string, storeDir = "/nix/store"): Map<string, Derivation> {
  const out = new Map<string, Derivation>();
  const data = JSON.parse(json) as Record<string, RawDerivation> & { derivations?: Record<string, RawDerivation> };
  const entries = data.derivations && typeof data.derivations === "object" && !("env" in data.derivations) ? data.derivations : data;
  const full = (p: string) => (p.startsWith("/") ? p : `${storeDir}/${p}`);
  for (const [key, d] of Object.entries(entries)) {
    if (!d || typeof d !== "object" || !d.env) continue;
    const inputs = new Map<string, string[]>();
    const drvs = d.inputDrvs ?? (d.inputs as { drvs?: Record<string, unknown> } | undefined)?.drvs ?? {};
    for (const p of Object.keys(drvs).sort()) {
      const n = drvName(p);
      inputs.set(n, [...(inputs.get(n) ?? []), full(p)]);
    }
    const srcs = d.inputSrcs ?? (d.inputs as { srcs?: string[] } | undefined)?.srcs ?? [];
    const env = withStructuredAttrs(d.env, d.structuredAttrs);
    out.set(full(key), {
      name: env.name ?? d.name ?? drvName(key),
      env,
      inputs,
      inputSrcs: srcs.map(full),
      builder: d.builder ?? "",
      args: d.args ?? [],
      outputs: Object.keys(d.outputs ?? {}),
    });
  }
  return out;
}

/**
 * A derivation with structured attributes keeps them in one JSON value (`__json` in env; newer Nix:
 * `structuredAttrs`): unfolded, so that a difference is named by its attribute (makeEfiBootable), not `__json`.
 */
function withStructuredAttrs(env: Record<string, string>, structured: unknown): Record<string, string> {
  let attrs: unknown = structured;
  if (attrs === undefined && typeof env.__json === "string") {
    try {
      attrs = JSON.parse(env.__json);
    } catch {
      return env;
    }
  }
  if (!attrs || typeof attrs !== "object") return env;
  const out: Record<string, string> = { ...env };
  delete out.__json;
  for (const [k, v] of Object.entries(attrs as Record<string, unknown>)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}

interface RawDerivation {
  name?: string;
  env?: Record<string, string>;
  inputDrvs?: Record<string, unknown>;
  inputSrcs?: string[];
  inputs?: unknown;
  builder?: string;
  args?: string[];
  outputs?: Record<string, unknown>;
  structuredAttrs?: unknown;
}

/** Derivations shown once per run (both sides share most of their inputs). */
export class DerivationCache {
  private readonly known = new Map<string, Derivation>();
  constructor(private readonly show: ShowDerivations) {}

  async get(paths: readonly string[]): Promise<Map<string, Derivation>> {
    const missing = [...new Set(paths)].filter((p) => !this.known.has(p));
    if (missing.length) for (const [p, d] of await this.show(missing)) this.known.set(p, d);
    const out = new Map<string, Derivation>();
    for (const p of paths) {
      const d = this.known.get(p);
      if (d) out.set(p, d);
    }
    return out;
  }
}

/** How many derivations a walk shows at most (a NixOS system has thousands below it). */
const MAX_SHOWN = 400;

/** The system inside an image: the nearest `nixos-system-…` derivation below it, or null. */
export async function findSystem(image: string, cache: DerivationCache): Promise<string | null> {
  let level = [image];
  const seen = new Set(level);
  for (let depth = 0; depth < 6 && level.length && seen.size < MAX_SHOWN; depth++) {
    const shown = await cache.get(level);
    const next: string[] = [];
    for (const p of level) {
      for (const [name, paths] of shown.get(p)?.inputs ?? []) {
        if (name.startsWith("nixos-system-")) return paths[0]!;
        for (const q of paths) if (!seen.has(q)) next.push(q), seen.add(q);
      }
    }
    level = next;
  }
  return null;
}

/** What differs in one derivation of the pair. */
export interface Difference {
  readonly drv: string;
  /** Attributes whose values differ beyond the store paths of inputs (old and new values). */
  readonly env: { key: string; before: string | undefined; after: string | undefined }[];
  readonly onlyBefore: string[];
  readonly onlyAfter: string[];
}

/** The derivations whose own attributes differ at the first depth (breadth first) where some do; at most `max`. */
export async function firstDifferences(before: string, after: string, cache: DerivationCache, max = 3): Promise<Difference[]> {
  const found: Difference[] = [];
  let level: [string, string][] = [[before, after]];
  const seen = new Set<string>();
  let shown = 0;
  while (level.length && !found.length && shown < MAX_SHOWN) {
    const drvs = await cache.get(level.flat());
    shown += level.length * 2;
    const next: [string, string][] = [];
    for (const [a, b] of level) {
      const A = drvs.get(a);
      const B = drvs.get(b);
      if (!A || !B) continue;
      const d = ownDifference(A, B);
      if (d) found.push(d);
      for (const [name, pa] of A.inputs) {
        const pb = B.inputs.get(name);
        if (!pb) continue;
        const onlyA = pa.filter((p) => !pb.includes(p));
        const onlyB = pb.filter((p) => !pa.includes(p));
        for (let i = 0; i < Math.min(onlyA.length, onlyB.length); i++) {
          const key = `${onlyA[i]} ${onlyB[i]}`;
          if (!seen.has(key)) seen.add(key), next.push([onlyA[i]!, onlyB[i]!]);
        }
      }
    }
    level = next;
  }
  return found.slice(0, max);
}

const normalize = (s: string | undefined) => s?.replace(STORE_HASH, "/nix/store/…-");

function ownDifference(A: Derivation, B: Derivation): Difference | null {
  const outputs = new Set([...A.outputs, ...B.outputs]);
  const env: Difference["env"] = [];
  for (const key of [...new Set([...Object.keys(A.env), ...Object.keys(B.env)])].sort()) {
    if (outputs.has(key)) continue; // output paths follow everything else
    if (normalize(A.env[key]) !== normalize(B.env[key])) env.push({ key, before: A.env[key], after: B.env[key] });
  }
  if (normalize(A.builder) !== normalize(B.builder)) env.push({ key: "builder", before: A.builder, after: B.builder });
  if (normalize(A.args.join(" ")) !== normalize(B.args.join(" "))) env.push({ key: "args", before: A.args.join(" "), after: B.args.join(" ") });
  const onlyBefore = [...A.inputs.keys()].filter((n) => !B.inputs.has(n));
  const onlyAfter = [...B.inputs.keys()].filter((n) => !A.inputs.has(n));
  const srcA = A.inputSrcs.map(drvName);
  const srcB = B.inputSrcs.map(drvName);
  onlyBefore.push(...srcA.filter((n) => !srcB.includes(n)));
  onlyAfter.push(...srcB.filter((n) => !srcA.includes(n)));
  if (!env.length && !onlyBefore.length && !onlyAfter.length) return null;
  return { drv: A.name === B.name ? A.name : `${A.name} -> ${B.name}`, env, onlyBefore, onlyAfter };
}

/** A value for one line: store hashes dropped, long values cut. */
function short(v: string | undefined, max = 60): string {
  if (v === undefined) return "(none)";
  const s = normalize(v)!.replace(/\s+/g, " ").trim();
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

/**
 * Where two long values differ: for lines (scripts, JSON lines), the lines
 * only one side has; else the first difference with a little context.
 */
function valueDiff(a: string, b: string): string {
  if (a.includes("\n") || b.includes("\n")) {
    const la = a.split("\n");
    const lb = b.split("\n");
    const added = lb.filter((l) => !la.includes(l)).map((l) => `+${short(l, 50)}`);
    const removed = la.filter((l) => !lb.includes(l)).map((l) => `-${short(l, 50)}`);
    if (added.length || removed.length) return [...added.slice(0, 2), ...removed.slice(0, 2)].join(" ") + (added.length + removed.length > 4 ? " …" : "");
  }
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let e = 0;
  while (e < a.length - p && e < b.length - p && a[a.length - 1 - e] === b[b.length - 1 - e]) e++;
  const around = (s: string) => `${p > 12 ? "…" : ""}${s.slice(Math.max(0, p - 12), s.length - e + 12)}${e > 12 ? "…" : ""}`;
  return `${short(around(a), 40)} -> ${short(around(b), 40)}`;
}

/** A JSON list of strings (a list attribute of a structured-attributes derivation), else null. */
function stringList(s: string): string[] | null {
  if (!s.startsWith("[")) return null;
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : null;
  } catch {
    return null;
  }
}

/** Words that differ between two lists (kernelParams, space-separated or a JSON list): `+a -b`. */
function wordsDiff(a: string, b: string): string | null {
  const la = stringList(a);
  const lb = stringList(b);
  if (la && lb) return elementsDiff(la, lb);
  if (a.includes("\n") || b.includes("\n")) return null;
  const wa = a.split(/\s+/).filter(Boolean);
  const wb = b.split(/\s+/).filter(Boolean);
  return elementsDiff(wa, wb);
}

function elementsDiff(wa: string[], wb: string[]): string | null {
  if (wa.length < 2 && wb.length < 2 && (wa.length === 0) === (wb.length === 0)) return null;
  const added = wb.filter((w) => !wa.includes(w)).map((w) => `+${w}`);
  const removed = wa.filter((w) => !wb.includes(w)).map((w) => `-${w}`);
  const all = [...added, ...removed];
  return all.length ? short(all.join(" "), 80) : "order";
}

/** One difference in a few words. */
export function describeDifference(d: Difference): string {
  const parts: string[] = [];
  if (d.env.length === 1 && d.env[0]!.key === "name" && !d.onlyBefore.length && !d.onlyAfter.length) {
    return `name only: the file name changed (${short(d.env[0]!.before)} -> ${short(d.env[0]!.after)})`;
  }
  // a changed name is in the heading already (`a -> b:`)
  const env = d.env.filter((e) => e.key !== "name");
  for (const e of env.slice(0, 3)) {
    const words = e.before !== undefined && e.after !== undefined ? wordsDiff(normalize(e.before)!, normalize(e.after)!) : null;
    const both = e.before !== undefined && e.after !== undefined;
    parts.push(words ? `${e.key} ${words}` : both ? `${e.key} ${valueDiff(normalize(e.before)!, normalize(e.after)!)}` : `${e.key} ${short(e.before, 40)} -> ${short(e.after, 40)}`);
  }
  if (env.length > 3) parts.push(`${env.length - 3} more attributes`);
  if (d.onlyBefore.length || d.onlyAfter.length) {
    parts.push(`a different input (${[...d.onlyAfter.map((n) => `+${n}`), ...d.onlyBefore.map((n) => `-${n}`)].slice(0, 4).join(" ")})`);
  }
  return `${d.drv}: ${parts.join("; ")}`;
}
