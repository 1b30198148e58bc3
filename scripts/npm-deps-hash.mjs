#!/usr/bin/env node
// Developer tool (needs the npm registry and nix): computes package.nix's
// npmDepsHash for package-lock.json, without building anything.
//
//   node scripts/npm-deps-hash.mjs           prints the hash
//   node scripts/npm-deps-hash.mjs --write   also updates package.nix (npmDepsHash and
//                                            the package-lock.json digest above it)
//   node scripts/npm-deps-hash.mjs LOCKFILE  prints the hash of another lock file
//   --allow-unresolved                       leave out packages without a resolved URL, as
//                                            prefetch-npm-deps does (npm cannot install them
//                                            in the build)
//
// buildNpmPackage fetches the npm dependencies as a fixed-output derivation
// (fetchNpmDeps): nixpkgs' prefetch-npm-deps downloads every package of the lock
// file that has a `resolved` URL, all platforms' optional ones included, into an
// npm cache (cacache: content-v2/ by integrity, index-v5/ by request key) next
// to a copy of the lock file, and npmDepsHash is the NAR hash of that directory.
// The usual way to learn it is a build with a wrong hash ("got: sha256-…"); this
// makes the same directory (fetcher version 1, the default; its layout is in
// prefetch-npm-deps' cacache.rs and main.rs) and hashes it with `nix hash path`.
// Checked against the hashes nixpkgs' own tests of prefetch-npm-deps record
// (run with --allow-unresolved, as they are): `linkDependencies`, evcc 0.106.3's
// package-lock.json (1,434 tarballs), gives sha256-VzQhArHoznYSXUT7l9HkJV4yoSOmoP8eYTLel1QwmB4=
// and `emptyCache`, protobuf-es v1.2.1's, sha256-Cdv40lQjRszzJtJydZt25uYfcJVeJGwH54A+agdH9wI=.
// Unlike prefetch-npm-deps it also checks each download against its integrity.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = join(dirname(new URL(import.meta.url).pathname), "..");
const PACKAGE_NIX = join(ROOT, "package.nix");
const JOBS = 8;
/** prefetch-npm-deps' order of preference among a package's integrity hashes (others are an error). */
const ALGOS = ["sha1", "sha512"];

/** The packages prefetch-npm-deps caches: one per resolved URL, with its strongest hash. */
export function cachedPackages(lockText, { allowUnresolved = false } = {}) {
  const lock = JSON.parse(lockText);
  if (lock.lockfileVersion !== 2 && lock.lockfileVersion !== 3) {
    throw new Error(`lockfileVersion ${lock.lockfileVersion}: only 2 and 3 are handled here`);
  }
  const byUrl = new Map();
  const unresolved = [];
  for (const [key, p] of Object.entries(lock.packages ?? {})) {
    if (key === "" || p.link) continue;
    let url;
    try {
      url = new URL(p.resolved).href;
    } catch {
      if (key.startsWith("node_modules/") && !p.inBundle) unresolved.push(key);
      continue;
    }
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error(`${key}: ${p.resolved}: only registry tarballs are handled here`);
    const hashes = (p.integrity ?? "").split(/\s+/).filter(Boolean);
    if (hashes.length === 0) throw new Error(`${key}: no integrity`);
    const rank = (h) => {
      const i = ALGOS.indexOf(h.slice(0, h.indexOf("-")));
      if (i < 0) throw new Error(`${key}: unknown hash algorithm in ${h}`);
      return i;
    };
    const integrity = hashes.reduce((best, h) => (rank(h) > rank(best) ? h : best));
    const seen = byUrl.get(url);
    if (!seen || rank(integrity) > rank(seen.integrity)) byUrl.set(url, { key, url, integrity });
  }
  if (unresolved.length > 0 && !allowUnresolved) {
    // prefetch-npm-deps leaves them out, and npm then cannot install them offline in the build
    throw new Error(`${unresolved.length} packages have no resolved URL (${unresolved.slice(0, 3).join(", ")} …): write the lock file with omit-lockfile-registry-resolved=false (.npmrc)`);
  }
  return [...byUrl.values()];
}

