// Runs the real bin (built bundle) in a child process.
import { spawnSync } from "node:child_process";
import { afterEach } from "vitest";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const BIN = join(import.meta.dirname, "..", "..", "bin", "nixgen-migrate.cjs");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], opts: { cwd?: string; input?: string | Buffer; env?: Record<string, string | undefined> } = {}): CliResult {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", CI: "1", ...opts.env };
  delete env.FORCE_COLOR;
  if (opts.env && "FORCE_COLOR" in opts.env) env.FORCE_COLOR = opts.env.FORCE_COLOR;
  // a run over a thousand flakes prints more than spawnSync's default 1 MiB
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd, input: opts.input, encoding: "utf8", env: env as NodeJS.ProcessEnv, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A temp directory with the given files; removed by the returned cleanup. */
export function tempProject(files: Record<string, string | Buffer>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "nixgen-cli-"));
  for (const [p, content] of Object.entries(files)) {
    const full = join(dir, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `project(files)` makes a temp project and returns its directory; all are removed after each test. */
export function tempProjects(): (files: Record<string, string | Buffer>) => string {
  let cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups) c();
    cleanups = [];
  });
  return (files) => {
    const p = tempProject(files);
    cleanups.push(p.cleanup);
    return p.dir;
  };
}
