#!/usr/bin/env node
// Developer tool, not CI: evaluates fixtures before and after migration against
// real nixpkgs with a real-nixpkgs evaluation kit and prints a Markdown table.
//
//   node scripts/realnix-fixtures.mjs --kit DIR [--parity] [fixture-name-substring …]
//   … --verify --nixpkgs PATH --nixos-generators PATH
//
// DIR holds `eval.sh OLD_DIR NEW_DIR`, which evaluates `packages.<system>.<name>`
// of two flake directories against the nixpkgs and nixos-generators source trees
// it was set up with (see the header of scripts/realnix-formats.mjs);
// REALNIX_KIT=DIR does the same as --kit.
// --verify: also runs `nixgen-migrate --verify` (the built bin, -j 1, offline) on
// the old project with --override-input nixpkgs/nixos-generators set to the two
// source trees (the same ones eval.sh uses: a checkout, the store path that
// `nix flake prefetch github:NixOS/nixpkgs/<rev>` prints, …), and prints what each
// says per output and whether they agree.
//
// Relative module paths a fixture names but does not contain are created as a
// small configuration (host name, a user, stateVersion), so the images evaluate.
// Fixtures with inputs other than nixpkgs and nixos-generators are skipped
// (eval.sh supports only those two).
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { init, migrateFiles } from "../dist/bundle/index.js";

const here = dirname(new URL(import.meta.url).pathname);
const { values, positionals } = parseArgs({
  options: { kit: { type: "string" }, parity: { type: "boolean" }, verify: { type: "boolean" }, nixpkgs: { type: "string" }, "nixos-generators": { type: "string" } },
  allowPositionals: true,
});
const kit = values.kit ?? process.env.REALNIX_KIT;
const usage = "usage: node scripts/realnix-fixtures.mjs --kit DIR [--parity] [--verify --nixpkgs PATH --nixos-generators PATH] [fixture-name-substring …] (DIR holds eval.sh)";
if (!kit || !existsSync(join(kit, "eval.sh")) || (values.verify && (!values.nixpkgs || !values["nixos-generators"]))) {
  console.error(usage);
  process.exit(2);
}
const evalSh = join(kit, "eval.sh");
const parity = !!values.parity;
const withVerify = !!values.verify;
const bin = join(here, "..", "bin", "nixgen-migrate.cjs");
const filters = positionals;

// no networking.hostName: cloud image modules set it themselves (mkDefault "")
const BASE_MODULE = `{ lib, ... }: {
  users.users.admin = { isNormalUser = true; extraGroups = [ "wheel" ]; initialPassword = "admin"; };
  system.stateVersion = "25.05";
}
`;

/** fixtures/<pass>/<case>: the input project, its primary files and options (as test/helpers/fixtures.ts reads them). */
function loadFixtures() {
  const root = join(here, "..", "fixtures");
  const out = [];
  for (const pass of readdirSync(root).sort()) {
    for (const c of readdirSync(join(root, pass)).sort()) {
      const dir = join(root, pass, c);
      const options = existsSync(join(dir, "options.json")) ? JSON.parse(readFileSync(join(dir, "options.json"), "utf8")) : {};
      const inputs = new Map();
      if (existsSync(join(dir, "input"))) {
        const walk = (d) => {
          for (const n of readdirSync(d)) {
            const p = join(d, n);
            if (statSync(p).isDirectory()) walk(p);
            else inputs.set(relative(join(dir, "input"), p), readFileSync(p, "utf8"));
          }
        };
        walk(join(dir, "input"));
        out.push({ name: `${pass}/${c}`, inputs, primary: options.primary ?? ["flake.nix"], options });
      } else if (existsSync(join(dir, "input.nix")) && !options.path) {
        inputs.set("flake.nix", readFileSync(join(dir, "input.nix"), "utf8"));
        out.push({ name: `${pass}/${c}`, inputs, primary: ["flake.nix"], options });
      }
    }
  }
  return out;
}

