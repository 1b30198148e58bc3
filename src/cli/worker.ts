// A worker thread: runs prefilter chunks and migration jobs for the main thread.
import { parentPort, workerData } from "node:worker_threads";
import { init } from "../index.js";
import { prefilter, runJob, type JobSetup } from "./work.js";

export type WorkerRequest =
  | { id: number; kind: "filter"; entries: { path: string; abs: string }[] }
  | { id: number; kind: "migrate"; paths: string[]; explicit: string[] };

export type WorkerSetup = JobSetup;

const setup = workerData as WorkerSetup;
// the parser loads while the first prefilter chunks are read
const ready = init();

parentPort!.on("message", async (req: WorkerRequest) => {
  try {
    if (req.kind === "filter") {
      parentPort!.postMessage({ id: req.id, ok: true, value: prefilter(req.entries, false) });
    } else {
      await ready;
      parentPort!.postMessage({ id: req.id, ok: true, value: runJob(req.paths, req.explicit, setup) });
    }
  } catch (e) {
    parentPort!.postMessage({ id: req.id, ok: false, error: (e as Error).stack ?? String(e) });
  }
});
