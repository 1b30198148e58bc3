// Static view of a flake.nix: its inputs (URL, follows, the syntax that
// defines each) and its outputs function. Nothing is evaluated.
import type { SyntaxNode } from "../parse.js";
import { dirname, joinPath } from "../paths.js";
import { attrName, entries, field, fields, isAttrset, stringValue, unparen } from "./ast.js";

/** One leaf of a (possibly nested) attrset: full key path, value, and the entry holding each key. */
export interface AttrLeaf {
  readonly keys: string[];
  readonly value: SyntaxNode;
  /** For every key index, the `binding` entry whose attrpath holds that key. */
  readonly entryOfKey: SyntaxNode[];
}

/**
 * Flattens `{ a.b = 1; c = { d = 2; }; }` into leaves `[a,b]`, `[c,d]`.
 * Attrset values (rec ones too) are descended; `inherit` entries and dynamic keys are skipped.
 */
export function flattenAttrset(source: string, attrset: SyntaxNode, prefix: string[] = [], holders: SyntaxNode[] = []): AttrLeaf[] {
  const out: AttrLeaf[] = [];
  const stack: { set: SyntaxNode; prefix: string[]; holders: SyntaxNode[] }[] = [{ set: attrset, prefix, holders }];
  while (stack.length) {
    const { set, prefix: pre, holders: hold } = stack.pop()!;
    for (const e of entries(set)) {
      if (e.type !== "binding") continue;
      const path = field(e, "attrpath");
      const attrs = path ? fields(path, "attr") : [];
      const keys: string[] = [];
      let dynamic = false;
      for (const a of attrs) {
        const k = attrName(source, a);
        if (k === null) { dynamic = true; break; }
        keys.push(k);
      }
      if (dynamic) continue;
      const value = field(e, "expression");
      if (!value) continue;
      const allKeys = [...pre, ...keys];
      const allHolders = [...hold, ...keys.map(() => e)];
      const v = unparen(value);
      // a `rec { … }` set's attributes are attributes all the same (`inputs = rec { … };`)
      if (isAttrset(v)) stack.push({ set: v, prefix: allKeys, holders: allHolders });
      else out.push({ keys: allKeys, value, entryOfKey: allHolders });
    }
  }
  return out;
}

export interface FlakeInput {
  readonly name: string;
  readonly url: string | null;
  /** `inputs.<name>.inputs.<dep>.follows = "<target>"` */
  readonly follows: Map<string, string>;
  /** Entries that define this input (removing all of them removes the input). */
  readonly definitions: Set<SyntaxNode>;
}

export interface FlakeOutputs {
  /** The `outputs = …;` entry. */
  readonly entry: SyntaxNode;
  readonly fn: SyntaxNode;
  readonly formals: SyntaxNode | null;
  /** `inputs@{…}`, `{…}@inputs` or a plain `inputs:` parameter. */
  readonly inputsParam: string | null;
  readonly body: SyntaxNode;
  readonly hasEllipsis: boolean;
  readonly formalNames: Map<string, SyntaxNode>;
}

export interface FlakeInfo {
  readonly top: SyntaxNode;
  readonly inputs: Map<string, FlakeInput>;
  readonly outputs: FlakeOutputs | null;
  /** Follows declared by any input: "<input>/<dep>" -> target path. */
  readonly allFollows: { input: string; dep: string; target: string; node: SyntaxNode }[];
  /** `inputs` is not (only) literal sets (`inputs = import ./inputs.nix;`, `inputs = a // b;`): `inputs` may miss some. */
  readonly inputsOpaque: boolean;
}

/**
 * One analysis per parse: trees are immutable and the engine keeps one per text,
 * so the passes (and every module file's look-up of its nearest flake.nix) share it.
 */
const flakeMemo = new WeakMap<SyntaxNode, FlakeInfo | null>();

/** Reads the top-level structure of a flake; null when the file is not a flake-shaped attrset. */
export function analyzeFlake(source: string, root: SyntaxNode): FlakeInfo | null {
  let info = flakeMemo.get(root);
  if (info === undefined) flakeMemo.set(root, (info = readFlake(source, root)));
  return info;
}

