#!/usr/bin/env node
// Developer tool, not CI: runs the built CLI over whole repository trees the way
// a new user would, and measures what it did.
//
//   node scripts/real-repos.mjs CORPUS_OR_TREES... [--set dev|holdout] [--out results.json]
//        [--jobs N] [--only SUBSTRING]... [--bin PATH] [--tool-arg=ARG]...
//        [--eval-script PATH | --eval-kit DIR] [--input NAME=DIR]... [--max-outputs N]
//        [--eval-systems REGEX] [--drv-diff]
//
// Arguments (see scripts/lib/corpus.mjs): a corpus directory (index.json with
// { repo, set, commit, … } entries and trees/<owner>+<name>/), a single tree (a
// directory holding flake.nix or .git), or a directory whose subdirectories are
// trees. Any checkout works as a tree: `git archive <commit> | tar -x -C trees/x`.
// `--set` keeps the entries of a corpus index with that set.
//
// For each tree, in a temporary git repository holding a copy of it (the tool
// finds the repository root through .git):
//   1. `nixgen-migrate --write .` (dist/ must be built: `npm run build`): exit
//      code, output, time; a crash is a signal, a timeout, or exit 2 with
//      `internal-error` or a stack trace;
//   2. every changed .nix file must parse (`nix-instantiate --parse`);
//   3. a second `--write .` must change nothing;
//   4. a dry run `--format json .`;
//   5. the leftover audit (scripts/lib/leftovers.mjs): references to
//      nixos-generators that no finding points at are silent leftovers;
//   6. with --eval-script or --eval-kit, when the tree's root flake can be
//      evaluated offline: the script is run as `SCRIPT OLD_DIR NEW_DIR` (JSON
//      lines, scripts/lib/realeval.mjs) and each output is judged: evaluated
//      before and fails after, gone, or a different system (toplevel) is a wrong
//      rewrite; an identical system in a different image is listed apart.
//      --eval-kit DIR takes an evaluation kit directory (eval.sh + realeval.nix)
//      and extends a temporary copy of it: extra inputs, nixosConfigurations.
//      --input NAME=DIR supplies a flake input: DIR is a flake tree, or a
//      directory of trees named by git revision (the revision the repository's
//      flake.lock pins is used, else DIR/default); NAME=@nixpkgs or
//      NAME=@nixos-generators gives that input the kit's own flake. Inputs named
//      otherwise that lock nix-community/nixos-generators get the kit's one.
//      A flake that needs anything else is reported "not evaluable (needs …)".
//      With --eval-kit, --eval-systems (default `x86_64-linux|aarch64-linux|
//      nixosConfigurations`) limits the systems whose packages are evaluated and
//      --max-outputs their number; --drv-diff asks the kit to explain each
//      difference with a derivation diff (slow).
//
// --tool-arg passes an option to every nixgen-migrate run (e.g. --parity).
//
// Output: one line per tree, a tally, and with --out a JSON file holding every
// result (diffs, findings, leftovers, evaluation lines).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { discoverTrees, flakeInputs, missingInputs } from "./lib/corpus.mjs";
import { extendKit, judge, killEvaluations, runEval } from "./lib/realeval.mjs";
import { runTree } from "./lib/tree-run.mjs";

const here = dirname(new URL(import.meta.url).pathname);

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    set: { type: "string" },
    out: { type: "string" },
    jobs: { type: "string", default: "2" },
    only: { type: "string", multiple: true },
    bin: { type: "string" },
    "tool-arg": { type: "string", multiple: true },
    "eval-script": { type: "string" },
    "eval-kit": { type: "string" },
    input: { type: "string", multiple: true },
    "max-outputs": { type: "string" },
    "eval-timeout": { type: "string", default: "1800" },
    "eval-systems": { type: "string", default: "x86_64-linux|aarch64-linux|nixosConfigurations" },
    "drv-diff": { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});

