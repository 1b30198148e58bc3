// The one evaluation per side: a wrapper flake whose input `target` is the
// flake under test (in its temporary copy), and whose outputs are every image
// output's drvPath, found from the patterns (src/verify/outputs.ts) in one
// `nix eval --json` (or a few, in batches: see verify.ts). Patterns and paths
// reach Nix as JSON files, never as Nix text: attribute names come from the
// user's flake.
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OutputPattern } from "./outputs.js";

/**
 * `outputs`: for each pattern, the outputs that match, each `{ path; at; ok;
 * drvPath; toplevel; }` (toplevel: the system's drvPath when the image carries
 * its configuration, as images.<v> do; `at`: when a value on the way down
 * cannot be evaluated, the part of the path that fails, and path is the
 * pattern's). tryEval catches only `throw` and `assert`: an output whose error
 * is of another kind ends the evaluation, and then `names.<i>` lists a
 * pattern's outputs without evaluating them and `one.<k>` evaluates the k-th
 * of focus.json. `single.<k>` evaluates it without tryEval, for Nix's message.
 * `batch.<c>` evaluates the c-th list of focus indices in batches.json (a few
 * images per process, where a process cannot free memory: Nix < 2.9).
 */
export const VERIFY_NIX = `# Written by nixgen-migrate --verify: the image outputs of the flake \`target\`.
{ target, patterns, focus, batches }:
let
  b = builtins;
  isSet = v: let r = b.tryEval (b.isAttrs v); in if r.success then r.value else null;
  expand = prefix: v: pattern:
    if pattern == [ ] then [ { path = prefix; at = null; } ]
    else
      let set = isSet v; s = b.head pattern; in
      if set == null then [ { path = prefix ++ pattern; at = prefix; } ]
      else if !set then [ ]
      else b.concatMap (n: expand (prefix ++ [ n ]) v.\${n} (b.tail pattern))
        (if s == null then b.attrNames v else if v ? \${s} then [ s ] else [ ]);
  valueAt = path: b.foldl' (v: n: v.\${n}) target path;
  drvPathOf = v:
    if (v.type or null) == "derivation" then b.unsafeDiscardStringContext v.drvPath
    else throw "not a derivation but \${if b.isAttrs v then "an attribute set" else "a " + b.typeOf v}";
  describe = item:
    if item.at != null then { inherit (item) path at; ok = false; drvPath = null; toplevel = null; }
    else
      let
        v = valueAt item.path;
        drv = b.tryEval (drvPathOf v);
        top = b.tryEval (let t = v.passthru.config.system.build.toplevel or null; in if t == null then null else drvPathOf t);
      in
      {
        inherit (item) path;
        at = null;
        ok = drv.success;
        drvPath = if drv.success then drv.value else null;
        toplevel = if drv.success && top.success then top.value else null;
      };
  indexed = list: f: b.listToAttrs (b.genList (i: { name = toString i; value = f (b.elemAt list i); }) (b.length list));
in
{
  outputs = map (pattern: map describe (expand [ ] target pattern)) patterns;
  names = indexed patterns (expand [ ] target);
  one = indexed focus describe;
  batch = indexed batches (map (k: describe (b.elemAt focus k)));
  single = indexed focus (item: if item.at != null then b.seq (valueAt item.at) null else drvPathOf (valueAt item.path));
}
`;

/** The wrapper flake: `target` is the flake under test; its inputs are overridden as `target/<name>`. */
export function wrapperFlake(targetUrl: string): string {
  // the URL is percent-encoded (flakeUrl): nothing in it can end the string or interpolate
  if (!/^[A-Za-z0-9+:/?=&%._~-]+$/.test(targetUrl)) throw new Error(`unexpected characters in ${targetUrl}`);
  return `# Written by nixgen-migrate --verify.
{
  inputs.target.url = "${targetUrl}";
  outputs = { self, target }: import ./verify.nix {
    inherit target;
    patterns = builtins.fromJSON (builtins.readFile ./patterns.json);
    focus = builtins.fromJSON (builtins.readFile ./focus.json);
    batches = builtins.fromJSON (builtins.readFile ./batches.json);
  };
}
`;
}

/** Writes the wrapper flake for one side into a new directory under `parent`; returns its path. */
export function writeWrapper(parent: string, targetUrl: string, patterns: readonly OutputPattern[]): string {
  const dir = mkdtempSync(join(parent, "wrapper-"));
  writeFileSync(join(dir, "flake.nix"), wrapperFlake(targetUrl));
  writeFileSync(join(dir, "verify.nix"), VERIFY_NIX);
  writeFileSync(join(dir, "patterns.json"), JSON.stringify(patterns));
  writeFileSync(join(dir, "focus.json"), "[]");
  writeFileSync(join(dir, "batches.json"), "[]");
  return dir;
}

/** Points `one.<k>` and `single.<k>` at these outputs (before the evaluations that ask for them). */
export function writeFocus(wrapper: string, items: readonly { path: readonly (string | null)[]; at: readonly string[] | null }[]): void {
  writeFileSync(join(wrapper, "focus.json"), JSON.stringify(items.map((i) => ({ path: i.path, at: i.at }))));
}

/** Splits these focus.json indices into batches of at most `size` for `batch.<c>`; returns the batches. */
export function writeBatches(wrapper: string, indices: readonly number[], size: number): number[][] {
  const batches: number[][] = [];
  for (let i = 0; i < indices.length; i += size) batches.push(indices.slice(i, i + size));
  writeFileSync(join(wrapper, "batches.json"), JSON.stringify(batches));
  return batches;
}

/** One output as it comes back from `outputs` / `byPattern`. */
export interface EvaluatedOutput {
  readonly path: (string | null)[];
  /** The part of the path that could not be evaluated (then path is the pattern's). */
  readonly at: string[] | null;
  readonly ok: boolean;
  readonly drvPath: string | null;
  readonly toplevel: string | null;
  /** Nix's message, when the output was evaluated on its own (not from the JSON). */
  readonly error?: string;
}
