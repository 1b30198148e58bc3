// Stage 3 of a run: the jobs' results as one result per path. Writes nothing.
// A file that another flake's migration changes too (a module both import) is
// settled deterministically: the job whose own file it is wins, else the first
// job in path order. A job whose change of a file differs from the winner's
// loses all of its changes, not only that one (a flake is migrated all or
// nothing): it is reported, and a run after the writes migrates it.
import type { FileResult } from "../engine.js";
import type { Finding } from "../types.js";
import type { Job } from "./plan.js";
import type { JobResult } from "./work.js";
import { byPath } from "./plan.js";

export type Problem = { path: string; message: string };

export interface Collected {
  /** One result per path, sorted (the winner's, for files several jobs change). */
  readonly files: FileResult[];
  readonly findings: Finding[];
  readonly errors: Problem[];
  /** What --write would write: changed files of jobs that lost no conflict, each with its job. */
  readonly writes: { file: FileResult; job: number }[];
}

/** `notes`: findings of the run itself (a skipped directory), beside the jobs'. */
export function collect(jobs: readonly Job[], results: readonly JobResult[], notes: readonly Finding[] = []): Collected {
  const owner = new Map<string, number>();
  jobs.forEach((j, i) => j.paths.forEach((p) => owner.set(p, i)));
  const changes = new Map<string, { job: number; file: FileResult }[]>();
  const files = new Map<string, FileResult>();
  const findings: Finding[] = [...notes];
  const seen = new Set<string>();
  const errors: Problem[] = [];
  results.forEach((r, job) => {
    errors.push(...r.errors);
    for (const f of r.files) {
      if (f.changed) push(changes, f.path, { job, file: f });
      else {
        const prev = files.get(f.path);
        if (!prev || (f.primary && !prev.primary)) files.set(f.path, f);
      }
    }
    for (const f of r.findings) {
      const key = `${f.path}\0${f.offset}\0${f.endOffset}\0${f.rule}\0${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f);
    }
  });
  const name = (j: number) => jobs[j]!.paths[0]!;
  const losers = new Set<number>();
  const winners = new Map<string, { job: number; file: FileResult }>();
  for (const [path, list] of [...changes].sort((a, b) => byPath(a[0], b[0]))) {
    const own = owner.get(path);
    list.sort((a, b) => (a.job === own ? -1 : b.job === own ? 1 : a.job - b.job));
    const winner = list[0]!;
    winners.set(path, winner);
    files.set(path, { ...winner.file, primary: own !== undefined });
    for (const other of list.slice(1)) {
      if (other.file.after === winner.file.after) continue;
      losers.add(other.job);
      errors.push({
        path,
        message: `is changed differently by the migrations of ${name(winner.job)} and ${name(other.job)}; only the change for ${name(winner.job)} applies, and ${name(other.job)}'s migration is not applied at all (run again once the other is written)`,
      });
    }
  }
  const writes: { file: FileResult; job: number }[] = [];
  for (const [, w] of [...winners].sort((a, b) => byPath(a[0], b[0]))) if (!losers.has(w.job)) writes.push(w);
  findings.sort((a, b) => byPath(a.path, b.path) || a.offset - b.offset);
  return { files: [...files.values()].sort((a, b) => byPath(a.path, b.path)), findings, errors, writes };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
