// --verify: proves each migration with the user's own nix. For every flake
// whose migration writes image outputs (outputs.ts), both a copy of the
// repository as it is and one as the migration leaves it (copy.ts) are
// evaluated, one `nix eval --json` per side (expression.ts), and the outputs
// compared: same image derivation, else same system, else why (derivations.ts).
// Flakes run side by side, at most `jobs` nix processes at once; a side's
// images are split into batches of `batch` (one nix process each) when that is
// smaller than their number.
import { existsSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { attrKey } from "../nix/ast.js";
import { DerivationCache, describeDifference, findSystem, firstDifferences, parseShow, type ShowDerivations } from "./derivations.js";
import { makeCopies, removeCopies, removeCopy, tempDir, flakeUrl } from "./copy.js";
import { writeBatches, writeFocus, writeWrapper, type EvaluatedOutput } from "./expression.js";
import { atLeast, FLAKE_FEATURES, firstErrorLine, isFetchError, killRunning, nixVersion, runNix, VerifyError, type NixRun, type NixSettings } from "./nix.js";
import { pinsOf, type LockFile } from "./inputs.js";
import { ALL_PACKAGES, imageOutputs, type ChangedFile, type OutputPair, type OutputPattern } from "./outputs.js";
import type { FlakeVerification, OutputSide, VerifiedOutput, VerifyReport } from "./types.js";

export { VerifyError, type NixSettings };

/** Ends the nix processes of this run and removes its temp copies (on a signal). */
export function stopVerifying(): void {
  killRunning();
  removeCopies();
}

export interface FlakeToVerify {
  /** The flake.nix, relative to the working directory. */
  readonly flake: string;
  /** The files its migration changes (paths relative to the working directory). */
  readonly files: readonly ChangedFile[];
  /** The repository it is in (absolute): a Git work tree's top, or the flake's directory. */
  readonly root: string;
  readonly inGit: boolean;
}

/** At most n tasks at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= n) await new Promise<void>((go) => waiting.push(go));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

interface Run {
  readonly settings: NixSettings;
  readonly version: string;
  /** Runs nix in a free slot (at most `jobs` at once). */
  readonly nix: (args: readonly string[], what: string) => Promise<NixRun>;
  readonly derivations: DerivationCache;
  readonly wrappers: string;
  /** Images per nix process (Infinity: all of a side's in one). */
  readonly batch: number;
}

/**
 * Nix processes at once when -j is auto: one per CPU, but one in all on Nix
 * older than 2.9, which evaluates without its garbage collector (GC_DONT_GC,
 * see runNix): there each side of a flake holds about 1.4 GB per image until it
 * ends, so two large flakes side by side can exhaust the memory of a laptop.
 */
export function autoJobs(version: string, cpus = availableParallelism()): number {
  return atLeast(version, 2, 9) ? cpus : 1;
}

const GiB = 1024 ** 3;

/**
 * Images per nix process when --verify-batch is auto: all of them, but on Nix
 * older than 2.9 (no garbage collector, see autoJobs) one per 4 GB of memory,
 * so that a side with 26 images does not need 40 GB: 5 at a time on 23 GB.
 */
export function autoBatch(version: string, memory = totalmem()): number {
  return atLeast(version, 2, 9) ? Infinity : Math.max(1, Math.floor(memory / (4 * GiB)));
}

