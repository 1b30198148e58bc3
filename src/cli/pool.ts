// Worker threads (node:worker_threads) running src/cli/worker.ts, plus the
// main thread itself: tasks are queued and handed to whichever is free. The
// main thread takes part because every worker is a V8 isolate that loads the
// bundle, compiles the parser and warms up its JIT on its own (measured: about
// +0.3 s CPU per worker on the 20k-file bench), so -j N means N-1 workers and
// the main thread, which would otherwise only wait. Each worker holds a few
// tasks at a time: the main thread runs its own task synchronously, and a
// worker that waited for it to hand out the next one would idle meanwhile.
import { Worker } from "node:worker_threads";
import type { WorkerRequest, WorkerSetup } from "./worker.js";

export type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

interface Pending {
  req: Request;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * A worker's short-lived objects (syntax trees of one flake) fit in a small young
 * generation; V8's default grows it to 16+ MB per isolate. Measured on the
 * 20k-file bench, -j 2: peak RSS 148-156 MB -> 142-146 MB, same wall time.
 */
const WORKER_YOUNG_GENERATION_MB = 4;

/** Enough to keep a worker busy while the main thread runs one task of its own (a few ms). */
const TASKS_PER_WORKER = 4;

export class Pool {
  private readonly workers: Worker[] = [];
  /** Tasks each worker holds (sent, not yet answered). */
  private readonly held = new Map<Worker, number>();
  private readonly queue: Pending[] = [];
  private readonly running = new Map<number, Pending>();
  private nextId = 1;
  private failed: Error | null = null;
  private localBusy = false;

  /**
   * `threads` in all, the main thread included when `local` is given (it runs
   * a task synchronously, between turns of the event loop).
   */
  constructor(threads: number, setup: WorkerSetup, private readonly local?: (req: Request) => unknown) {
    // the bundle puts worker.js next to this chunk; a plain string keeps the bundler from inlining it
    const file = "worker.js";
    const url = new URL(file, import.meta.url);
    const workers = local ? threads - 1 : threads;
    for (let i = 0; i < workers; i++) {
      const w = new Worker(url, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      w.on("message", (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
        const p = this.running.get(m.id);
        this.running.delete(m.id);
        if (p) {
          if (m.ok) p.resolve(m.value);
          else p.reject(new Error(m.error));
        }
        this.held.set(w, this.held.get(w)! - 1);
        this.pump();
      });
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => {
        if (code !== 0) this.fail(new Error(`worker thread exited with code ${code}`));
      });
      this.workers.push(w);
      this.held.set(w, 0);
    }
  }

  /** Threads that run tasks (workers, and the main thread when it takes part). */
  get size(): number {
    return this.workers.length + (this.local ? 1 : 0);
  }

  run<T>(req: Request): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ req, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private pump() {
    for (const w of this.workers) {
      while (this.queue.length && this.held.get(w)! < TASKS_PER_WORKER) {
        const p = this.queue.shift()!;
        const id = this.nextId++;
        this.running.set(id, p);
        this.held.set(w, this.held.get(w)! + 1);
        w.postMessage({ ...p.req, id });
      }
    }
    if (this.local && !this.localBusy && this.queue.length) {
      this.localBusy = true;
      // a turn of the event loop first: results and messages of the workers are handled in between
      setImmediate(() => {
        const p = this.queue.shift();
        if (p) {
          try {
            p.resolve(this.local!(p.req));
          } catch (e) {
            p.reject(e as Error);
          }
        }
        this.localBusy = false;
        this.pump();
      });
    }
  }

  private fail(e: Error) {
    if (this.failed) return;
    this.failed = e;
    for (const p of [...this.running.values(), ...this.queue]) p.reject(e);
    this.running.clear();
    this.queue.length = 0;
  }

  async close(): Promise<void> {
    this.failed ??= new Error("pool closed");
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