function writeProject(dir, files) {
  for (const [p, text] of files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  // module paths the flake names but the fixture does not ship
  for (const [p, text] of files) {
    if (!p.endsWith(".nix")) continue;
    for (const m of text.matchAll(/(?<![\w"])(\.\.?\/[\w./-]+)/g)) {
      const target = join(dirname(join(dir, p)), m[1]);
      if (existsSync(target) || !target.startsWith(dir)) continue;
      const file = target.endsWith(".nix") ? target : join(target, "default.nix");
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, BASE_MODULE);
    }
  }
}

await init();
const rows = [];
for (const fx of loadFixtures()) {
  if (!fx.inputs.has("flake.nix") || !/\boutputs\b/.test(fx.inputs.get("flake.nix"))) continue;
  if (filters.length && !filters.some((f) => fx.name.includes(f))) continue;
  const root = mkdtempSync(join(tmpdir(), "nixgen-realnix-"));
  writeFileSync(join(root, "probe.nix"), fx.inputs.get("flake.nix"));
  const probe = spawnSync("nix-instantiate", ["--eval", "--json", "--strict", "-E", `builtins.attrNames ((import ${join(root, "probe.nix")}).inputs or { })`], { encoding: "utf8" });
  const inputs = probe.status === 0 ? JSON.parse(probe.stdout) : [];
  const other = inputs.filter((i) => !["nixpkgs", "nixos-generators"].includes(i));
  if (other.length) {
    rmSync(root, { recursive: true, force: true });
    rows.push({ name: fx.name, output: "-", note: `skipped: inputs ${[...new Set(other)].join(", ")}` });
    continue;
  }
  // the same host as test/helpers/fixtures.ts: directories are the folders of the fixture's files
  const dirs = new Set([...fx.inputs.keys()].flatMap((p) => p.split("/").slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join("/"))));
  const norm = (p) => p.replace(/^\.\//, "").replace(/\/$/, "");
  const host = { read: (p) => fx.inputs.get(norm(p)), isDirectory: (p) => dirs.has(norm(p)), inside: (p) => !p.startsWith("../") && !p.startsWith("/") };
  const result = migrateFiles(fx.primary, host, { ...fx.options, parity: parity || fx.options.parity });
  const after = new Map(fx.inputs);
  for (const f of result.files) if (f.changed) after.set(f.path, f.after);
  // a fixture's flake.lock may be a stub with made-up hashes, which Nix refuses; eval.sh ignores locks
  for (const files of [fx.inputs, after]) if (files.has("flake.lock") && !validLock(files.get("flake.lock"))) files.delete("flake.lock");
  writeProject(join(root, "old"), fx.inputs);
  writeProject(join(root, "new"), after);
  const changed = result.files.some((f) => f.changed);
  const verified = withVerify ? (changed ? runVerify(join(root, "old"), fx) : { verify: "unchanged", seconds: 0 }) : null;
  const r = spawnSync(evalSh, [join(root, "old"), join(root, "new")], { encoding: "utf8", env: { ...process.env, REALEVAL_DRVDIFF: "0" }, timeout: 3_600_000 });
  const lines = r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  for (const l of lines) {
    if (!l.compare) continue;
    const newSide = lines.find((x) => x.side === "new" && x.output === l.compare);
    rows.push({
      name: fx.name,
      output: l.compare.replace(/^packages\./, ""),
      old: l.old_ok,
      new: l.new_ok,
      system: l.toplevel_equal,
      image: l.image_drv_equal,
      note: l.new_ok ? Object.keys(l.probe_diff ?? {}).join(", ") : (newSide?.error ?? "").slice(0, 120),
      ...(verified ? { verify: verifySays(verified, l.compare), evalSh: evalShSays(l), verifySeconds: verified.seconds } : {}),
    });
  }
  if (!lines.some((l) => l.compare)) rows.push({ name: fx.name, output: "-", note: (r.stderr || r.stdout).split("\n").find((x) => x.includes("error")) ?? "no packages" });
  rmSync(root, { recursive: true, force: true });
  const last = rows[rows.length - 1];
  process.stderr.write(`${fx.name}: ${last.output} new_ok=${last.new} image_equal=${last.image}${withVerify ? ` verify=${last.verify} eval.sh=${last.evalSh}` : ""}\n`);
}
if (withVerify) {
  console.log(`| fixture | output | --verify says | eval.sh says | agree? | verify time |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const r of rows) {
    if (r.verify === undefined) console.log(`| ${r.name} | ${r.output} | | | | ${r.note ?? ""} |`);
    else console.log(`| ${r.name} | ${r.output} | ${r.verify} | ${r.evalSh} | ${agree(r) ? "yes" : "**no**"} | ${r.verifySeconds.toFixed(0)} s |`);
  }
  process.exit(0);
}
const yes = (b) => (b === undefined ? "" : b ? "yes" : "**no**");
console.log(`| fixture | output | old evaluates | new evaluates | system identical | image identical | notes |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.name} | ${r.output} | ${yes(r.old)} | ${yes(r.new)} | ${yes(r.system)} | ${yes(r.image)} | ${r.note ?? ""} |`);

/** The two source trees as --override-input flags. */
function overrides() {
  const nixpkgs = `path:${values.nixpkgs}`;
  // nixos-generators' own inputs (nixlib, and nixpkgs where the flake does not make it follow) are locked to GitHub
  return ["--override-input", "nixpkgs", nixpkgs, "--override-input", "nixos-generators", `path:${values["nixos-generators"]}`, "--override-input", "nixos-generators/nixlib", nixpkgs, "--override-input", "nixos-generators/nixpkgs", nixpkgs];
}

/** `nixgen-migrate --verify` (a dry run) on the old project, with the fixture's options. */
function runVerify(dir, fx) {
  const flags = [...(fx.options.host ? ["--host", fx.options.host] : []), ...(parity || fx.options.parity ? ["--parity"] : []), ...(fx.options.allowOldNixpkgs ? ["--allow-old-nixpkgs"] : [])];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, "--verify", "-j", "1", "--offline", ...overrides(), "--format", "json", ...flags, ...fx.primary], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t0) / 1000;
  let verify = null;
  try {
    verify = JSON.parse(r.stdout).find((f) => f.path === "flake.nix")?.verify ?? null;
  } catch {
    verify = { status: "error", error: (r.stderr || r.stdout).split("\n")[0], outputs: [] };
  }
  return { verify, seconds };
}

/** Do the two say the same? An output --verify leaves alone must be the same on both sides for eval.sh. */
function agree(r) {
  if (r.verify === r.evalSh) return true;
  const untouched = r.verify === "nothing changed, not run" || r.verify === "untouched, not compared";
  return untouched && (r.evalSh === "identical" || r.evalSh === "before fails, after fails");
}

/** Does every locked narHash look like a real one (a SHA-256 SRI hash)? */
function validLock(text) {
  try {
    return Object.values(JSON.parse(text).nodes ?? {}).every((n) => !n.locked?.narHash || /^sha256-[A-Za-z0-9+/]{43}=$/.test(n.locked.narHash));
  } catch {
    return false;
  }
}

/** What --verify says of one package output: fails, identical, or differs (and the system). */
function verifySays({ verify }, output) {
  // the migration changed no file: nothing to verify, and both sides are the same project
  if (verify === "unchanged") return "nothing changed, not run";
  if (!verify) return "not verified";
  if (verify.status === "error") return `error: ${verify.error.slice(0, 100)}`;
  // --verify writes a name that is not an identifier quoted, as Nix does (`packages.x86_64-linux."qcow-é"`)
  const o = verify.outputs.find((x) => x.output.replace(/"/g, "") === output);
  // --verify compares only the outputs the migration touched
  if (!o) return "untouched, not compared";
  if (o.after.state !== "ok") return o.before.state === "ok" ? "fails" : `before ${o.before.state}, after ${o.after.state}`;
  if (o.before.state !== "ok") return `before ${o.before.state}, after ok`;
  return o.image === "identical" ? "identical" : `differs (system ${o.system})`;
}

/** The same words for eval.sh's comparison line. */
function evalShSays(l) {
  if (!l.new_ok) return l.old_ok ? "fails" : "before fails, after fails";
  if (!l.old_ok) return "before fails, after ok";
  return l.image_drv_equal ? "identical" : `differs (system ${l.toplevel_equal ? "identical" : "differs"})`;
}
