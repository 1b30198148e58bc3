/**
 * flake-lock: when flake.nix no longer declares the nixos-generators input,
 * prune flake.lock next to it: drop the root's input and every node nothing
 * reaches any more (nixos-generators' own nixpkgs and nixlib). The lock is
 * rewritten the way Nix writes it (2-space JSON, same key order, trailing
 * newline), so the diff is only the removed lines. A lock that is not in that
 * form, or whose `follows` would break, is left alone with a note.
 */
import { meta } from "./flake-lock.meta.js";
import type { PassOutput, RawFinding, Transform } from "../src/types.js";
import { analyzeFlake, lockPathOf } from "../src/nix/flake.js";
import { detectEol } from "../src/text.js";

interface LockNode {
  inputs?: Record<string, string | string[]>;
  original?: Record<string, unknown>;
  locked?: Record<string, unknown>;
  [k: string]: unknown;
}
interface Lock {
  nodes: Record<string, LockNode>;
  root: string;
  version: number;
}

export const flakeLock: Transform<typeof meta.rules> = {
  id: "flake-lock",
  ...meta,
  // any .nix file that is a flake (a flake.nix reached through a symlink may have another name)
  appliesTo: (path) => path.endsWith(".nix"),
  // the flake that lost the input no longer names it; flake.nix files say `outputs`
  needles: ["outputs"],
  input: "nix",
  run(ctx): PassOutput {
    const none: PassOutput = { edits: [], findings: [] };
    const lockPath = lockPathOf(ctx.path);
    const text = ctx.project.read(lockPath);
    if (text === undefined || !text.includes("nixos-generators")) return none;
    const flake = analyzeFlake(ctx.text, ctx.file!.root);
    // inputs this file does not spell out literally: the lock may hold what they define
    if (!flake?.outputs || flake.inputsOpaque) return none;
    let lock: Lock;
    try {
      lock = JSON.parse(text) as Lock;
    } catch {
      return none;
    }
    const root = lock.nodes?.[lock.root];
    if (!root?.inputs) return none;
    // root inputs that are nixos-generators and that flake.nix no longer declares
    const gone = Object.entries(root.inputs)
      .filter(([name, key]) => !flake.inputs.has(name) && typeof key === "string" && isGenerators(lock.nodes[key]))
      .map(([name]) => name);
    if (gone.length === 0) return none;
    const note = (message: string): PassOutput => ({ edits: [], findings: [{ path: lockPath, rule: "flake-lock-not-pruned", message, start: 0, end: 0 }] });
    const eol = detectEol(text);
    const canonical = (v: unknown) => JSON.stringify(v, null, 2).replace(/\n/g, eol) + eol;
    if (canonical(lock) !== text) {
      return note(`flake.lock is not in the form Nix writes, so it was not edited; run \`nix flake lock\` to drop ${gone.join(", ")} from it`);
    }
    const pruned = structuredClone(lock);
    const prunedRoot = pruned.nodes[pruned.root]!;
    for (const name of gone) delete prunedRoot.inputs![name];
    // keep what is still reachable from the root through node references
    const reachable = new Set<string>([pruned.root]);
    const queue = [pruned.root];
    while (queue.length) {
      const node = pruned.nodes[queue.shift()!];
      for (const ref of Object.values(node?.inputs ?? {})) {
        if (typeof ref === "string" && !reachable.has(ref)) {
          reachable.add(ref);
          queue.push(ref);
        }
      }
    }
    const removedNodes = Object.keys(pruned.nodes).filter((k) => !reachable.has(k));
    for (const k of removedNodes) delete pruned.nodes[k];
    // every `follows` path that remains must still resolve
    for (const [key, node] of Object.entries(pruned.nodes)) {
      for (const [input, ref] of Object.entries(node.inputs ?? {})) {
        if (Array.isArray(ref) && !resolves(pruned, ref)) {
          return note(`flake.lock was not pruned: input "${input}" of node "${key}" follows "${ref.join("/")}", which goes through the removed input; run \`nix flake lock\``);
        }
      }
    }
    const findings: RawFinding[] = [{
      path: lockPath,
      rule: "flake-lock-pruned",
      message: `removed ${gone.map((g) => `"${g}"`).join(", ")} and ${removedNodes.length} lock node(s) nothing else uses (${removedNodes.join(", ")}) from flake.lock`,
      start: 0,
      end: 0,
    }];
    return { edits: [{ path: lockPath, edits: [{ start: 0, end: text.length, text: canonical(pruned) }] }], findings };
  },
};

export default flakeLock;

/** A lock node of nixos-generators: by repository or URL, or an indirect (registry) `flake:nixos-generators`. */
function isGenerators(node: LockNode | undefined): boolean {
  return [node?.original, node?.locked].some((o) =>
    !!o && (o.repo === "nixos-generators" || (o.type === "indirect" && o.id === "nixos-generators") || (typeof o.url === "string" && o.url.includes("nixos-generators"))));
}

function resolves(lock: Lock, path: string[], depth = 0): boolean {
  return resolveKey(lock, path, depth) !== null;
}

/** The node a follows path ends at, or null. */
function resolveKey(lock: Lock, path: string[], depth: number): string | null {
  if (depth > 32) return null;
  let key = lock.root;
  for (const step of path) {
    const ref = lock.nodes[key]?.inputs?.[step];
    if (ref === undefined) return null;
    if (Array.isArray(ref)) {
      const k = resolveKey(lock, ref, depth + 1);
      if (k === null) return null;
      key = k;
    } else key = ref;
  }
  return key in lock.nodes ? key : null;
}
