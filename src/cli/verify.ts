// Stage 3b of a run, with --verify: after collect, before write. The flakes
// whose migration writes files are handed to the verifier (src/verify/, loaded
// only for --verify: main.ts imports this module then), which evaluates them
// with the user's nix; a flake whose migrated outputs do not all evaluate where
// the old ones did is not written.
import { basename, dirname, resolve } from "node:path";
import { verifyFlakes, VerifyError } from "../verify/verify.js";
import { mayWrite, type VerifyReport } from "../verify/types.js";
import type { Args, VerifyArgs } from "./args.js";
import type { Collected } from "./collect.js";
import { CliError } from "./errors.js";
import { gitRoot } from "./files.js";
import type { Plan } from "./plan.js";
import type { Progress } from "./progress.js";

export interface Verified {
  readonly report: VerifyReport;
  /** Jobs whose files must not be written. */
  readonly blocked: Set<number>;
}

/** On a signal: the verifier's nix processes and temp copies go. */
export { stopVerifying } from "../verify/verify.js";

export async function verify(collected: Collected, plan: Plan, args: Args, verifyArgs: VerifyArgs, io: { cwd: string; env: NodeJS.ProcessEnv; stderr(s: string): void }, progress: Progress): Promise<Verified> {
  const { cwd, env } = io;
  const byPath = new Map(collected.files.map((f) => [f.path, f]));
  const flakes = plan.jobs.flatMap((job, index) => {
    const writes = collected.writes.filter((w) => w.job === index).map((w) => w.file);
    // the job's own flake.nix: the one nearest the top
    const flake = job.paths.filter((p) => basename(p) === "flake.nix").sort((a, b) => a.split("/").length - b.split("/").length)[0];
    if (!writes.length || !flake) return [];
    const files = writes.map((f) => ({ path: f.path, before: f.before, after: f.after }));
    const own = byPath.get(flake);
    if (own && !files.some((f) => f.path === flake)) files.push({ path: flake, before: own.before, after: own.after });
    const dir = dirname(resolve(cwd, flake));
    const git = gitRoot(dir);
    return [{ index, flake: { flake, files, root: git ?? dir, inGit: git !== null } }];
  });
  let report: VerifyReport;
  try {
    const settings = { program: verifyArgs.nix, overrides: verifyArgs.overrides, offline: verifyArgs.offline, timeoutSeconds: verifyArgs.timeoutSeconds, cwd, env };
    if (flakes.length) progress.status(`verifying ${flakes.length} flake${flakes.length === 1 ? "" : "s"} with ${verifyArgs.nix} (before and after the migration)…`);
    // NIXGEN_MIGRATE_TIMING: each nix call and its time
    const log = env.NIXGEN_MIGRATE_TIMING ? (line: string) => io.stderr(`timing: ${line}\n`) : undefined;
    // -j: nix processes at once (each side of a flake is one); what auto is depends on the nix (autoJobs)
    // --verify-batch: images per nix process (autoBatch)
    report = await verifyFlakes(flakes.map((f) => f.flake), settings, args.jobs, verifyArgs.batch, log);
  } catch (e) {
    if (e instanceof VerifyError) throw new CliError("usage", e.message);
    throw e;
  }
  const jobOf = new Map(flakes.map((f) => [f.flake.flake, f.index]));
  const blocked = new Set<number>();
  for (const f of report.flakes) if (!mayWrite(f)) blocked.add(jobOf.get(f.flake)!);
  return { report, blocked };
}
