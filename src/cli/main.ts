// The command line, in stages: arguments -> plan (walk, prefilter, jobs by
// flake, threads) -> execute (the engine per job, here or in worker threads)
// -> collect (one result per file, conflicts between jobs settled; nothing
// written) -> write (--write only, the last step) -> report and one exit code.
// Knows nothing about Nix syntax.
import pc from "picocolors";
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import { init, migrate, isValidHostName } from "../index.js";
import { formatTable } from "../formats.js";
import { formatFinding } from "../report/text.js";
import type { ReportData } from "../report/data.js";
import type { Finding, MigrateOptions } from "../types.js";
import { decodeText } from "./files.js";
import { resolveArgs, type Args } from "./args.js";
import { CliError, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, FAILURES, failureText } from "./errors.js";
import { byPath, namedDirs, plan, restoreLaunchFlags, type Plan } from "./plan.js";
import { execute } from "./execute.js";
import { collect } from "./collect.js";
import { cleanUpOnSignals, writeAll } from "./write.js";
import { report, type Palettes } from "./report.js";
import { Progress } from "./progress.js";
import { inertInActions, printable, quotePath } from "../report/escape.js";

export { EXIT_OK, EXIT_FINDINGS, EXIT_ERROR };

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<Uint8Array>;
  /** stdout is a terminal (colours). */
  isTTY: boolean;
  /** stderr is a terminal (progress line). */
  stderrIsTTY?: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

let cachedVersion: string | undefined;
/** Our package.json's version, found upwards from this module (bundled or not); read once, and only when asked for. */
function version(): string {
  return (cachedVersion ??= readVersion());
}

function readVersion(): string {
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { name?: string; version: string };
      if (pkg.name === "nixgen-migrate") return pkg.version;
    } catch {
      // not here
    }
    if (dir.pathname === "/" || new URL("..", dir).href === dir.href) return "unknown";
  }
}

function useColor(args: Args, io: Io): boolean {
  if (args.color !== undefined) return args.color;
  if ("NO_COLOR" in io.env && io.env.NO_COLOR !== "") return false;
  if ("FORCE_COLOR" in io.env) return io.env.FORCE_COLOR !== "0";
  return io.isTTY;
}

function palettes(on: boolean): Palettes {
  const c = pc.createColors(on);
  return {
    diff: { header: c.bold, hunk: c.cyan, added: c.green, removed: c.red },
    text: { error: (s) => c.bold(c.red(s)), warning: c.yellow, note: c.blue, path: c.bold, dim: c.dim },
  };
}

export async function run(argv: string[], io: Io): Promise<number> {
  try {
    return await runUnguarded(argv, io);
  } catch (e) {
    const kind = e instanceof CliError ? e.kind : "internal";
    const message = e instanceof CliError ? e.message : `internal error: ${(e as Error).stack ?? String(e)}`;
    io.stderr(inertInActions(failureText(kind, message), io.env));
    return FAILURES[kind].exit;
  }
}

async function runUnguarded(argv: string[], io: Io): Promise<number> {
  const resolved = await resolveArgs(argv, version, availableParallelism());
  if (resolved.kind === "output") {
    io.stdout(resolved.text);
    return EXIT_OK;
  }
  if (resolved.kind === "usage-error") throw new CliError("usage", resolved.message);
  const { args } = resolved;
  for (const n of resolved.notes) io.stderr(`nixgen-migrate: ${n}\n`);
  if (args.listFormats) {
    io.stdout(formatTable());
    return EXIT_OK;
  }
  if (args.listRules || args.explain !== undefined) return printRules(args, io);
  if (args.host !== undefined && !isValidHostName(args.host)) {
    throw new CliError("usage", `--host ${JSON.stringify(args.host)} is not a valid Nix attribute name (letters, digits, _ ' -; not starting with a digit)`);
  }
  const colors = palettes(useColor(args, io));
  const options: MigrateOptions = { host: args.host, parity: args.parity, allowOldNixpkgs: args.allowOldNixpkgs, ...testSwapVariant(io.env) };
  if (args.stdin) return runStdin(args, io, options, colors);

  const progress = new Progress(io);
  const timing = io.env.NIXGEN_MIGRATE_TIMING ? (what: string) => io.stderr(`timing: ${what} ${performance.now() | 0} ms\n`) : () => {};
  timing("start");
  // --verify's code (and nix) only when asked for
  const verifier = args.verify ? await import("./verify.js") : null;
  // with --write, a signal removes this run's temp files before the process ends; with --verify, its copies and nix processes
  const stopHandling = args.write || verifier ? cleanUpOnSignals(io.stderr, verifier?.stopVerifying) : () => {};
  let planned: Plan | null = null;
  try {
    const setup = { cwd: io.cwd, options, namedDirs: namedDirs(args.paths, io.cwd) };
    planned = await plan({ args, cwd: io.cwd, setup, progress, timing });
    const results = await execute(planned, progress);
    timing("migrated");
    progress.done();
    const collected = collect(planned.jobs, results, planned.vendored.map(vendoredFinding));
    // --verify: after every result is in, before anything is written; a flake it blocks is not written
    const verified = verifier && args.verify ? await verifier.verify(collected, planned, args, args.verify, io, progress) : null;
    progress.done();
    timing("verified");
    const toWrite = verified ? { ...collected, writes: collected.writes.filter((w) => !verified.blocked.has(w.job)) } : collected;
    const written = args.write ? await writeAll(toWrite, planned) : { written: new Set<string>(), errors: [] };
    timing("written");
    const data: ReportData = {
      files: collected.files,
      findings: collected.findings,
      errors: [...planned.errors, ...collected.errors, ...written.errors].sort((a, b) => byPath(a.path, b.path)),
      mode: args.write ? "write" : args.check ? "check" : "dry",
      written: written.written,
      checked: planned.checked,
      version,
      cwd: io.cwd,
      ...(verified ? { verify: verified.report } : {}),
    };
    const code = await report(data, args, io, colors);
    timing("reported");
    return code;
  } finally {
    progress.done();
    stopHandling();
    await planned?.pool?.close();
    restoreLaunchFlags();
  }
}

