// Timing helpers for the benches: wall time of a child process, peak RSS
// through GNU time, medians, and the machine's state (other load skews numbers).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

/** Runs a command once; wall seconds, exit code, and (with GNU time) peak RSS in MB and CPU seconds. */
export function timeOnce(cmd, args, { cwd, env } = {}) {
  const gnuTime = existsSync("/usr/bin/time");
  // BENCH_NICE=-10: on a shared machine, run the measured commands (all of them alike) ahead of other load
  const nice = process.env.BENCH_NICE ? ["nice", "-n", process.env.BENCH_NICE] : [];
  const full = [...nice, cmd, ...args];
  const argv = gnuTime ? ["/usr/bin/time", ["-f", "@@TIME %e %U %S %M", ...full]] : [full[0], full.slice(1)];
  const t0 = process.hrtime.bigint();
  // stdin closed: a tool given no path must not read it (rg searches stdin when it is a pipe)
  const r = spawnSync(argv[0], argv[1], { cwd, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /@@TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? "");
  return {
    wall,
    code: r.status,
    cpu: m ? Number(m[2]) + Number(m[3]) : NaN,
    rssMB: m ? Number(m[4]) / 1024 : NaN,
    stdout: r.stdout,
    stderr: (r.stderr ?? "").replace(/@@TIME.*\n?/, ""),
  };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Runs every command `runs` times, interleaved (A B C A B C …) so that a
 * change in background load hits all of them alike. Returns per-command samples.
 */
export function interleaved(commands, runs, { warmup = 1 } = {}) {
  const samples = new Map(commands.map((c) => [c.name, []]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const c of commands) {
      const r = timeOnce(c.cmd, c.args, c);
      if (c.check) c.check(r);
      if (i >= warmup) samples.get(c.name).push(r);
    }
  }
  return samples;
}

export function summarize(samples) {
  return {
    wall: median(samples.map((s) => s.wall)),
    minWall: Math.min(...samples.map((s) => s.wall)),
    cpu: median(samples.map((s) => s.cpu)),
    rssMB: Math.max(...samples.map((s) => s.rssMB)),
  };
}

export function machine() {
  let model = cpus()[0]?.model ?? "?";
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? model;
  } catch {
    // not Linux
  }
  const nice = process.env.BENCH_NICE ? `, measured commands under nice -n ${process.env.BENCH_NICE}` : "";
  return `${cpus().length} cores (${model}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}${nice}`;
}

export function which(bin) {
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The repository's bin; exits with a hint when the bundle it runs is not built. */
export function builtBin() {
  const root = new URL("../..", import.meta.url).pathname;
  if (!existsSync(join(root, "dist", "bundle", "cli.cjs"))) {
    console.error("run `npm run build` first");
    process.exit(2);
  }
  return join(root, "bin", "nixgen-migrate.cjs");
}
