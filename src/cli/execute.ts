// Stage 2 of a run: every job of the plan, in this thread or on the pool.
// Nothing is written here. A job that fails (a bug in the tool, a worker that
// died) becomes an error of its own files: the other jobs' results stand.
import { runJob, type JobResult } from "./work.js";
import type { Plan } from "./plan.js";
import type { Progress } from "./progress.js";

/** The results, in the order of the plan's jobs. */
export async function execute(plan: Plan, progress: Progress): Promise<JobResult[]> {
  const { jobs, pool } = plan;
  const results: JobResult[] = new Array(jobs.length);
  let done = 0;
  if (!pool) {
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      progress.update("migrating", done++, jobs.length, job.paths[0]);
      try {
        results[i] = runJob(job.paths, job.explicit, plan.setup, plan.texts);
      } catch (e) {
        results[i] = failed(job.paths, e as Error);
      }
    }
    return results;
  }
  await Promise.all(
    jobs.map(async (job, i) => {
      try {
        results[i] = await pool.run<JobResult>({ kind: "migrate", paths: job.paths, explicit: job.explicit });
      } catch (e) {
        results[i] = failed(job.paths, e as Error);
      }
      progress.update("migrating", ++done, jobs.length, job.paths[0]);
    }),
  );
  return results;
}

function failed(paths: readonly string[], e: Error): JobResult {
  const message = `internal error: ${e.message.split("\n")[0]}; not migrated (please report this at the project's issue tracker)`;
  return { files: [], findings: [], errors: paths.map((path) => ({ path, message })) };
}
