// Argument parsing. util.parseArgs (built into Node, ~0 ms) handles every valid
// command line; yargs is loaded only for --help and to explain a usage error,
// because importing it costs ~80 ms (cliui/string-width) and this tool runs in
// pre-commit hooks on every commit.
import { parseArgs } from "node:util";
import { OPTIONS, EXAMPLES, USAGE, EPILOG, type OptionName } from "./options.js";

type ValueOf<S> = S extends { type: "boolean" } ? boolean : S extends { multiple: true } ? string[] : string;
export type ParsedArgs = { [K in OptionName]?: ValueOf<(typeof OPTIONS)[K]> } & { paths: string[] };

export type ArgsOutcome =
  | { kind: "args"; args: ParsedArgs }
  | { kind: "output"; text: string }
  | { kind: "usage-error"; message: string };

function conflict(values: Record<string, unknown>): string | null {
  for (const [name, spec] of Object.entries(OPTIONS)) {
    if (!values[name] || !("conflicts" in spec)) continue;
    for (const other of spec.conflicts) if (values[other]) return `Arguments ${name} and ${other} are mutually exclusive`;
  }
  if (values.color && values["no-color"]) return "Arguments color and no-color are mutually exclusive";
  return null;
}

/** A value outside an option's `choices` (util.parseArgs does not check them). */
function badChoice(values: Record<string, unknown>): boolean {
  for (const [name, spec] of Object.entries(OPTIONS) as [string, { choices?: readonly string[] }][]) {
    const v = values[name];
    if (spec.choices && typeof v === "string" && !spec.choices.includes(v)) return true;
  }
  return false;
}

/**
 * `--override-input NAME REF` takes two words, as nix's does (util.parseArgs
 * takes one): they are taken out before parsing, joined by a newline (a
 * flake reference has none).
 */
function takeOverrides(argv: string[]): { rest: string[]; overrides: string[] } | { error: string } {
  const rest: string[] = [];
  const overrides: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (a.startsWith("--override-input=")) return { error: "--override-input takes two words: --override-input NAME REF" };
    if (a !== "--override-input") {
      rest.push(a);
      continue;
    }
    const name = argv[i + 1];
    const ref = argv[i + 2];
    if (name === undefined || ref === undefined || name.startsWith("-") || /[\n\r]/.test(name + ref)) return { error: "--override-input takes two words: --override-input NAME REF" };
    overrides.push(`${name}\n${ref}`);
    i += 2;
  }
  return { rest, overrides };
}

/** `version` is called only for --version and yargs (it reads package.json). */
export async function parseCommandLine(argvIn: string[], version: () => string): Promise<ArgsOutcome> {
  const taken = takeOverrides(argvIn);
  if ("error" in taken) return { kind: "usage-error", message: taken.error };
  const argv = taken.rest;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(OPTIONS).map(([k, v]) => [k, { type: v.type, ...("short" in v ? { short: v.short } : {}), ...("multiple" in v ? { multiple: v.multiple } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    });
    if (values.version) return { kind: "output", text: version() + "\n" };
    const problem = conflict(values);
    if (taken.overrides.length) values["override-input"] = taken.overrides;
    if (!values.help && !problem && !badChoice(values)) return { kind: "args", args: { ...(values as object), paths: positionals } as ParsedArgs };
  } catch (e) {
    // let yargs word the error; keep Node's message in case yargs accepts the line
    return explainWithYargs(argv, version, (e as Error).message);
  }
  return explainWithYargs(argv, version, null);
}

async function explainWithYargs(argv: string[], version: () => string, nodeMessage: string | null): Promise<ArgsOutcome> {
  const { default: yargs } = await import("yargs");
  let failure: string | null = null;
  let output = "";
  const y = yargs(argv)
    .scriptName("nixgen-migrate")
    .usage(USAGE)
    .command("$0 [paths..]", false as unknown as string, (c) => c.positional("paths", { type: "string", array: true, describe: "files or directories to migrate (default: .); - reads stdin" }))
    .example(EXAMPLES as [string, string][])
    .epilog(EPILOG)
    .version(version())
    .help(false)
    .strict()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      failure = msg || err?.message || "invalid arguments";
    });
  for (const [name, spec] of Object.entries(OPTIONS)) {
    if (name === "version") continue;
    y.option(name, {
      type: spec.type,
      describe: spec.describe,
      ...("short" in spec ? { alias: spec.short } : {}),
      ...("conflicts" in spec ? { conflicts: [...spec.conflicts] } : {}),
      ...("choices" in spec ? { choices: [...spec.choices] } : {}),
      ...("value" in spec && name !== "override-input" ? { requiresArg: true } : {}),
    });
  }
  await y.parseAsync(argv, {}, (_e, _a, out) => {
    if (out) output = out;
  });
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "output", text: (await y.getHelp()) + "\n" };
  if (failure) return { kind: "usage-error", message: failure };
  if (output) return { kind: "output", text: output + "\n" };
  const c = conflict(Object.fromEntries(argv.filter((a) => a.startsWith("--")).map((a) => [a.slice(2), true])));
  return { kind: "usage-error", message: c ?? nodeMessage ?? "invalid arguments" };
}