function readFlake(source: string, root: SyntaxNode): FlakeInfo | null {
  const expr = field(root, "expression");
  if (!expr) return null;
  const top = unparen(expr);
  if (top.type !== "attrset_expression" && top.type !== "rec_attrset_expression") return null;

  const inputs = new Map<string, { -readonly [K in keyof FlakeInput]: FlakeInput[K] }>();
  const allFollows: FlakeInfo["allFollows"] = [];
  let outputs: FlakeOutputs | null = null;
  let inputsOpaque = false;

  const getInput = (name: string) => {
    let i = inputs.get(name);
    if (!i) inputs.set(name, (i = { name, url: null, follows: new Map(), definitions: new Set() }));
    return i;
  };

  for (const leaf of flattenAttrset(source, top)) {
    const [k0, k1, ...rest] = leaf.keys;
    if (k0 === "outputs" && leaf.keys.length === 1) {
      const fn = unparen(leaf.value);
      if (fn.type === "function_expression") outputs = describeOutputs(source, leaf.entryOfKey[0]!, fn);
      continue;
    }
    if (k0 !== "inputs") continue;
    if (k1 === undefined) {
      inputsOpaque = true;
      continue;
    }
    const input = getInput(k1);
    input.definitions.add(leaf.entryOfKey[1]!);
    if (rest.length === 0) {
      // inputs.x = "github:…"  (shorthand some flakes use)
      const s = stringValue(source, leaf.value);
      if (s !== null) input.url = s;
    } else if (rest.length === 1 && rest[0] === "url") {
      input.url = stringValue(source, leaf.value);
    } else if (rest.length === 3 && rest[0] === "inputs" && rest[2] === "follows") {
      const target = stringValue(source, leaf.value);
      if (target !== null) {
        input.follows.set(rest[1]!, target);
        allFollows.push({ input: k1, dep: rest[1]!, target, node: leaf.value });
      }
    } else if (rest.length === 1 && rest[0] === "follows") {
      const target = stringValue(source, leaf.value);
      if (target !== null) allFollows.push({ input: k1, dep: "", target, node: leaf.value });
    }
  }
  // `inputs = { x = { … }; }` where x's set was not a literal: still an input.
  return { top, inputs, outputs, allFollows, inputsOpaque };
}

function describeOutputs(source: string, entry: SyntaxNode, fn: SyntaxNode): FlakeOutputs {
  const formals = field(fn, "formals");
  const universal = field(fn, "universal");
  const formalNames = new Map<string, SyntaxNode>();
  let hasEllipsis = false;
  if (formals) {
    for (const f of fields(formals, "formal")) {
      const n = field(f, "name");
      if (n) formalNames.set(source.slice(n.start, n.end), f);
    }
    hasEllipsis = !!field(formals, "ellipses");
  }
  return {
    entry,
    fn,
    formals,
    inputsParam: universal ? source.slice(universal.start, universal.end) : null,
    body: field(fn, "body")!,
    hasEllipsis,
    formalNames,
  };
}