async function download(url, integrity) {
  const [algo, expected] = [integrity.slice(0, integrity.indexOf("-")), integrity.slice(integrity.indexOf("-") + 1)];
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = Buffer.from(await res.arrayBuffer());
      const got = createHash(algo).update(data).digest("base64");
      if (got !== expected) throw new Error(`integrity mismatch: ${algo}-${got}, lock file says ${integrity}`);
      return data;
    } catch (e) {
      if (attempt === 3 || /integrity/.test(e.message)) throw new Error(`${url}: ${e.message}`);
    }
  }
}

const segments = (hex) => [hex.slice(0, 2), hex.slice(2, 4), hex.slice(4)];

/** Cache.put of prefetch-npm-deps' cacache.rs, for a tarball with its integrity. */
function put(cacheDir, pkg, data) {
  const [algo, b64] = [pkg.integrity.slice(0, pkg.integrity.indexOf("-")), pkg.integrity.slice(pkg.integrity.indexOf("-") + 1)];
  const content = join(cacheDir, "content-v2", algo, ...segments(Buffer.from(b64, "base64").toString("hex")));
  mkdirSync(dirname(content), { recursive: true });
  writeFileSync(content, data);
  const key = `make-fetch-happen:request-cache:${pkg.url}`;
  // serde_json of struct Key: these fields in this order, compact
  const json = JSON.stringify({ key, integrity: pkg.integrity, time: 0, size: data.length, metadata: { url: pkg.url, options: { compress: true } } });
  const index = join(cacheDir, "index-v5", ...segments(createHash("sha256").update(key).digest("hex")));
  mkdirSync(dirname(index), { recursive: true });
  // one entry per key: prefetch-npm-deps deduplicates by URL, so no file gets a second line
  writeFileSync(index, `${createHash("sha1").update(json).digest("hex")}\t${json}`);
}

export async function npmDepsHash(lockText, options) {
  const packages = cachedPackages(lockText, options);
  const out = mkdtempSync(join(tmpdir(), "nixgen-npm-deps-"));
  try {
    const cacheDir = join(out, "_cacache");
    mkdirSync(join(cacheDir, "content-v2"), { recursive: true });
    mkdirSync(join(cacheDir, "index-v5"), { recursive: true });
    const queue = [...packages];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) put(cacheDir, p, await download(p.url, p.integrity));
    };
    await Promise.all(Array.from({ length: JOBS }, worker));
    writeFileSync(join(out, "package-lock.json"), lockText);
    const r = spawnSync("nix", ["--extra-experimental-features", "nix-command", "hash", "path", "--type", "sha256", out], { encoding: "utf8" });
    if (r.error || r.status !== 0) throw new Error(`nix hash path failed: ${r.error?.message ?? r.stderr}`);
    return { hash: r.stdout.trim(), count: packages.length };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The digest package.nix records for the lock file its npmDepsHash was computed from. */
export const lockDigest = (lockText) => `sha256-${createHash("sha256").update(lockText).digest("base64")}`;

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const args = process.argv.slice(2);
  const write = args.includes("--write");
  const lockPath = args.find((a) => !a.startsWith("--")) ?? join(ROOT, "package-lock.json");
  const lockText = readFileSync(lockPath, "utf8");
  const { hash, count } = await npmDepsHash(lockText, { allowUnresolved: args.includes("--allow-unresolved") });
  process.stderr.write(`${count} tarballs\n`);
  process.stdout.write(`${hash}\n`);
  if (write) {
    const nix = readFileSync(PACKAGE_NIX, "utf8");
    const updated = nix
      .replace(/(npmDepsHash = ")sha256-[A-Za-z0-9+/=]+(";)/, `$1${hash}$2`)
      .replace(/(package-lock\.json )sha256-[A-Za-z0-9+/=]+/, `$1${lockDigest(lockText)}`);
    if (!updated.includes(hash) || !updated.includes(lockDigest(lockText))) throw new Error("package.nix: npmDepsHash or the lock digest line not found");
    writeFileSync(PACKAGE_NIX, updated);
  }
}