export type Format = "text" | "json" | "github" | "sarif";

/** The command line as the run uses it. */
export interface Args {
  paths: string[];
  write: boolean;
  check: boolean;
  /** -z: --check prints NUL-terminated paths as they are. */
  nulSeparated: boolean;
  stdin: boolean;
  stdinFilepath?: string;
  host?: string;
  parity: boolean;
  allowOldNixpkgs: boolean;
  listFormats: boolean;
  listRules: boolean;
  /** --explain RULE */
  explain?: string;
  color?: boolean;
  format: Format;
  /** Worker threads; "auto" decides by the amount of work. */
  jobs: number | "auto";
  ignorePaths: string[];
  gitignore: boolean;
  verify: VerifyArgs | null;
}

/** --verify and the options passed on to nix. */
export interface VerifyArgs {
  readonly timeoutSeconds: number;
  readonly overrides: readonly (readonly [string, string])[];
  readonly offline: boolean;
  readonly nix: string;
  /** --verify-batch: images per nix process. */
  readonly batch: number | "auto";
}

const DEFAULT_VERIFY_TIMEOUT = 900;

function verifyArgs(a: ParsedArgs): VerifyArgs | string | null {
  const given = (["verify-timeout", "verify-batch", "override-input", "offline", "nix"] as const).filter((k) => a[k] !== undefined);
  if (!a.verify) return given.length ? `--${given[0]} applies to --verify` : null;
  let timeoutSeconds = DEFAULT_VERIFY_TIMEOUT;
  if (a["verify-timeout"] !== undefined) {
    if (!/^[1-9][0-9]{0,6}$/.test(a["verify-timeout"])) return `--verify-timeout ${JSON.stringify(a["verify-timeout"])} must be a number of seconds`;
    timeoutSeconds = Number(a["verify-timeout"]);
  }
  let batch: number | "auto" = "auto";
  if (a["verify-batch"] !== undefined && a["verify-batch"] !== "auto") {
    if (!/^[1-9][0-9]{0,4}$/.test(a["verify-batch"])) return `--verify-batch ${JSON.stringify(a["verify-batch"])} must be a positive number of images or auto`;
    batch = Number(a["verify-batch"]);
  }
  if (a.nix === "") return "--nix needs the path of the nix program";
  const overrides = (a["override-input"] ?? []).map((o) => o.split("\n") as [string, string]);
  return { timeoutSeconds, overrides, offline: !!a.offline, nix: a.nix ?? "nix", batch };
}

export type Resolved = { kind: "args"; args: Args; notes: string[] } | { kind: "output"; text: string } | { kind: "usage-error"; message: string };

/**
 * The command line checked and completed: `-j` above the number of CPUs is
 * lowered to it (with a note: thousands of threads exhaust memory, not speed
 * anything up).
 */
export async function resolveArgs(argv: string[], version: () => string, cpus: number): Promise<Resolved> {
  const outcome = await parseCommandLine(argv, version);
  if (outcome.kind !== "args") return outcome;
  const a = outcome.args;
  const notes: string[] = [];
  let jobs: number | "auto" = "auto";
  if (a.jobs !== undefined && a.jobs !== "auto") {
    if (!/^[1-9][0-9]{0,3}$/.test(a.jobs)) return { kind: "usage-error", message: `--jobs ${JSON.stringify(a.jobs)} must be a positive number or auto` };
    jobs = Number(a.jobs);
    if (jobs > cpus) {
      notes.push(`-j ${jobs} is more than the ${cpus} CPU${cpus === 1 ? "" : "s"} of this machine; using ${cpus}`);
      jobs = cpus;
    }
  }
  if (a.null && !a.check) return { kind: "usage-error", message: "-z/--null applies to --check's list of paths" };
  const verify = verifyArgs(a);
  if (typeof verify === "string") return { kind: "usage-error", message: verify };
  return {
    kind: "args",
    notes,
    args: {
      paths: a.paths,
      write: !!a.write,
      check: !!a.check,
      nulSeparated: !!a.null,
      stdin: !!a.stdin || a.paths.includes("-"),
      stdinFilepath: a["stdin-filepath"],
      host: a.host,
      parity: !!a.parity,
      allowOldNixpkgs: !!a["allow-old-nixpkgs"],
      listFormats: !!a["list-formats"],
      listRules: !!a["list-rules"],
      explain: a.explain,
      color: a["no-color"] ? false : a.color ? true : undefined,
      format: (a.format ?? "text") as Format,
      jobs,
      ignorePaths: a["ignore-path"] ?? [],
      gitignore: !a["no-gitignore"],
      verify,
    },
  };
}
