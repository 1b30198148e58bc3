// Helpers for the playground's end-to-end test: build outputs only when their
// sources are newer, and a tiny static server for web/dist that gzips like a
// real host and counts the bytes it sends.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { gzipSync } from "node:zlib";

export const ROOT = join(import.meta.dirname, "..", "..");

function newestMtime(path: string, skip: (p: string) => boolean): number {
  if (!existsSync(path) || skip(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name), skip));
  return newest;
}

/**
 * Runs `npm run <script>` unless `output` is newer than every file under `inputs`
 * (paths relative to the repository). Returns whether it built.
 */
export function ensureBuilt(script: string, output: string, inputs: string[]): boolean {
  const out = join(ROOT, output);
  const skip = (p: string) => p.includes(`${sep}node_modules${sep}`) || p.endsWith(`${sep}dist`) || p.endsWith(`${sep}node_modules`);
  const newestInput = Math.max(...inputs.map((i) => newestMtime(join(ROOT, i), skip)));
  if (existsSync(out) && statSync(out).mtimeMs >= newestInput) return false;
  const r = spawnSync("npm", ["run", "--silent", script], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm run ${script} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return true;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

export interface StaticServer {
  readonly origin: string;
  /** Bytes sent per path (gzip-encoded when the browser asked for it), in request order. */
  readonly sent: { path: string; bytes: number; encoding: string }[];
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1 at a random port. */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const sent: StaticServer["sent"] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith("/")) rel += "index.html";
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir + sep) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      sent.push({ path: url.pathname, bytes: 9, encoding: "404" });
      return;
    }
    let body: Buffer = readFileSync(file);
    const headers: Record<string, string> = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" };
    let encoding = "identity";
    if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
      body = gzipSync(body, { level: 9 });
      headers["content-encoding"] = encoding = "gzip";
    }
    headers["content-length"] = String(body.length);
    res.writeHead(200, headers).end(body);
    sent.push({ path: url.pathname, bytes: body.length, encoding });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    sent,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
