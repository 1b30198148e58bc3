// The command line: arguments -> read files -> core -> diff/findings or
// atomic writes -> one exit code. Knows nothing about Nix syntax.
import pc from "picocolors";
import { init, migrateFiles, migrate, isValidHostName } from "../index.js";
import { formatTable } from "../formats.js";
import { unifiedDiff, type DiffColors } from "../report/diff.js";
import { formatFinding, formatSummary, type TextColors } from "../report/text.js";
import type { Finding, MigrateOptions } from "../types.js";
import type { FileResult } from "../engine.js";
import { FileError, decodeText, isDirectory, isInside, projectRoot, readTextFileSync, writeFileAtomic } from "./files.js";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { parseCommandLine } from "./args.js";

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

interface Args {
  paths: string[];
  write: boolean;
  check: boolean;
  stdin: boolean;
  stdinFilepath?: string;
  host?: string;
  parity: boolean;
  allowOldNixpkgs: boolean;
  listFormats: boolean;
  color?: boolean;
}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<Uint8Array>;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Our package.json, found upwards from this module (bundled or not). */
function version(): string {
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

async function parseArgs(argv: string[], io: Io): Promise<Args | number> {
  const outcome = await parseCommandLine(argv, version());
  if (outcome.kind === "output") {
    io.stdout(outcome.text);
    return EXIT_OK;
  }
  if (outcome.kind === "usage-error") {
    io.stderr(`nixgen-migrate: ${outcome.message}\nRun nixgen-migrate --help for usage.\n`);
    return EXIT_ERROR;
  }
  const a = outcome.args;
  return {
    paths: a.paths,
    write: !!a.write,
    check: !!a.check,
    stdin: !!a.stdin || a.paths.includes("-"),
    stdinFilepath: a["stdin-filepath"],
    host: a.host,
    parity: !!a.parity,
    allowOldNixpkgs: !!a["allow-old-nixpkgs"],
    listFormats: !!a["list-formats"],
    color: a["no-color"] ? false : a.color ? true : undefined,
  };
}

function useColor(args: Args, io: Io): boolean {
  if (args.color !== undefined) return args.color;
  if ("NO_COLOR" in io.env && io.env.NO_COLOR !== "") return false;
  if ("FORCE_COLOR" in io.env) return io.env.FORCE_COLOR !== "0";
  return io.isTTY;
}

function palettes(on: boolean): { diff: DiffColors; text: TextColors } {
  const c = pc.createColors(on);
  return {
    diff: { header: c.bold, hunk: c.cyan, added: c.green, removed: c.red },
    text: { error: (s) => c.bold(c.red(s)), warning: c.yellow, note: c.blue, path: c.bold, dim: c.dim },
  };
}

export async function run(argv: string[], io: Io): Promise<number> {
  const parsed = await parseArgs(argv, io);
  if (typeof parsed === "number") return parsed;
  const args = parsed;
  if (args.listFormats) {
    io.stdout(formatTable());
    return EXIT_OK;
  }
  if (args.host !== undefined && !isValidHostName(args.host)) {
    io.stderr(`nixgen-migrate: --host ${JSON.stringify(args.host)} is not a valid Nix attribute name (letters, digits, _ ' -; not starting with a digit)\n`);
    return EXIT_ERROR;
  }
  const colors = palettes(useColor(args, io));
  const options: MigrateOptions = { host: args.host, parity: args.parity, allowOldNixpkgs: args.allowOldNixpkgs };
  await init();

  if (args.stdin) {
    if (args.paths.some((p) => p !== "-")) {
      io.stderr("nixgen-migrate: `-`/--stdin cannot be combined with file paths\n");
      return EXIT_ERROR;
    }
    if (args.write) {
      io.stderr("nixgen-migrate: --write cannot be used with stdin; the result is printed\n");
      return EXIT_ERROR;
    }
    const path = args.stdinFilepath ?? "flake.nix";
    let text: string;
    try {
      text = decodeText(path, await io.readStdin());
    } catch (e) {
      io.stderr(`${path}: ${(e as Error).message}\n`);
      return EXIT_ERROR;
    }
    const r = migrate(text, { ...options, path });
    io.stdout(r.output);
    for (const f of r.findings) io.stderr(formatFinding(f, colors.text) + "\n");
    if (r.refused) return EXIT_ERROR;
    return r.findings.some((f) => f.severity === "error") ? EXIT_FINDINGS : EXIT_OK;
  }

  const given = args.paths.length ? args.paths : ["./flake.nix"];
  const paths: string[] = [];
  let ioError = false;
  const texts = new Map<string, string>();
  for (const p of given) {
    const path = isDirectory(p) ? join(p, "flake.nix") : p;
    try {
      texts.set(path, readTextFileSync(path));
      paths.push(path);
    } catch (e) {
      const err = e as FileError;
      io.stderr(`${err.path ?? path}: ${err.message}\n`);
      ioError = true;
    }
  }
  const roots = [...new Set(paths.map((p) => projectRoot(p)))];
  const host = {
    read: (p: string) => {
      if (texts.has(p)) return texts.get(p);
      try {
        const t = readTextFileSync(p);
        texts.set(p, t);
        return t;
      } catch {
        return undefined;
      }
    },
    isDirectory,
    inside: (p: string) => roots.some((r) => isInside(r, p)),
  };
  const result = paths.length ? migrateFiles(paths, host, options) : { files: [], findings: [] };
  return await report(result.files, result.findings, args, io, colors, ioError);
}

async function report(files: FileResult[], findings: Finding[], args: Args, io: Io, colors: ReturnType<typeof palettes>, ioErrorIn: boolean): Promise<number> {
  let ioError = ioErrorIn;
  let written = 0;
  const changed = files.filter((f) => f.changed);
  const refused = files.filter((f) => f.refused);
  if (args.write) {
    // every new text re-parsed in the core before we get here; write them all
    for (const f of changed) {
      try {
        await writeFileAtomic(f.path, f.after, f.before);
        written++;
      } catch (e) {
        io.stderr(`${f.path}: ${(e as Error).message}\n`);
        ioError = true;
      }
    }
  } else if (args.check) {
    for (const f of changed) io.stdout(`${f.path}\n`);
  } else {
    for (const f of changed) io.stdout(unifiedDiff(displayPath(f.path), f.before, f.after, colors.diff));
  }
  for (const f of findings) io.stdout(formatFinding(f, colors.text) + "\n");
  const bySeverity = { error: 0, warning: 0, note: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  io.stderr(
    formatSummary({ files: files.filter((f) => f.primary).length, changed: changed.length, written, refused: refused.length, bySeverity, dryRun: !args.write }) + "\n",
  );
  if (ioError || refused.length) return EXIT_ERROR;
  if (!args.write && changed.length) return EXIT_FINDINGS;
  if (bySeverity.error) return EXIT_FINDINGS;
  return EXIT_OK;
}

/** Paths in diff headers are relative, with forward slashes (what git apply expects). */
function displayPath(p: string): string {
  return p.replace(/\\/g, "/").replace(/^\.\//, "");
}