/** --list-rules and --explain: the rules' own declarations (docs/rules.md is generated from the same). */
async function printRules(args: Args, io: Io): Promise<number> {
  const { explainText, rulesListText, similarRules } = await import("../docs.js");
  if (args.listRules) {
    io.stdout(rulesListText());
    return EXIT_OK;
  }
  const text = explainText(args.explain!);
  if (text !== null) {
    io.stdout(text);
    return EXIT_OK;
  }
  const like = similarRules(args.explain!);
  const hint = like.length ? `; did you mean ${like.join(", ")}?` : "; --list-rules lists them";
  throw new CliError("usage", `--explain: no rule ${JSON.stringify(args.explain)}${hint}`);
}

/** The one note for a skipped copy of nixos-generators, on its nixos-generate.nix. */
function vendoredFinding(dir: string): Finding {
  const path = dir === "." ? "nixos-generate.nix" : `${dir}/nixos-generate.nix`;
  const message =
    `${dir === "." ? "this directory" : dir} is a copy of nixos-generators (nixos-generate.nix, format-module.nix, formats/): ` +
    "nothing in it was migrated or checked; once the flake no longer uses it (the calls and modules that point into it are migrated), delete it";
  const at = { line: 1, column: 1 };
  return { path, rule: "vendored-generators", severity: "note", message, start: at, end: at, offset: 0, endOffset: 0 };
}

/** NIXGEN_MIGRATE_TEST_SWAP_VARIANT=from=to[,from=to]: a deliberately wrong migration, for the tests of --verify. */
function testSwapVariant(env: NodeJS.ProcessEnv): Pick<MigrateOptions, "testSwapVariant"> {
  const spec = env.NIXGEN_MIGRATE_TEST_SWAP_VARIANT;
  if (!spec) return {};
  return { testSwapVariant: Object.fromEntries(spec.split(",").map((p) => p.split("=", 2) as [string, string])) };
}

async function runStdin(args: Args, io: Io, options: MigrateOptions, colors: Palettes): Promise<number> {
  if (args.paths.some((p) => p !== "-")) throw new CliError("usage", "`-`/--stdin cannot be combined with file paths");
  if (args.write) throw new CliError("usage", "--write cannot be used with stdin; the result is printed");
  if (args.verify) throw new CliError("usage", "--verify cannot be used with stdin: it evaluates flakes in their repository");
  if (args.format !== "text") throw new CliError("usage", `--format ${args.format} cannot be used with stdin; stdout carries the migrated text`);
  await init();
  const path = args.stdinFilepath ?? "flake.nix";
  let text: string;
  try {
    text = decodeText(path, await io.readStdin());
  } catch (e) {
    io.stderr(`${quotePath(path)}: ${printable((e as Error).message)}\n`);
    return FAILURES.file.exit;
  }
  const r = migrate(text, { ...options, path });
  io.stdout(r.output);
  for (const f of r.findings) io.stderr(formatFinding(f, colors.text) + "\n");
  if (r.refused && r.refused.kind !== "unparsed") return EXIT_ERROR;
  return r.findings.some((f) => f.severity === "error") ? EXIT_FINDINGS : EXIT_OK;
}