if (opts.help || positionals.length === 0) {
  const header = (await import("node:fs")).readFileSync(new URL(import.meta.url), "utf8").split("\n").slice(1).filter((l) => l.startsWith("//"));
  process.stdout.write(header.map((l) => l.replace(/^\/\/ ?/, "")).join("\n") + "\n");
  process.exit(positionals.length === 0 && !opts.help ? 2 : 0);
}

const bin = resolve(opts.bin ?? join(here, "..", "bin", "nixgen-migrate.cjs"));
if (!existsSync(bin)) throw new Error(`${bin} does not exist`);
if (opts["eval-script"] && opts["eval-kit"]) throw new Error("give --eval-script or --eval-kit, not both");
const evalScript = opts["eval-kit"] ? extendKit(resolve(opts["eval-kit"])) : opts["eval-script"] ? resolve(opts["eval-script"]) : null;
const extended = !!opts["eval-kit"];

/** @type {Map<string, string>} */
const supplied = new Map();
for (const spec of opts.input ?? []) {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new Error(`--input ${spec}: expected NAME=DIR`);
  const dir = spec.slice(eq + 1);
  supplied.set(spec.slice(0, eq), dir.startsWith("@") ? dir : resolve(dir));
}
if (supplied.size && !extended) throw new Error("--input needs --eval-kit (a plain evaluation script takes no extra inputs)");

let trees = discoverTrees(positionals);
if (opts.set) trees = trees.filter((t) => t.set === opts.set);
if (opts.only?.length) trees = trees.filter((t) => opts.only?.some((s) => t.name.includes(s)));
const jobs = Math.max(1, Number(opts.jobs) || 1);

/**
 * Which directory supplies input `name` for a tree, or why none does.
 * @param {string} name
 * @param {string | undefined} rev the revision the tree's flake.lock pins
 */
function resolveInput(name, rev) {
  const spec = supplied.get(name);
  if (!spec) return { dir: null, note: `needs ${name}` };
  if (spec.startsWith("@")) return { dir: spec, note: `${name}=${spec}` };
  if (rev && existsSync(join(spec, rev, "flake.nix"))) return { dir: join(spec, rev), note: `${name}@${rev.slice(0, 7)}` };
  if (existsSync(join(spec, "flake.nix"))) return { dir: spec, note: `${name} (given tree${rev ? `; lock pins ${rev.slice(0, 7)}` : ""})` };
  if (existsSync(join(spec, "default", "flake.nix")))
    return { dir: join(spec, "default"), note: `${name}@default${rev ? ` (lock pins ${rev.slice(0, 7)}, not available)` : ""}` };
  return { dir: null, note: `needs ${name}${rev ? `@${rev.slice(0, 7)}` : ""}` };
}

/** @param {import("./lib/corpus.mjs").Tree} tree */
function evalPlan(tree) {
  if (!evalScript) return { evaluable: false, reason: "no evaluation script given" };
  const inputs = flakeInputs(tree.dir);
  if (!inputs.isFlake) return { evaluable: false, reason: "no root flake.nix" };
  if (inputs.error && inputs.names.length === 0) return { evaluable: false, reason: `flake inputs unreadable: ${inputs.error}` };
  const { missing, aliases } = missingInputs(inputs, extended ? supplied : new Map());
  if (!extended && Object.keys(aliases).length) missing.push(...Object.keys(aliases));
  /** @type {Record<string, string>} */
  const map = extended ? { ...aliases } : {};
  const notes = Object.keys(aliases).map((a) => `${a}=@nixos-generators`);
  const needs = [];
  for (const n of missing) needs.push(`needs ${n}`);
  if (extended) {
    for (const n of inputs.names) {
      if (!supplied.has(n)) continue;
      const r = resolveInput(n, inputs.locked[n]?.rev);
      if (!r.dir) needs.push(r.note);
      else {
        map[n] = r.dir;
        notes.push(r.note);
      }
    }
    // inputs of supplied inputs (flake-utils -> systems, …): every other supplied input, at any revision
    for (const [n] of supplied) if (!(n in map)) {
      const r = resolveInput(n, undefined);
      if (r.dir) map[n] = r.dir;
    }
  }
  if (needs.length) return { evaluable: false, reason: `not evaluable (${needs.join(", ")})`, inputs: inputs.names };
  return { evaluable: true, inputs: inputs.names, map, notes };
}

