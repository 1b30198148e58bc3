// Stage 5 of a run, the last before the report: the collected changes are
// written, atomically, a few at a time (each write ends with an fsync, and the
// disk batches concurrent ones). SIGINT, SIGTERM and SIGHUP during a --write
// run remove this process's temp files and exit 130, 143, 129: every file is
// then its old or its new text, and nothing of ours is left beside it.
import { constants } from "node:os";
import { resolve } from "node:path";
import { Boundary, projectRootOf } from "./files.js";
import { removeOwnTemps, writeFileAtomic } from "./write-file.js";
import type { Collected, Problem } from "./collect.js";
import type { Plan } from "./plan.js";

/** Writes in flight at once. */
const WRITE_CONCURRENCY = 16;

export async function writeAll(collected: Collected, plan: Plan): Promise<{ written: Set<string>; errors: Problem[] }> {
  const written = new Set<string>();
  const errors: Problem[] = [];
  const { cwd, namedDirs } = plan.setup;
  const boundaries = new Map<number, Boundary>();
  // a path the run did not get on the command line is written only at its real path inside the job's repositories
  const boundaryOf = (job: number) => {
    let b = boundaries.get(job);
    if (!b) boundaries.set(job, (b = Boundary.of([...plan.jobs[job]!.paths.map((p) => projectRootOf(resolve(cwd, p))), ...namedDirs])));
    return b;
  };
  const queue = [...collected.writes];
  const worker = async () => {
    for (let w = queue.shift(); w; w = queue.shift()) {
      const { file, job } = w;
      const named = plan.jobs[job]!.explicit.includes(file.path);
      try {
        await writeFileAtomic(file.path, resolve(cwd, file.path), file.after, file.before, named ? null : boundaryOf(job));
        written.add(file.path);
      } catch (e) {
        errors.push({ path: file.path, message: (e as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, queue.length) }, worker));
  return { written, errors };
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * For a --write run: on a signal, this process's temp files go (and `also`
 * runs: --verify's clean-up) and it exits 128 + the signal's number. Returns
 * the function that removes the handlers.
 */
export function cleanUpOnSignals(say: (s: string) => void, also?: () => void): () => void {
  const handlers = SIGNALS.map((sig) => {
    const handler = () => {
      also?.();
      const removed = removeOwnTemps();
      say(`nixgen-migrate: ${sig}: stopped${removed ? ` (${removed} temp file${removed === 1 ? "" : "s"} removed)` : ""}; every file is as it was or fully migrated\n`);
      process.exit(128 + constants.signals[sig]);
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}
