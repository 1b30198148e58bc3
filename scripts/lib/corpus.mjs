// @ts-check
// Where the repository trees come from, and what their root flake needs.
//
// A command-line argument is one of:
//   - a corpus: a directory holding `index.json` (an array of
//     { repo, set, commit, … }) and `trees/<owner>+<name>/`;
//   - a tree: a directory holding `flake.nix` or `.git`;
//   - a directory of trees: every subdirectory is a tree.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";

/**
 * @typedef {{ name: string, dir: string, set: string | null, meta: Record<string, unknown> }} Tree
 */

/**
 * The dev/holdout split: deterministic, from the repository name alone
 * (sha1 of "owner/name"; its first 32 bits modulo 10 below 6 is dev).
 * @param {string} repo
 */
export function setOf(repo) {
  const h = createHash("sha1").update(repo).digest();
  return h.readUInt32BE(0) % 10 < 6 ? "dev" : "holdout";
}

/**
 * @param {string[]} args
 * @returns {Tree[]}
 */
export function discoverTrees(args) {
  /** @type {Tree[]} */
  const out = [];
  for (const arg of args) {
    const dir = resolve(arg);
    if (!statSync(dir).isDirectory()) throw new Error(`${arg}: not a directory`);
    const index = join(dir, "index.json");
    if (existsSync(index)) {
      /** @type {any[]} */
      const entries = JSON.parse(readFileSync(index, "utf8"));
      for (const e of entries) {
        const name = String(e.repo).replace("/", "+");
        const treeDir = join(dir, "trees", name);
        if (!existsSync(treeDir)) continue;
        out.push({ name: String(e.repo), dir: treeDir, set: e.set ?? null, meta: e });
      }
    } else if (existsSync(join(dir, "flake.nix")) || existsSync(join(dir, ".git"))) {
      out.push({ name: basename(dir).replace("+", "/"), dir, set: null, meta: {} });
    } else {
      for (const d of readdirSync(dir).sort()) {
        const sub = join(dir, d);
        if (d.startsWith(".") || !statSync(sub).isDirectory()) continue;
        out.push({ name: d.replace("+", "/"), dir: sub, set: null, meta: {} });
      }
    }
  }
  return out;
}

/**
 * What the root flake of a tree takes as inputs: names (flake.lock's root
 * inputs, else the flake's `inputs` and the outputs function's formals, read
 * with nix-instantiate), their URLs, and the revisions flake.lock pins.
 * @param {string} dir
 * @returns {{ isFlake: boolean, names: string[], urls: Record<string, string | null>, locked: Record<string, { rev?: string, lastModified?: number, repo?: string, owner?: string, ref?: string, url?: string }>, error?: string }}
 */
export function flakeInputs(dir) {
  const flake = join(dir, "flake.nix");
  if (!existsSync(flake)) return { isFlake: false, names: [], urls: {}, locked: {} };
  /** @type {Record<string, any>} */
  const locked = {};
  /** @type {Set<string>} */
  const names = new Set();
  const lockPath = join(dir, "flake.lock");
  if (existsSync(lockPath)) {
    try {
      const lock = JSON.parse(readFileSync(lockPath, "utf8"));
      const nodes = lock.nodes ?? {};
      for (const [name, target] of Object.entries(nodes[lock.root ?? "root"]?.inputs ?? {})) {
        names.add(name);
        const node = typeof target === "string" ? nodes[target] : null;
        if (node) locked[name] = { ...(node.original ?? {}), ...(node.locked ?? {}) };
      }
    } catch {
      // an unreadable lock: fall back to the flake itself
    }
  }
  /** @type {Record<string, string | null>} */
  let urls = {};
  let error;
  const expr = `let f = import ${JSON.stringify(flake)}; i = f.inputs or { }; in {
    names = builtins.attrNames i ++ builtins.filter (n: n != "self") (builtins.attrNames (builtins.functionArgs f.outputs));
    urls = builtins.mapAttrs (n: v: if builtins.isString v then v else if builtins.isAttrs v then (v.url or null) else null) i;
  }`;
  const r = spawnSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr], {
    encoding: "utf8",
    env: { ...process.env, GC_DONT_GC: "1" },
    timeout: 30_000,
  });
  if (r.status === 0) {
    const v = JSON.parse(r.stdout);
    for (const n of v.names) names.add(n);
    urls = v.urls;
  } else {
    error = (r.stderr || "").split("\n").find((l) => l.startsWith("error")) ?? "nix-instantiate failed";
  }
  return { isFlake: true, names: [...names].sort(), urls, locked, error };
}

/** Inputs the realnix evaluation kit provides itself. */
export const KIT_INPUTS = new Set(["nixpkgs", "nixos-generators"]);

/**
 * Which inputs of a flake are missing for an offline evaluation.
 * @param {{ names: string[], urls: Record<string, string | null>, locked: Record<string, any> }} inputs
 * @param {Map<string, string>} supplied input name -> local dir (or "@nixpkgs" / "@nixos-generators")
 * @returns {{ missing: string[], aliases: Record<string, string> }}
 *   aliases: inputs that are the generators flake under another name (to be mapped to it)
 */
export function missingInputs(inputs, supplied) {
  /** @type {string[]} */
  const missing = [];
  /** @type {Record<string, string>} */
  const aliases = {};
  for (const n of inputs.names) {
    if (KIT_INPUTS.has(n) || supplied.has(n)) continue;
    const url = inputs.urls[n] ?? "";
    const repo = inputs.locked[n]?.repo ?? "";
    if (/\/nixos-generators\b/.test(url) || (repo === "nixos-generators" && inputs.locked[n]?.owner === "nix-community")) {
      aliases[n] = "@nixos-generators";
      continue;
    }
    missing.push(n);
  }
  return { missing, aliases };
}
