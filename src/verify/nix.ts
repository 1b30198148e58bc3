// Running the user's nix for --verify: which version it is, one command with a
// time-out, and what its error says (the first line of it, and whether it is
// an input that could not be fetched). Flakes are enabled per call; the lock
// file is never written; Nix 2.8 runs without its garbage collector, which
// crashes on large NixOS evaluations there (GC_DONT_GC=0 keeps it on).
import { spawn } from "node:child_process";

export interface NixSettings {
  /** The nix program (--nix), found on PATH when it has no slash. */
  readonly program: string;
  /** --override-input NAME REF, as given (NAME is the flake's own input). */
  readonly overrides: readonly (readonly [string, string])[];
  readonly offline: boolean;
  /** Per nix process. */
  readonly timeoutSeconds: number;
  /** Relative `path:` refs of --override-input are resolved against it. */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export const FLAKE_FEATURES = ["--extra-experimental-features", "nix-command flakes"];

/** Why a flake could not be verified at all (not an output's own failure). */
export class VerifyError extends Error {
  constructor(readonly kind: "nix-not-found" | "timeout" | "fetch" | "nix", message: string) {
    super(message);
  }
}

export interface NixRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Processes still running (killed when the run ends early). */
const running = new Set<ReturnType<typeof spawn>>();

export function killRunning(): void {
  for (const p of running) p.kill("SIGKILL");
}

/**
 * Runs nix once; a time-out kills it and throws VerifyError("timeout"), a
 * missing program VerifyError("nix-not-found"). `version`: of this nix, when known.
 */
export function runNix(settings: NixSettings, args: readonly string[], what: string, version?: string): Promise<NixRun> {
  return new Promise((resolve, reject) => {
    // Boehm's GC reads any value of GC_DONT_GC as "off": GC_DONT_GC=0 here means "leave it on"
    const env: NodeJS.ProcessEnv = { ...settings.env };
    if (env.GC_DONT_GC === "0") delete env.GC_DONT_GC;
    else if (env.GC_DONT_GC === undefined && version && !atLeast(version, 2, 9)) env.GC_DONT_GC = "1";
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(settings.program, args, { cwd: settings.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      reject(notFound(settings, e as Error));
      return;
    }
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d: Buffer) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, settings.timeoutSeconds * 1000);
    child.on("error", (e) => {
      clearTimeout(timer);
      running.delete(child);
      reject(notFound(settings, e));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      running.delete(child);
      if (timedOut) {
        reject(new VerifyError("timeout", `${what} took longer than ${settings.timeoutSeconds} s and was stopped (--verify-timeout SECONDS allows more)`));
        return;
      }
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

function notFound(settings: NixSettings, e: Error & { code?: string }): VerifyError {
  const why = e.code === "ENOENT" ? "not found" : e.code === "EACCES" ? "not executable" : e.message;
  return new VerifyError("nix-not-found", `--verify needs Nix: \`${settings.program}\` ${why}${settings.program.includes("/") ? "" : " on PATH"} (install Nix, or give its path with --nix PATH)`);
}

/** `nix --version` -> "2.8.0" (the last word of its first line). */
export async function nixVersion(settings: NixSettings): Promise<string> {
  const r = await runNix(settings, ["--version"], "nix --version");
  const first = r.stdout.split("\n")[0] ?? "";
  const version = /(\d+\.\d+(?:\.\d+)?\S*)\s*$/.exec(first)?.[1];
  if (r.code !== 0 || !version) {
    throw new VerifyError("nix-not-found", `--verify needs Nix: \`${settings.program} --version\` ${r.code !== 0 ? `failed: ${firstErrorLine(r.stderr)}` : `printed ${JSON.stringify(first)}`}`);
  }
  return version;
}

/** Is version `v` at least `major.minor`? */
export function atLeast(v: string, major: number, minor: number): boolean {
  const [a, b] = v.split(".").map((x) => parseInt(x, 10));
  return (a ?? 0) > major || ((a ?? 0) === major && (b ?? 0) >= minor);
}

/**
 * The message of Nix's error, first line: the innermost `error: …` (newer Nix
 * prints `error:` alone, then the trace, then the message as `error: …` again).
 */
export function firstErrorLine(stderr: string): string {
  const lines = stderr.split("\n");
  let message = "";
  for (const l of lines) {
    const m = /^\s*error:\s*(.*)$/.exec(l);
    if (m && m[1]!.trim() !== "") message = m[1]!.trim();
  }
  if (message) return message;
  const any = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith("warning:") && !l.startsWith("…") && !l.startsWith("(use '--show-trace'"));
  return any[any.length - 1] ?? "nix failed without a message";
}

/** Errors that mean an input could not be fetched or locked, rather than an output failing to evaluate. */
const FETCH_ERRORS = [
  /unable to download/i,
  /Couldn't resolve host/i,
  /cannot (?:fetch|download|find flake)/i,
  /while fetching the input/i,
  /because (?:it is|we are|Nix is) offline|in offline mode/i,
  // a `path:` input that is not there (a file missing from a fetched source is under /nix/store: the flake's own error)
  /getting status of '(?!\/nix\/store\/)[^']*': No such file or directory/,
  /does not provide attribute|unable to find a flake/i,
  /Failed to open archive|HTTP error \d+/i,
  /fatal: (?:repository|unable to access)/i,
];

export function isFetchError(stderr: string): boolean {
  return FETCH_ERRORS.some((re) => re.test(stderr));
}