/** Verifies the flakes; throws VerifyError("nix-not-found") when there is no nix to run. */
export async function verifyFlakes(
  flakes: readonly FlakeToVerify[],
  settings: NixSettings,
  jobs: number | "auto",
  batch: number | "auto",
  log?: (line: string) => void,
): Promise<VerifyReport> {
  if (!flakes.length) return { nixVersion: "", flakes: [] }; // nothing migrated: nix is not needed
  const version = await nixVersion(settings);
  const slot = limiter(Math.max(1, jobs === "auto" ? autoJobs(version) : jobs));
  const nix = (args: readonly string[], what: string) =>
    slot(async () => {
      const t0 = performance.now();
      const r = await runNix(settings, args, what, version);
      const attr = /#(.*)$/.exec(args[args.length - 1] ?? "")?.[1];
      log?.(`nix ${args.filter((a) => !FLAKE_FEATURES.includes(a)).slice(0, 3).join(" ")} …${attr ? ` #${attr}` : ""} (${what}): ${((performance.now() - t0) / 1000).toFixed(1)} s, exit ${r.code}`);
      return r;
    });
  const show: ShowDerivations = async (paths) => {
    const cmd = atLeast(version, 2, 15) ? ["derivation", "show"] : ["show-derivation"];
    const r = await nix([...FLAKE_FEATURES, ...cmd, ...paths], `${paths.length} derivations`);
    if (r.code !== 0) throw new Error(firstErrorLine(r.stderr));
    return parseShow(r.stdout);
  };
  const run: Run = {
    settings,
    version,
    nix,
    derivations: new DerivationCache(show),
    wrappers: tempDir("nixgen-verify-wrappers-"),
    batch: batch === "auto" ? autoBatch(version) : batch,
  };
  try {
    // one pair of copies per repository, with the changes of all its flakes
    const byRoot = new Map<string, FlakeToVerify[]>();
    for (const f of flakes) byRoot.set(f.root, [...(byRoot.get(f.root) ?? []), f]);
    const results = await Promise.all(
      [...byRoot].map(async ([root, group]) => {
        const replace = new Map(group.flatMap((f) => f.files.map((c) => [resolve(settings.cwd, c.path), c.after] as const)));
        const wanted = group.map((f) => ({ f, outputs: imageOutputs(f.flake, f.files) }));
        if (wanted.every((w) => !w.outputs.pairs.length && !w.outputs.scanPackages)) return wanted.map((w) => nothingToVerify(w.f, w.outputs.unlocated));
        const copies = await makeCopies({ root, replace }, group[0]!.inGit, settings.env);
        try {
          return await Promise.all(wanted.map((w) => verifyFlake(run, w.f, w.outputs, copies)));
        } finally {
          removeCopy(copies.before);
          removeCopy(copies.after);
        }
      }),
    );
    const order = new Map(flakes.map((f, i) => [f.flake, i]));
    return { nixVersion: version, flakes: results.flat().sort((a, b) => order.get(a.flake)! - order.get(b.flake)!) };
  } finally {
    removeCopies();
  }
}

function nothingToVerify(f: FlakeToVerify, unlocated: FlakeVerification["unlocated"]): FlakeVerification {
  return { flake: f.flake, status: "nothing", error: null, outputs: [], unlocated, seconds: 0 };
}

async function verifyFlake(run: Run, f: FlakeToVerify, wanted: ReturnType<typeof imageOutputs>, copies: { before: string; after: string }): Promise<FlakeVerification> {
  const t0 = performance.now();
  if (!wanted.pairs.length && !wanted.scanPackages) return nothingToVerify(f, wanted.unlocated);
  const flakeDir = relative(f.root, dirname(resolve(run.settings.cwd, f.flake)));
  if (!existsSync(join(copies.before, flakeDir, "flake.nix"))) {
    // in a Git work tree Nix sees only tracked files
    const error = `${f.flake} is not tracked by Git, so Nix does not see it: \`git add\` it (and the files it uses), then run again`;
    return { flake: f.flake, status: "error", error, outputs: [], unlocated: wanted.unlocated, seconds: 0 };
  }
  const shown = (copy: string) => (s: string) => unTemp(s, copy, f.root, run.settings.cwd);
  const uniq = (ps: OutputPattern[]) => [...new Map(ps.map((p) => [JSON.stringify(p), p])).values()];
  const scan = wanted.scanPackages ? [ALL_PACKAGES] : [];
  const beforePatterns = uniq([...wanted.pairs.map((p) => p.before), ...scan]);
  const afterPatterns = uniq([...wanted.pairs.map((p) => p.after), ...scan]);
  // without flake.lock each side would resolve its inputs on its own (a branch may move between them): the
  // side after takes the revisions the side before resolved
  // (an input inside the repository, `path:./sub`, is each side's own)
  let pins: [string, string][] = [];
  try {
    if (!existsSync(join(copies.before, flakeDir, "flake.lock"))) {
      pins = (await resolvedInputs(run, flakeUrl(copies.before, flakeDir), `${f.flake} (before migration)`)).filter(([, ref]) => !ref.includes(copies.before));
    }
  } catch (e) {
    if (!(e instanceof VerifyError)) throw e;
    return { flake: f.flake, status: "error", error: e.message, outputs: [], unlocated: wanted.unlocated, seconds: (performance.now() - t0) / 1000 };
  }
  const [before, after] = await Promise.all([
    evaluateSide(run, flakeUrl(copies.before, flakeDir), beforePatterns, `${f.flake} (before migration)`, shown(copies.before), []),
    evaluateSide(run, flakeUrl(copies.after, flakeDir), afterPatterns, `${f.flake} (after migration)`, shown(copies.after), pins),
  ]);
  const seconds = (performance.now() - t0) / 1000;
  const failed = [before, after].find((s): s is { error: string } => "error" in s);
  if (failed) return { flake: f.flake, status: "error", error: failed.error, outputs: [], unlocated: wanted.unlocated, seconds };
  const outputs: VerifiedOutput[] = [];
  for (const pair of wanted.pairs) {
    for (const row of rowsOf(pair, before as SideOutputs, after as SideOutputs)) outputs.push(await compare(run, pair, row));
  }
  if (wanted.scanPackages) outputs.push(...(await scannedPackages(run, f.flake, outputs, before as SideOutputs, after as SideOutputs)));
  const regression = outputs.some((o) => o.before.state === "ok" && o.after.state !== "ok");
  const compared = outputs.filter((o) => o.image !== null);
  const status = regression ? "fails" : compared.some((o) => o.image === "differs") ? "differs" : compared.length ? "identical" : "nothing";
  return { flake: f.flake, status, error: null, outputs, unlocated: wanted.unlocated, seconds: (performance.now() - t0) / 1000 };
}

/** A side's outputs by pattern (JSON) and by concrete path (JSON), with their errors. */
interface SideOutputs {
  readonly byPattern: Map<string, EvaluatedOutput[]>;
  readonly errors: Map<string, string>;
}

/** The flags every call on a wrapper gets: flakes on, no lock file written, no evaluation cache, the user's nix options. */
function wrapperFlags(run: Run, pins: readonly (readonly [string, string])[]): string[] {
  return [
    ...FLAKE_FEATURES,
    "--no-write-lock-file",
    "--option",
    "eval-cache",
    "false",
    ...(run.settings.offline ? ["--offline"] : []),
    ...[...pins, ...run.settings.overrides].flatMap(([name, ref]) => ["--override-input", `target/${name}`, ref]),
  ];
}

/** The flake's inputs as Nix resolves them now (for a flake without flake.lock), as --override-input pairs. */
async function resolvedInputs(run: Run, url: string, what: string): Promise<[string, string][]> {
  const wrapper = writeWrapper(run.wrappers, url, []);
  const r = await run.nix(["flake", "metadata", "--json", ...wrapperFlags(run, []), `path:${wrapper}`], `the evaluation of ${what} (its inputs, no flake.lock)`);
  if (r.code !== 0) return []; // the evaluation will say why
  const given = new Set(run.settings.overrides.map(([n]) => n));
  return pinsOf(JSON.parse(r.stdout) as { locks?: LockFile }).filter(([name]) => !given.has(name));
}

/** One evaluation of a side; then Nix's messages for the outputs that failed. A time-out is the side's error. */
async function evaluateSide(run: Run, url: string, patterns: OutputPattern[], what: string, shown: (s: string) => string, pins: readonly (readonly [string, string])[]): Promise<SideOutputs | { error: string }> {
  try {
    return await evaluateSideOnce(run, url, patterns, what, shown, pins);
  } catch (e) {
    if (e instanceof VerifyError && e.kind === "timeout") return { error: e.message };
    throw e;
  }
}

async function evaluateSideOnce(run: Run, url: string, patterns: OutputPattern[], what: string, shown: (s: string) => string, pins: readonly (readonly [string, string])[]): Promise<SideOutputs | { error: string }> {
  const wrapper = writeWrapper(run.wrappers, url, patterns);
  const evalArgs = (attr: string) => ["eval", "--json", ...wrapperFlags(run, pins), `path:${wrapper}#${attr}`];
  const nixEval = (attr: string) => run.nix(evalArgs(attr), `the evaluation of ${what}`);
  const fetchError = (stderr: string) => ({ error: `${what}: an input cannot be fetched: ${shown(firstErrorLine(stderr))} (give it with --override-input NAME REF, or run where it can be fetched)` });
  let byPattern = new Map<string, EvaluatedOutput[]>();
  /** The outputs focus.json lists (`one.<k>`, `single.<k>`), as evaluated. */
  let focus: EvaluatedOutput[] = [];
  // in batches when there may be more images than one process should hold (a pattern with `*` may match many)
  const batched = Number.isFinite(run.batch) && (patterns.length > run.batch || patterns.some((p) => p.includes(null)));
  const main = await nixEval(batched ? "names" : "outputs");
  if (main.code === 0 && !batched) {
    (JSON.parse(main.stdout) as EvaluatedOutput[][]).forEach((items, i) => byPattern.set(JSON.stringify(patterns[i]), items));
    focus = [...byPattern.values()].flat().filter((o) => !o.ok);
    if (focus.length) writeFocus(wrapper, focus);
  } else if (main.code !== 0 && isFetchError(main.stderr)) {
    return fetchError(main.stderr);
  } else {
    const listed = main.code === 0 ? (JSON.parse(main.stdout) as Record<string, Listed[]>) : null;
    // after `outputs` failed as a whole, a batch of all of them would fail again: one by one
    const size = batched ? run.batch : 1;
    const evaluated = await listThenEvaluate(patterns, listed, firstErrorLine(main.stderr), nixEval, wrapper, size);
    if ("error" in evaluated) return { error: `${what} does not evaluate: ${shown(evaluated.error)}` };
    ({ byPattern, focus } = evaluated);
  }
  // Nix's message for each output that failed (tryEval hides it)
  const errors = new Map<string, string>();
  await Promise.all(
    focus.map(async (o, k) => {
      if (o.ok) return;
      if (o.error !== undefined) return void errors.set(JSON.stringify(o.path), shown(o.error));
      const r = await nixEval(`single.${k}`);
      errors.set(JSON.stringify(o.path), r.code === 0 ? "fails when evaluated as part of all outputs" : shown(firstErrorLine(r.stderr)));
    }),
  );
  return { byPattern, errors };
}

/** An output as `names` lists it: where it is, not evaluated yet. */
type Listed = Pick<EvaluatedOutput, "path" | "at">;

/**
 * Each pattern's outputs listed without being evaluated (`listed`: all at
 * once, from `names`; else each pattern on its own), then evaluated `size` at
 * a time, and a batch that fails as a whole (an error tryEval does not catch)
 * output by output, so that each has its own message. When every pattern fails
 * to list with the error the whole failed with (`first`), the flake itself
 * does not evaluate (its lock file, its outputs function …).
 */
async function listThenEvaluate(
  patterns: OutputPattern[],
  listed: Record<string, Listed[]> | null,
  first: string,
  nixEval: (attr: string) => Promise<NixRun>,
  wrapper: string,
  size: number,
): Promise<{ byPattern: Map<string, EvaluatedOutput[]>; focus: EvaluatedOutput[] } | { error: string }> {
  const lists = await Promise.all(
    patterns.map(async (p, i): Promise<{ items: Listed[] } | { error: string }> => {
      if (listed) return { items: listed[String(i)] ?? [] };
      const r = await nixEval(`names.${i}`);
      return r.code === 0 ? { items: JSON.parse(r.stdout) as Listed[] } : { error: firstErrorLine(r.stderr) };
    }),
  );
  if (lists.every((l) => "error" in l && l.error === first)) return { error: first };
  const focus: EvaluatedOutput[] = lists.flatMap((l) => ("items" in l ? l.items.map((x) => ({ ...x, ok: false, drvPath: null, toplevel: null })) : []));
  writeFocus(wrapper, focus);
  const evaluated = [...focus];
  const one = async (k: number) => {
    const r = await nixEval(`one.${k}`);
    evaluated[k] = r.code === 0 ? (JSON.parse(r.stdout) as EvaluatedOutput) : { ...focus[k]!, error: firstErrorLine(r.stderr) };
  };
  // an output whose path could not be followed (`at`) fails as it is
  const toEvaluate = focus.flatMap((o, k) => (o.at ? [] : [k]));
  const batches = size > 1 ? writeBatches(wrapper, toEvaluate, size) : toEvaluate.map((k) => [k]);
  await Promise.all(
    batches.map(async (ks, c) => {
      if (ks.length === 1) return one(ks[0]!);
      const r = await nixEval(`batch.${c}`);
      if (r.code !== 0) return void (await Promise.all(ks.map(one)));
      (JSON.parse(r.stdout) as EvaluatedOutput[]).forEach((o, i) => (evaluated[ks[i]!] = o));
    }),
  );
  const byPattern = new Map<string, EvaluatedOutput[]>();
  let k = 0;
  lists.forEach((l, i) => {
    const pattern = patterns[i]!;
    if ("error" in l) byPattern.set(JSON.stringify(pattern), [{ path: [...pattern], at: [], ok: false, drvPath: null, toplevel: null, error: l.error }]);
    else byPattern.set(JSON.stringify(pattern), evaluated.slice(k, (k += l.items.length)));
  });
  return { byPattern, focus: evaluated };
}

interface Row {
  readonly output: (string | null)[];
  readonly was: (string | null)[] | null;
  readonly before: OutputSide;
  readonly after: OutputSide;
}

const MISSING: OutputSide = { state: "missing", drvPath: null, toplevel: null, error: null };

function sideOf(o: EvaluatedOutput | undefined, errors: Map<string, string>): OutputSide {
  if (!o) return MISSING;
  if (o.ok) return { state: "ok", drvPath: o.drvPath, toplevel: o.toplevel, error: null };
  return { state: "fails", drvPath: null, toplevel: null, error: errors.get(JSON.stringify(o.path)) ?? "fails" };
}

/** The concrete outputs of a pair: the same path on both sides, or a new output and the image it replaces. */
function rowsOf(pair: OutputPair, before: SideOutputs, after: SideOutputs): Row[] {
  const b = before.byPattern.get(JSON.stringify(pair.before)) ?? [];
  const a = after.byPattern.get(JSON.stringify(pair.after)) ?? [];
  if (JSON.stringify(pair.before) !== JSON.stringify(pair.after)) {
    const replaced = [...b].sort((x, y) => JSON.stringify(x.path).localeCompare(JSON.stringify(y.path)))[0];
    return a.map((o) => ({ output: o.path, was: replaced?.path ?? [...pair.before], before: sideOf(replaced, before.errors), after: sideOf(o, after.errors) }));
  }
  const paths = new Map<string, (string | null)[]>();
  for (const o of [...b, ...a]) paths.set(JSON.stringify(o.path), o.path);
  if (!paths.size) paths.set(JSON.stringify(pair.after), [...pair.after]);
  return [...paths.values()].map((p) => {
    const k = JSON.stringify(p);
    return { output: p, was: null, before: sideOf(b.find((o) => JSON.stringify(o.path) === k), before.errors), after: sideOf(a.find((o) => JSON.stringify(o.path) === k), after.errors) };
  });
}

/**
 * The other packages, when every package is compared (outputs.ts, scanPackages): the ones that fail or
 * change after migration, and the images (a system inside) that did not.
 */
async function scannedPackages(run: Run, flake: string, located: VerifiedOutput[], before: SideOutputs, after: SideOutputs): Promise<VerifiedOutput[]> {
  const at = { file: flake, lineBefore: 1, lineAfter: 1 };
  const pair: OutputPair = { before: ALL_PACKAGES, after: ALL_PACKAGES, ...at };
  const known = new Set(located.map((o) => o.output));
  const out: VerifiedOutput[] = [];
  for (const row of rowsOf(pair, before, after)) {
    if (known.has(showPath(row.output)) || (row.before.state === "missing" && row.after.state === "missing")) continue;
    const o = await compare(run, pair, row);
    const image = o.before.toplevel !== null || o.after.toplevel !== null;
    if (o.image !== "identical" || image) out.push(o);
  }
  return out;
}

/** Compares one output: the image, else the system in it, and why they differ. */
async function compare(run: Run, pair: OutputPair, row: Row): Promise<VerifiedOutput> {
  const base = { output: showPath(row.output), was: row.was ? showPath(row.was) : null, file: pair.file, lineBefore: pair.lineBefore, lineAfter: pair.lineAfter };
  const { before, after } = row;
  if (before.state !== "ok" || after.state !== "ok") {
    const reason = after.state === "fails" ? after.error : before.state === "fails" && after.state === "ok" ? `fixed: before, ${before.error}` : after.state === "missing" ? "the output is gone" : null;
    return { ...base, before, after, image: null, system: null, reason };
  }
  if (before.drvPath === after.drvPath) return { ...base, before, after, image: "identical", system: "identical", reason: null };
  try {
    const topB = before.toplevel ?? (await findSystem(before.drvPath!, run.derivations));
    const topA = after.toplevel ?? (await findSystem(after.drvPath!, run.derivations));
    const withSystems = { ...base, before: { ...before, toplevel: topB }, after: { ...after, toplevel: topA }, image: "differs" as const };
    const system = topB && topA ? (topB === topA ? "identical" : "differs") : "unknown";
    const [from, to, what] = system === "differs" ? [topB!, topA!, "system"] : [before.drvPath!, after.drvPath!, "image"];
    const diffs = await firstDifferences(from, to, run.derivations);
    const reason = diffs.length ? `${what}: ${diffs.map(describeDifference).join("; ")}` : `${what}: the derivations differ only below the first ${400} shown`;
    return { ...withSystems, system, reason };
  } catch (e) {
    return { ...base, before, after, image: "differs", system: "unknown", reason: `the derivations could not be read: ${(e as Error).message}` };
  }
}

/** `packages.x86_64-linux."my image"`; a name not known yet is `*`. */
export function showPath(path: readonly (string | null)[]): string {
  return path.map((s) => (s === null ? "*" : attrKey(s))).join(".");
}

/** Nix's messages name the temporary copy: name the user's repository instead. */
function unTemp(message: string, copy: string, root: string, cwd: string): string {
  const rel = relative(cwd, root) || ".";
  return message.split(copy + sep).join(rel === "." ? "" : rel + sep).split(copy).join(rel);
}