// a queue: tool runs in parallel (jobs), evaluations one at a time (each side takes 1.3-1.8 GB)
let evalChain = Promise.resolve();
/** @template T @param {() => Promise<T>} f @returns {Promise<T>} */
function serialEval(f) {
  const p = evalChain.then(f);
  evalChain = p.then(
    () => undefined,
    () => undefined,
  );
  return p;
}

const results = [];
const started = Date.now();

/** Work directories still to remove (on exit too). */
const workDirs = new Set();
/** Evaluations scheduled: a tool slot is free again while its tree waits for the evaluator. */
const pending = [];

/**
 * Runs the tool over a tree; its evaluation, if any, is queued and finishes later.
 * @param {import("./lib/corpus.mjs").Tree} tree
 */
async function one(tree) {
  const work = mkdtempSync(join(tmpdir(), "real-repos-"));
  workDirs.add(work);
  const plan = evalPlan(tree);
  const newDir = join(work, "new");
  let r;
  try {
    r = await runTree(tree, { bin, toolArgs: opts["tool-arg"] ?? [], workDir: work, keepNew: plan.evaluable ? newDir : undefined });
    rmSync(join(work, "repo"), { recursive: true, force: true });
  } catch (e) {
    harnessError(tree, e, work);
    return;
  }
  pending.push(finish(tree, plan, r, work, newDir));
}

/** @param {import("./lib/corpus.mjs").Tree} tree @param {unknown} e @param {string} work */
function harnessError(tree, e, work) {
  results.push({ repo: tree.name, set: tree.set, harnessError: String(e instanceof Error ? e.stack : e) });
  process.stdout.write(`${tree.name}  HARNESS ERROR ${String(e).split("\n")[0]}\n`);
  rmSync(work, { recursive: true, force: true });
  workDirs.delete(work);
}

/**
 * @param {import("./lib/corpus.mjs").Tree} tree
 * @param {any} plan
 * @param {any} r
 * @param {string} work
 * @param {string} newDir
 */
async function finish(tree, plan, r, work, newDir) {
  try {
    /** @type {any} */
    let evaluation = { evaluated: false, reason: plan.reason ?? null };
    if (plan.evaluable && evalScript) {
      const ev = await serialEval(() =>
        runEval(evalScript, tree.dir, newDir, {
          inputs: extended ? plan.map : undefined,
          maxOutputs: opts["max-outputs"] ? Number(opts["max-outputs"]) : undefined,
          systems: extended ? opts["eval-systems"] : undefined,
          drvDiff: opts["drv-diff"],
          timeoutMs: Number(opts["eval-timeout"]) * 1000,
        }),
      );
      const j = judge(ev.lines);
      evaluation = {
        evaluated: true,
        notes: plan.notes,
        seconds: ev.seconds,
        exit: ev.exit,
        timedOut: ev.timedOut,
        stderr: ev.stderr,
        oldMeta: j.oldMeta,
        newMeta: j.newMeta,
        outputs: j.outputs,
        wrong: j.wrong.length,
        imageOnly: j.imageOnly.length,
        addedFailing: j.addedFailing.length,
        lines: ev.lines,
      };
    }
    const result = { repo: tree.name, set: tree.set, meta: tree.meta, ...r, evaluation };
    results.push(result);
    process.stdout.write(line(result) + "\n");
    rmSync(work, { recursive: true, force: true });
    workDirs.delete(work);
  } catch (e) {
    harnessError(tree, e, work);
  }
}

