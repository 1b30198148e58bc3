// A small pool of worker threads (node:worker_threads) running src/cli/worker.ts.
// Tasks are queued and handed to whichever worker is free.
import { Worker } from "node:worker_threads";
import type { WorkerRequest, WorkerSetup } from "./worker.js";

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

interface Pending {
  req: Request;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class Pool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<number, Pending>();
  private nextId = 1;
  private failed: Error | null = null;

  constructor(size: number, setup: WorkerSetup) {
    // the bundle puts worker.js next to cli.js; a plain string keeps the bundler from inlining it
    const file = "worker.js";
    const url = new URL(file, import.meta.url);
    for (let i = 0; i < size; i++) {
      const w = new Worker(url, { workerData: setup });
      w.on("message", (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
        const p = this.running.get(m.id);
        this.running.delete(m.id);
        if (p) {
          if (m.ok) p.resolve(m.value);
          else p.reject(new Error(m.error));
        }
        this.idle.push(w);
        this.pump();
      });
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => {
        if (code !== 0) this.fail(new Error(`worker thread exited with code ${code}`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  run<T>(req: Request): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ req, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private pump() {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const p = this.queue.shift()!;
      const id = this.nextId++;
      this.running.set(id, p);
      w.postMessage({ ...p.req, id });
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