const GENERATORS_URL = /(^|[:/])nix-community\/nixos-generators(\/|$|\?|#)|nixos-generators(\.git)?([?#/]|$)/;

/** Inputs that are nixos-generators: by URL, else by the conventional name. */
export function generatorsInputs(flake: FlakeInfo): FlakeInput[] {
  const out: FlakeInput[] = [];
  for (const input of flake.inputs.values()) {
    if (input.url !== null ? GENERATORS_URL.test(input.url) : input.name === "nixos-generators") out.push(input);
  }
  return out;
}

const NIXPKGS_URL = /(^|[:/])(NixOS|nixos)\/nixpkgs([/?#]|$)|nixpkgs/;

/** The nixpkgs input images should use: the one nixos-generators follows, else `nixpkgs`, else by URL. */
export function nixpkgsInputFor(flake: FlakeInfo, generators: FlakeInput): { name: string; followed: boolean } | null {
  const followed = generators.follows.get("nixpkgs");
  if (followed !== undefined && !followed.includes("/") && flake.inputs.has(followed)) return { name: followed, followed: true };
  if (flake.inputs.has("nixpkgs")) return { name: "nixpkgs", followed: false };
  for (const i of flake.inputs.values()) if (i.url && NIXPKGS_URL.test(i.url) && i !== generators) return { name: i.name, followed: false };
  return null;
}

/**
 * Release a nixpkgs URL or ref pins: `nixos-24.11`, `?ref=nixos-24.11`, `release-24.05`,
 * `…/archive/nixos-23.11.tar.gz`, `channels/nixos-24.05/nixexprs.tar.xz` -> "24.11" …; null for
 * unstable/master/a commit/unknown.
 */
export function nixpkgsRelease(url: string | null): string | null {
  if (!url) return null;
  const m = /(?:nixos|nixpkgs|release)-(\d\d\.\d\d)(?:[-/?#&]|\.(?:tar|zip)|$)/.exec(url);
  return m ? m[1]! : null;
}

/** The flake.lock next to a flake file. */
export function lockPathOf(flakePath: string): string {
  return joinPath(dirname(flakePath), "flake.lock");
}

/** How a nixpkgs input is pinned. */
export type NixpkgsPin =
  /** A release branch or tarball (`nixos-24.11`): its release. */
  | { kind: "release"; release: string; fromUrl: boolean }
  /** A commit (`?rev=…`, `/<sha>`, `archive/<sha>.tar.gz`, or what flake.lock locked a ref-less input to): its date when the lock says. */
  | { kind: "commit"; rev: string; lastModified: number | null }
  /** A moving branch (nixos-unstable, master, none given): when the lock last moved it, if there is a lock. */
  | { kind: "branch"; ref: string | null; lastModified: number | null };

const COMMIT = /(?:^|[/=])([0-9a-f]{40})(?:\.tar\.gz|\.zip)?(?:[?#&]|$)/;

/** The root input `name`'s node of a flake.lock text: its original ref/rev/url and locked rev/lastModified. */
function lockedInput(lockText: string | undefined, name: string): { ref?: string; rev?: string; url?: string; lastModified?: number } | null {
  if (!lockText) return null;
  try {
    type LockNode = { inputs?: Record<string, string | string[]>; original?: { ref?: string; rev?: string; url?: string }; locked?: { ref?: string; rev?: string; url?: string; lastModified?: number } };
    const lock = JSON.parse(lockText) as { root?: string; nodes?: Record<string, LockNode> };
    const key = lock.nodes?.[lock.root ?? "root"]?.inputs?.[name];
    const node = typeof key === "string" ? lock.nodes?.[key] : undefined;
    if (!node) return null;
    const o = node.original ?? {};
    const l = node.locked ?? {};
    return { ref: o.ref ?? l.ref, rev: o.rev, url: o.url ?? l.url, lastModified: typeof l.lastModified === "number" ? l.lastModified : undefined };
  } catch {
    return null;
  }
}

/** How input `name` is pinned: by its URL, else by what flake.lock records (read only then). Null: not known. */
export function nixpkgsPin(flake: FlakeInfo, name: string, readLock: () => string | undefined): NixpkgsPin | null {
  const url = flake.inputs.get(name)?.url ?? null;
  const fromUrl = nixpkgsRelease(url);
  if (fromUrl) return { kind: "release", release: fromUrl, fromUrl: true };
  const lock = lockedInput(readLock(), name);
  const release = nixpkgsRelease(lock?.ref ? `x/${lock.ref}` : null) ?? nixpkgsRelease(lock?.url ?? null);
  if (release) return { kind: "release", release, fromUrl: false };
  const rev = (url ? COMMIT.exec(url)?.[1] : undefined) ?? lock?.rev ?? (lock?.url ? COMMIT.exec(lock.url)?.[1] : undefined);
  if (rev) return { kind: "commit", rev, lastModified: lock?.lastModified ?? null };
  if (!url && !lock) return null;
  const ref = (url ? /[?&]ref=([^&#]+)/.exec(url)?.[1] ?? /^github:[^/]+\/[^/?#]+\/([^?#]+)/.exec(url)?.[1] : undefined) ?? lock?.ref ?? null;
  return { kind: "branch", ref, lastModified: lock?.lastModified ?? null };
}

/** The nixpkgs release input `name` pins, when it pins one (see nixpkgsPin). */
export function pinnedRelease(flake: FlakeInfo, name: string, readLock: () => string | undefined): { release: string; fromUrl: boolean } | null {
  const pin = nixpkgsPin(flake, name, readLock);
  return pin?.kind === "release" ? { release: pin.release, fromUrl: pin.fromUrl } : null;
}

/** Compares "24.11" and "25.05". */
export function compareRelease(a: string, b: string): number {
  const [ay, am] = a.split(".").map(Number) as [number, number];
  const [by, bm] = b.split(".").map(Number) as [number, number];
  return ay - by || am - bm;
}