/** @param {any} r */
function line(r) {
  const ev = r.evaluation;
  let evText = "eval -";
  if (ev.evaluated) {
    const counts = {};
    for (const o of ev.outputs) counts[o.verdict] = (counts[o.verdict] ?? 0) + 1;
    evText = `eval ${Object.entries(counts).map(([k, v]) => `${k}:${v}`).join(",") || (ev.oldMeta?.ok === false ? "old-flake-fails" : "no-outputs")}`;
  } else if (ev.reason && evalScript) evText = `eval - (${ev.reason})`;
  const exits = `${r.write1.exit}/${r.write2.exit}/${r.dry.exit}`;
  const flags = [
    r.write1.crash || r.write2.crash || r.dry.crash ? "CRASH" : null,
    r.parseFailures.some((p) => p.parsedBefore) ? "UNPARSABLE" : null,
    r.idempotent ? null : "NOT-IDEMPOTENT",
    ev.evaluated && ev.wrong ? `WRONG:${ev.wrong}` : null,
  ].filter(Boolean);
  return `${r.repo.padEnd(44)} exits ${exits.padEnd(7)} changed ${String(r.changed.length).padStart(2)}  silent ${String(r.leftovers.silent.length).padStart(3)}  ${evText}${flags.length ? "  " + flags.join(" ") : ""}`;
}

// an interrupted run leaves no temporary trees and no evaluator behind
for (const sig of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.on(sig, () => {
    killEvaluations();
    for (const w of workDirs) rmSync(w, { recursive: true, force: true });
    process.exit(130);
  });
}

const queue = [...trees];
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let t = queue.shift(); t; t = queue.shift()) await one(t);
  }),
);
await Promise.all(pending);

// ---------------------------------------------------------------- tally
const ok = results.filter((r) => !r.harnessError);
const tally = {
  repos: results.length,
  harnessErrors: results.length - ok.length,
  crashes: ok.filter((r) => r.write1.crash || r.write2.crash || r.dry.crash).length,
  unparsable: ok.filter((r) => r.parseFailures.some((p) => p.parsedBefore)).length,
  nonIdempotent: ok.filter((r) => !r.idempotent).length,
  changedRepos: ok.filter((r) => r.changed.length).length,
  silentRepos: ok.filter((r) => r.leftovers.silent.length).length,
  silentLines: ok.reduce((n, r) => n + r.leftovers.silent.length, 0),
  evaluated: ok.filter((r) => r.evaluation.evaluated).length,
  wrongRepos: ok.filter((r) => r.evaluation.evaluated && r.evaluation.wrong).length,
  wrongOutputs: ok.reduce((n, r) => n + (r.evaluation.evaluated ? r.evaluation.wrong : 0), 0),
  imageOnlyRepos: ok.filter((r) => r.evaluation.evaluated && r.evaluation.imageOnly).length,
  addedFailingRepos: ok.filter((r) => r.evaluation.evaluated && r.evaluation.addedFailing).length,
  notEvaluable: ok.filter((r) => !r.evaluation.evaluated).map((r) => `${r.repo}: ${r.evaluation.reason}`),
  seconds: (Date.now() - started) / 1000,
};
process.stdout.write(
  `\n${tally.repos} repositories (${tally.harnessErrors} harness errors): ${tally.crashes} crashed, ${tally.unparsable} with unparsable output, ` +
    `${tally.nonIdempotent} not idempotent, ${tally.changedRepos} changed; ` +
    `${tally.silentRepos} with silent leftovers (${tally.silentLines} lines); ` +
    (evalScript
      ? `${tally.evaluated} evaluated: ${tally.wrongRepos} with wrong rewrites (${tally.wrongOutputs} outputs), ${tally.imageOnlyRepos} with image-only differences, ${tally.addedFailingRepos} with added configurations that fail on their own; `
      : "") +
    `${tally.seconds.toFixed(0)} s\n`,
);
if (opts.out) {
  results.sort((a, b) => a.repo.localeCompare(b.repo));
  writeFileSync(opts.out, JSON.stringify({ tally, bin, evalScript, extended, results }, null, 1));
  process.stdout.write(`results: ${opts.out}\n`);
}
