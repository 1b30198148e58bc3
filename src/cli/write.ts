// Stage 5 of a run, the last before the report: the collected changes are
// written, atomically, in batches: each file to its temp file, the batch
// fsynced at once, then each renamed into place. SIGINT, SIGTERM and SIGHUP during a --write
// run remove this process's temp files and exit 130, 143, 129: every file is
// then its old or its new text, and nothing of ours is left beside it.
import { constants } from "node:os";
import { resolve } from "node:path";
import { Boundary, projectRootOf } from "./files.js";
import { abandonWrite, commitWrite, prepareWrite, removeOwnTemps, syncWrites, type PreparedWrite } from "./write-file.js";
import type { Collected, Problem } from "./collect.js";
import type { Plan } from "./plan.js";

/**
 * Files written and synced together: the file system commits their fsyncs as
 * one, where one by one each costs a journal commit (~5 ms on the bench VM);
 * bounded so that the open temp files stay far below the descriptor limit.
 */
const BATCH = 128;

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
  const fail = (path: string, e: unknown) => errors.push({ path, message: (e as Error).message });
  for (let i = 0; i < collected.writes.length; i += BATCH) {
    const prepared: PreparedWrite[] = [];
    for (const { file, job } of collected.writes.slice(i, i + BATCH)) {
      const named = plan.jobs[job]!.explicit.includes(file.path);
      try {
        prepared.push(prepareWrite(file.path, resolve(cwd, file.path), file.after, file.before, named ? null : boundaryOf(job)));
      } catch (e) {
        fail(file.path, e);
      }
    }
    const synced = await syncWrites(prepared);
    prepared.forEach((w, k) => {
      try {
        if (synced[k]) {
          abandonWrite(w);
          throw synced[k];
        }
        commitWrite(w);
        written.add(w.path);
      } catch (e) {
        fail(w.path, e);
      }
    });
  }
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
