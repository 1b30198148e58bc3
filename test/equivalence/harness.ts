// Evaluation-equivalence harness: evaluates a flake before and after
// migration against the stubs in ./stubs (nixpkgs, nixos-generators,
// flake-utils, flake-parts, systems) and compares the outputs one by one.
//
//  * every input of the flake is overridden with the stub its URL (or, without
//    a URL, its name) points to, so inputs named `generators` or
//    `nixpkgs-unstable` work; nixos-generators' own nixpkgs is overridden too;
//  * ONE `nix eval` per side walks all outputs (walk.nix, with norm.nix);
//  * an image is a record of what was evaluated (system, specialArgs, pkgs,
//    every option definition of every module, opaque imports, files); a
//    nixosGenerate / all-formats image of format F must become
//    `system.build.images.<FORMATS[F].variant>` with the same record, plus the
//    image modules the migration adds on purpose (FORMATS' variantModule, and
//    parityModule with --parity); every other output must stay equal.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { customVariantName } from "../../src/nix/custom-format.js";
import { FORMATS, VARIANTS, lookupFormat } from "../../src/formats.js";

export const STUBS_DIR = join(import.meta.dirname, "stubs");
interface Rename {
  from: string;
  to: string;
  variants: string[];
}
const IMAGE_OPTIONS = JSON.parse(readFileSync(join(STUBS_DIR, "nixpkgs", "image-options.json"), "utf8")) as {
  variantOptions: Record<string, string[]>;
  fileOptions: string[];
  nowhere: string[];
  renamed: { entries: Rename[]; meant: Rename[] };
  generatorsOptions: Record<string, string[]>;
  nixpkgsModules: Record<string, string>;
  variantImports: Record<string, string[]>;
  formats: Record<string, { formatAttr: string; imports: string[] }>;
};
const NORM = readFileSync(join(STUBS_DIR, "nixpkgs", "lib", "norm.nix"), "utf8");
const WALK = readFileSync(join(import.meta.dirname, "walk.nix"), "utf8");
const NIX_ENV = { ...process.env, GC_DONT_GC: "1", NIX_REMOTE: "" };
const FLAKES = ["--extra-experimental-features", "nix-command flakes"];

export type Files = ReadonlyMap<string, string>;

// ------------------------------------------------------------------ nix

let nixChecked: string | null | undefined;

/** Throws with a clear message when nix (Debian's nix-bin) cannot evaluate flakes here. */
export function requireNixFlakes(): void {
  if (nixChecked === undefined) {
    const r = spawnSync("nix", [...FLAKES, "eval", "--json", "--expr", "1 + 1"], { encoding: "utf8", env: NIX_ENV });
    nixChecked = r.error ? `nix is not installed (${r.error.message})` : r.status !== 0 ? `nix eval fails: ${r.stderr.trim()}` : null;
  }
  if (nixChecked) {
    throw new Error(`equivalence tests need nix with flakes: ${nixChecked}. Install Debian's nix-bin (apt-get install -y nix-bin); .ci/run does this`);
  }
}

function run(cmd: string, args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env: NIX_ENV });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    p.on("error", (e) => resolve({ code: 1, stdout, stderr: stderr + e.message }));
  });
}

/** Nix's error without the lock-file chatter. */
function nixError(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => !/^(warning: not writing modified lock file|• |    '|    follows)/.test(l));
  const i = lines.findIndex((l) => l.startsWith("error"));
  return (i >= 0 ? lines.slice(i) : lines).join("\n").trim();
}

// ------------------------------------------------------------------ inputs

export interface InputInfo {
  name: string;
  url: string | null;
  follows: string | null;
  flake: boolean;
}

const STUB_BY_URL: [RegExp, string][] = [
  [/nixos-generators/, "nixos-generators"],
  [/flake-utils/, "flake-utils"],
  [/flake-parts/, "flake-parts"],
  [/nix-systems|(^|[:/])systems([/?#]|$)/, "systems"],
  [/(^|[:/])disko([/?#]|$)/, "disko"],
  [/nixpkgs|nixos-\d\d\.\d\d|nixos-unstable/, "nixpkgs"],
];

/** The stub an input gets: by URL, else by name; null when none fits. */
export function stubFor(input: { name: string; url: string | null }): string | null {
  for (const key of [input.url, input.name]) {
    if (!key) continue;
    for (const [re, stub] of STUB_BY_URL) if (re.test(key)) return stub;
    if (input.url) break; // a URL that matches nothing: do not guess from the name
  }
  return null;
}

/** The flake's inputs and outputs formals, read by evaluating flake.nix itself. */
async function flakeInputs(dir: string): Promise<{ inputs: InputInfo[]; formals: string[] }> {
  const expr = `let f = import ${join(dir, "flake.nix")}; in {
    inputs = builtins.mapAttrs (n: v: {
      url = if v ? url then v.url else if v ? owner && v ? repo then "\${v.type or "github"}:\${v.owner}/\${v.repo}" else null;
      follows = v.follows or null;
      flake = v.flake or true;
    }) (f.inputs or { });
    formals = builtins.attrNames (builtins.functionArgs f.outputs);
  }`;
  const r = await run("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr]);
  if (r.code !== 0) throw new Error(`cannot read the inputs of ${dir}/flake.nix: ${nixError(r.stderr)}`);
  const j = JSON.parse(r.stdout) as { inputs: Record<string, Omit<InputInfo, "name">>; formals: string[] };
  return { inputs: Object.entries(j.inputs).map(([name, v]) => ({ name, ...v })), formals: j.formals };
}

/** The nixpkgs release a URL pins (`nixos-24.11`, `nixpkgs-25.05`, `release-24.05`), null for unstable/master. */
export function releaseOf(url: string | null): string | null {
  const m = url ? /(?:nixos|nixpkgs|release)-(\d\d\.\d\d)(?:[-/?#&]|$)/.exec(url) : null;
  return m ? m[1]! : null;
}

const releaseStubs = new Map<string, string>();
let releaseRoot: string | null = null;

/**
 * The nixpkgs stub standing for a release: a copy of stubs/nixpkgs with release.json (made once per
 * process). `lenient`: a copy without the module-system check (repairs only, see checkEquivalence).
 */
function nixpkgsStub(url: string | null, releases: boolean, lenient = false): string {
  const release = releases ? releaseOf(url) : null;
  if (!release && !lenient) return join(STUBS_DIR, "nixpkgs");
  const key = `${release ?? "unstable"}${lenient ? "-lenient" : ""}`;
  let dir = releaseStubs.get(key);
  if (!dir) {
    if (!releaseRoot) {
      releaseRoot = mkdtempSync(join(tmpdir(), "nixgen-eq-stubs-"));
      const root = releaseRoot;
      process.on("exit", () => rmSync(root, { recursive: true, force: true }));
    }
    dir = join(releaseRoot, `nixpkgs-${key}`);
    cpSync(join(STUBS_DIR, "nixpkgs"), dir, { recursive: true });
    writeFileSync(join(dir, "release.json"), JSON.stringify({ ...(release ? { release } : {}), ...(lenient ? { lenient } : {}) }) + "\n");
    releaseStubs.set(key, dir);
  }
  return dir;
}

/**
 * `--override-input` arguments for every input of the flake (and
 * nixos-generators' own nixpkgs); `prefix` is the flake's input name in the
 * wrapper flake (`target/`).
 */
export async function overridesFor(dir: string, emptyDir: string, prefix = "", releases = true, lenient = false): Promise<string[]> {
  const { inputs, formals } = await flakeInputs(dir);
  const args: string[] = [];
  const add = (name: string, stub: string) => args.push("--override-input", prefix + name, `path:${stub}`);
  const seen = new Set<string>();
  for (const i of inputs) {
    seen.add(i.name);
    if (i.follows !== null) continue;
    if (!i.flake) {
      add(i.name, emptyDir);
      continue;
    }
    const stub = stubFor(i);
    if (!stub) throw new Error(`no stub for input \`${i.name}\` (${i.url ?? "no url"}): add one under test/equivalence/stubs or extend stubFor()`);
    add(i.name, stub === "nixpkgs" ? nixpkgsStub(i.url, releases, lenient) : join(STUBS_DIR, stub));
    // nixos-generators' own nixpkgs is nixpkgs-unstable (docs/upstream.md §A)
    if (stub === "nixos-generators") add(`${i.name}/nixpkgs`, nixpkgsStub(null, releases, lenient));
  }
  // inputs used only as outputs formals resolve through the registry: pin them too
  for (const f of formals) {
    if (f === "self" || seen.has(f)) continue;
    const stub = stubFor({ name: f, url: null });
    if (stub) add(f, stub === "nixpkgs" ? nixpkgsStub(null, releases, lenient) : join(STUBS_DIR, stub));
  }
  return args;
}

// ------------------------------------------------------------------ evaluation

export interface EvalOptions {
  /** Stand in for the nixpkgs release an input URL pins (default); false: every nixpkgs is unstable (--allow-old-nixpkgs). */
  releases?: boolean;
  /** Evaluate without the stub's module-system check (a broken input the migration repairs). */
  lenient?: boolean;
}

export type EvalResult = { ok: true; outputs: unknown; ms: number } | { ok: false; error: string; ms: number };

function writeProject(dir: string, files: Files) {
  for (const [path, text] of files) {
    if (path === "flake.lock") continue; // every input is overridden; a lock only pins real sources
    const p = join(dir, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

/**
 * Writes the project to a temp dir and evaluates all its outputs with ONE
 * nix eval. A wrapper flake takes the project as its input `target` and
 * exposes the walked outputs as `result` (`path:dir#""` would pick
 * packages.<system> first).
 */
export async function evaluateProject(files: Files, options: EvalOptions = {}): Promise<EvalResult> {
  const t0 = Date.now();
  const root = mkdtempSync(join(tmpdir(), "nixgen-eq-"));
  try {
    const dir = join(root, "flake");
    const empty = join(root, "empty");
    const wrapper = join(root, "wrapper");
    for (const d of [dir, empty, wrapper]) mkdirSync(d);
    writeFileSync(join(empty, "README"), "empty non-flake input\n");
    writeProject(dir, files);
    writeFileSync(join(wrapper, "flake.nix"), `{
  inputs.target.url = ${JSON.stringify("path:" + dir)};
  outputs = { self, target }: { result = (${WALK}) (${NORM}) target.outputs; };
}
`);
    let overrides: string[];
    try {
      overrides = await overridesFor(dir, empty, "target/", options.releases ?? true, options.lenient ?? false);
    } catch (e) {
      return { ok: false, error: (e as Error).message, ms: Date.now() - t0 };
    }
    const r = await run("nix", [...FLAKES, "eval", "--json", "--offline", "--no-write-lock-file", ...overrides, `path:${wrapper}#result`]);
    if (r.code !== 0) return { ok: false, error: nixError(r.stderr), ms: Date.now() - t0 };
    return { ok: true, outputs: JSON.parse(r.stdout), ms: Date.now() - t0 };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ records

export interface Def {
  path: string;
  value: unknown;
  prio: number;
  conds: unknown[];
  order: number | null;
}

export interface ImageRecord {
  kind: "format" | "image" | "configuration";
  format?: string;
  variant?: string;
  system: string | null;
  hasPkgs: boolean;
  hasLib: boolean;
  pkgs: unknown;
  specialArgs: unknown;
  modules: unknown[];
  defs: Def[];
  opaque: string[];
  files: string[];
  tags: string[];
  nixpkgsModules: string[];
  imageModules: string[];
  /** Image records: path modules given as image.modules.<variant> or in its top-level `imports`. */
  deferredPaths?: string[];
}

interface NixosLeaf {
  toplevel: ImageRecord;
  images: string[] | null;
  imageRecords: Record<string, ImageRecord>;
  formats: string[] | null;
}

type Leaf = unknown;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Output path -> leaf (image records and NixOS configurations are leaves). */
export function flattenOutputs(v: unknown, prefix = "", out = new Map<string, Leaf>()): Map<string, Leaf> {
  if (isObj(v) && !("__record" in v) && !("__nixos" in v) && !Object.keys(v).some((k) => k.startsWith("__")) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) flattenOutputs(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, v);
  return out;
}

const canon = (v: unknown): string => JSON.stringify(sortKeys(v));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** Removes the nixos-generators input wherever flake inputs are passed on (specialArgs = { inherit inputs; }). */
function withoutGenerators(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutGenerators);
  if (isObj(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!(isObj(x) && x.__flake === "nixos-generators")) out[k] = withoutGenerators(x);
    return out;
  }
  return v;
}

const defKey = (d: Def) => canon(d);

function multisetDiff(expected: string[], actual: string[]): { missing: string[]; extra: string[] } {
  const count = new Map<string, number>();
  for (const e of expected) count.set(e, (count.get(e) ?? 0) + 1);
  const extra: string[] = [];
  for (const a of actual) {
    const n = count.get(a) ?? 0;
    if (n > 0) count.set(a, n - 1);
    else extra.push(a);
  }
  const missing = [...count].flatMap(([k, n]) => Array(n).fill(k) as string[]);
  return { missing, extra };
}

// ------------------------------------------------------------------ expected additions

export interface Extras {
  defs: Def[];
  opaque: string[];
  /** nixpkgs image modules the extra module imports (lxc-container.nix for lxc-metadata …). */
  nixpkgsModules: string[];
}

const extrasCache = new Map<string, Promise<Map<string, Extras>>>();

/**
 * What the migration adds on purpose to `image.modules.<variant>` for each
 * format (FORMATS' variantModule and forcedModule, plus parityModule with --parity), as the
 * nixpkgs stub records it: evaluated once per parity setting.
 */
/** formatExtras' key: the format, the system, and whether it is built as its off-x86_64 variant. */
function extrasKey(format: string, system: string, offX86: boolean): string {
  return `${format}${offX86 ? "!notX86" : ""}@${system === "aarch64-linux" ? "aarch64-linux" : "x86_64-linux"}`;
}

export function formatExtras(parity: boolean): Promise<Map<string, Extras>> {
  const key = String(parity);
  let p = extrasCache.get(key);
  if (!p) {
    p = (async () => {
      const entries: string[] = [];
      const entry = (key: string, system: string, variant: string, modules: (string | undefined)[]) => {
        const mods = modules.filter((m): m is string => !!m);
        if (!mods.length) return;
        const list = mods.map((m) => `(${m})`).join(" ");
        entries.push(`${JSON.stringify(key)} = let c = lib.nixosSystem { system = ${JSON.stringify(system)}; modules = [ { image.modules.${JSON.stringify(variant)} = { imports = [ ${list} ]; }; } ]; }; d = c.config.system.build.images.${JSON.stringify(variant)}.data; in { inherit (d) defs opaque nixpkgsModules; };`);
      };
      // per system: a parity module may depend on the platform (qcow-efi's serial consoles)
      for (const system of ["x86_64-linux", "aarch64-linux"]) {
        for (const f of FORMATS) {
          if (!f.variant) continue;
          entry(extrasKey(f.format, system, false), system, f.variant, [f.variantModule, f.forcedModule, parity ? f.parityModule : undefined]);
          const base = f.notX86 ? lookupFormat(f.notX86) : undefined;
          // a format that builds another variant off x86_64 (qcow: qemu-efi) with its own parity module there
          if (base?.variant) entry(extrasKey(f.format, system, true), system, base.variant, [base.variantModule, base.forcedModule, parity ? (f.parityModuleNotX86 ?? base.parityModule) : undefined]);
        }
      }
      const expr = `let lib = import ${join(STUBS_DIR, "nixpkgs", "lib")} { }; in { ${entries.join("\n")} }`;
      const r = await run("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr]);
      if (r.code !== 0) throw new Error(`cannot evaluate FORMATS' image modules with the stub: ${nixError(r.stderr)}`);
      return new Map(Object.entries(JSON.parse(r.stdout) as Record<string, Extras>));
    })();
    extrasCache.set(key, p);
  }
  return p;
}

// ------------------------------------------------------------------ comparison

const variantOnlyPrefixes = [
  ...Object.values(IMAGE_OPTIONS.variantOptions).flat(),
  ...IMAGE_OPTIONS.fileOptions,
  ...IMAGE_OPTIONS.nowhere,
  ...Object.values(IMAGE_OPTIONS.generatorsOptions).flat(),
];
const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix + ".");
const isVariantOnly = (path: string) => variantOnlyPrefixes.some((p) => under(path, p));

/** The variant a nixpkgs module reference stands for (its path ends with a key of nixpkgsModules), as the stub sees it. */
function moduleVariant(ref: string): string | null {
  for (const [suffix, v] of Object.entries(IMAGE_OPTIONS.nixpkgsModules)) if (ref === suffix || ref.endsWith("/" + suffix)) return v;
  return null;
}

/** The variants whose image modules a record's configuration had: its nixos-generators format's, the nixpkgs image modules it imported, its own. */
function variantsOf(r: ImageRecord): string[] {
  const refs = [...(r.format ? (IMAGE_OPTIONS.formats[r.format]?.imports ?? []) : []), ...r.nixpkgsModules];
  const vs = refs.map(moduleVariant).filter((v): v is string => !!v);
  return [...new Set([...(r.kind === "image" && r.variant ? [r.variant] : []), ...vs])];
}

/** pkgs.targetPlatform.qemuArch, which picks sd-image-<arch>.nix for images.sd-card. */
const qemuArch = (system: string | null) => {
  const cpu = (system ?? "").split("-")[0]!;
  return /^armv/.test(cpu) ? "arm" : /^i.86$/.test(cpu) ? "i386" : cpu;
};

/** Does variant `v` declare `path` (a variant-only path of its own, or a file option)? */
const variantDeclares = (v: string, path: string) =>
  (IMAGE_OPTIONS.variantOptions[v] ?? []).some((p) => under(path, p)) || IMAGE_OPTIONS.fileOptions.some((p) => under(path, p));

/**
 * The definitions a before image should have after migration to images.<variant>.
 *  - Renamed options (image-options.json `renamed.entries`): a definition of `from` in a
 *    configuration whose image module declares the alias IS a definition of `to` (mkRenamedOptionModule
 *    forwards every definition of `from` to `to` with its priority, lib/modules.nix
 *    mkAliasAndWrapDefsWithPriority), so it is compared as `to` — but only when the image module of
 *    the before configuration and the after variant both declare that alias; a rename the tool makes
 *    anywhere else still shows up as lost + added.
 *  - repair (a broken input, evaluated leniently): names that exist nowhere now are compared as what
 *    they meant until 24.11 (`renamed.meant`: virtualbox.vmFileName was the OVA's file name, now
 *    image.fileName), and an image-only definition the variant does not declare is dropped: the user
 *    wrote it into the base for another variant (isoImage.* is not meant for images.qemu), and it
 *    could not be part of this image in any nixpkgs.
 */
function expectedDefs(defs: Def[], beforeVariants: string[], variant: string, repair: boolean): Def[] {
  const out: Def[] = [];
  for (const d of defs) {
    const alias = IMAGE_OPTIONS.renamed.entries.find((e) => under(d.path, e.from) && e.variants.includes(variant) && e.variants.some((v) => beforeVariants.includes(v)))
      ?? (repair ? IMAGE_OPTIONS.renamed.meant.find((e) => under(d.path, e.from) && e.variants.includes(variant)) : undefined);
    const path = alias ? alias.to + d.path.slice(alias.from.length) : d.path;
    if (repair && isVariantOnly(path) && !variantDeclares(variant, path)) continue;
    out.push(path === d.path ? d : { ...d, path });
  }
  return out;
}

function compareCommon(at: string, b: ImageRecord, a: ImageRecord, problems: string[]) {
  const same = (what: string, x: unknown, y: unknown) => {
    if (canon(x) !== canon(y)) problems.push(`${at}: ${what} differs: before ${canon(x)}, after ${canon(y)}`);
  };
  same("system", b.system, a.system);
  same("pkgs", b.pkgs, a.pkgs);
  same("hasPkgs", b.hasPkgs, a.hasPkgs);
  same("hasLib", b.hasLib, a.hasLib);
  same("specialArgs", withoutGenerators(b.specialArgs), withoutGenerators(a.specialArgs));
  same("module files", b.files, a.files);
  // A path module the migration moved into image.modules.<variant> (or its `imports`) is still a module of
  // the image: images.<v> is the base extended with that deferred module (images.nix extendModules).
  // Only image records have deferred paths, so a base configuration that lost one still differs.
  const paths = (r: ImageRecord) => [...r.modules.filter((m): m is string => typeof m === "string"), ...(r.deferredPaths ?? [])].sort();
  same("path modules", paths(b), paths(a));
}

function compareDefs(at: string, expected: Def[], actual: Def[], problems: string[]) {
  const { missing, extra } = multisetDiff(expected.map(defKey), actual.map(defKey));
  for (const m of missing) problems.push(`${at}: definition lost: ${m}`);
  for (const e of extra) problems.push(`${at}: definition added: ${e}`);
}

function compareSets(at: string, what: string, expected: string[], actual: string[], problems: string[]) {
  const { missing, extra } = multisetDiff([...new Set(expected)].sort(), [...new Set(actual)].sort());
  for (const m of missing) problems.push(`${at}: ${what} lost: ${m}`);
  for (const e of extra) problems.push(`${at}: ${what} added: ${e}`);
}

/**
 * A nixos-generators image (before) against what replaced it (after). `repair`: the before side is a
 * broken input evaluated leniently, and may be an image already (a hand migration the tool repairs).
 */
export function compareImage(at: string, b: ImageRecord, a: ImageRecord, extras: Map<string, Extras>, problems: string[], repair = false) {
  const named = b.format ? lookupFormat(b.format) : undefined;
  // a format that builds another variant off x86_64-linux (FORMATS' notX86: qcow -> qemu-efi) is that format there
  const offX86 = named?.notX86 && b.system !== null && b.system !== "x86_64-linux" ? named.notX86 : undefined;
  const info = offX86 ? lookupFormat(offX86) : named;
  if (b.kind === "image") {
    if (a.kind !== "image" || a.variant !== b.variant) {
      problems.push(`${at}: images.${b.variant} became ${a.kind === "image" ? `images.${a.variant}` : `a ${a.kind} record`}`);
      return;
    }
    compareCommon(at, b, a, problems);
    compareDefs(at, expectedDefs(b.defs, variantsOf(b), a.variant!, repair), a.defs, problems);
    compareSets(at, "opaque import", b.opaque, a.opaque, problems);
    compareSets(at, "stub module", b.tags, a.tags, problems);
    compareSets(at, "nixpkgs image module import", b.nixpkgsModules, withStockImports(a, b.nixpkgsModules), problems);
    return;
  }
  if (a.kind === "format") {
    // left as it was (a format without a variant, or a call the tool refused)
    if (canon(b) !== canon(a)) problems.push(`${at}: the nixos-generators image changed although it was not migrated`);
    return;
  }
  if (a.kind !== "image") {
    problems.push(`${at}: expected an image, got a ${a.kind} record`);
    return;
  }
  // a custom format becomes image.modules.<name> (or <name>-custom when a stock variant has the name),
  // with `formatAttr`/`fileExtension` replaced by `system.build.image`
  const custom = !!b.format && a.variant === customVariantName(b.format) && (!info || info.variant !== a.variant);
  if (!custom) {
    if (!info) problems.push(`${at}: format ${b.format} is not in FORMATS, yet it was migrated to ${a.variant}`);
    else if (info.variant !== a.variant) problems.push(`${at}: format ${b.format} should map to images.${info.variant}, got images.${a.variant}`);
  }
  compareCommon(at, b, a, problems);
  const add = (!custom && b.format && extras.get(extrasKey(b.format, b.system ?? "x86_64-linux", !!offX86))) || { defs: [], opaque: [], nixpkgsModules: [] };
  const formatOptions = (d: Def) => !custom || !["formatAttr", "fileExtension"].includes(d.path);
  const builder = (d: Def) => !custom || !(d.path === "system.build.image" || d.path.startsWith("system.build.image."));
  compareDefs(at, [...expectedDefs(b.defs.filter(formatOptions), variantsOf(b), a.variant!, repair), ...add.defs], a.defs.filter(builder), problems);
  compareSets(at, "opaque import", [...b.opaque, ...add.opaque], a.opaque, problems);
  // nixos-generators' format module goes, all-formats may go; any other (a format module the user imported) stays
  const tags = (r: ImageRecord, drop: string[]) => r.tags.filter((t) => !drop.includes(t));
  // (a custom format had nixos-generators' format-module.nix: it goes too)
  compareSets(at, "stub module", tags(b, [`format:${b.format}`, "all-formats", ...(custom ? ["format-module"] : [])]), tags(a, ["all-formats"]), problems);
  compareSets(at, "nixpkgs image module import", [...b.nixpkgsModules, ...add.nixpkgsModules], withStockImports(a, [...b.nixpkgsModules, ...add.nixpkgsModules]), problems);
}

/**
 * The after image's nixpkgs module imports, plus those of `expected` that images.<variant>'s stock
 * module imports itself (image-options.json `variantImports`, read in nixpkgs): the migration
 * removes a user's direct `proxmox-image.nix` import (it would switch system.build.images off in the
 * base, docs/upstream.md §E, the `system.build ? image` guard), and the image still has that module. Only modules the stock variant really
 * imports count, so an installer profile (installation-cd-minimal.nix) dropped from an iso image is
 * still reported lost.
 */
function withStockImports(a: ImageRecord, expected: string[]): string[] {
  const stock = (IMAGE_OPTIONS.variantImports[a.variant ?? ""] ?? []).map((m) => m.replace("{arch}", qemuArch(a.system)));
  const byStock = expected.filter((m) => !a.nixpkgsModules.includes(m) && stock.some((s) => m === s || m.endsWith("/" + s)));
  return [...a.nixpkgsModules, ...new Set(byStock)];
}

/** A nixosConfiguration that existed before: same base configuration, minus image-only definitions and image module imports. */
function compareNixos(at: string, b: NixosLeaf, a: NixosLeaf, problems: string[]) {
  compareCommon(`${at} (toplevel)`, b.toplevel, a.toplevel, problems);
  const keep = (d: Def) => !isVariantOnly(d.path);
  compareDefs(`${at} (toplevel)`, b.toplevel.defs.filter(keep), a.toplevel.defs.filter(keep), problems);
  compareSets(`${at} (toplevel)`, "opaque import", b.toplevel.opaque, a.toplevel.opaque, problems);
  // custom formats (formatConfigs / customFormats) become variants of their own: names that are not stock variants may appear
  const stock = (xs: string[] | undefined) => xs?.filter((v) => VARIANTS.includes(v));
  if (b.images && canon(stock(b.images)) !== canon(stock(a.images))) problems.push(`${at}: system.build.images changed: ${canon(b.images)} -> ${canon(a.images)}`);
}

export interface Comparison {
  problems: string[];
  /** before path -> after variant, for the report */
  images: { path: string; format: string; variant: string | null }[];
  added: string[];
}

export function compareOutputs(before: unknown, after: unknown, extras: Map<string, Extras>, repair = false): Comparison {
  const B = flattenOutputs(before);
  const A = flattenOutputs(after);
  const problems: string[] = [];
  const images: Comparison["images"] = [];
  for (const [path, bv] of B) {
    if (!A.has(path)) {
      problems.push(`${path}: output missing after migration`);
      continue;
    }
    const av = A.get(path);
    if (isObj(bv) && "__record" in bv) {
      const br = bv.__record as ImageRecord;
      if (!(isObj(av) && "__record" in av)) {
        problems.push(`${path}: image became ${canon(av).slice(0, 200)}`);
        continue;
      }
      const ar = av.__record as ImageRecord;
      if (br.kind === "format") {
        images.push({ path, format: br.format!, variant: ar.kind === "image" ? ar.variant! : null });
        compareImage(path, br, ar, extras, problems, repair);
      } else if (repair && br.kind === "image") compareImage(path, br, ar, extras, problems, repair);
      else if (canon(br) !== canon(ar)) problems.push(`${path}: ${br.kind} record differs`);
    } else if (isObj(bv) && "__nixos" in bv) {
      if (!(isObj(av) && "__nixos" in av)) problems.push(`${path}: NixOS configuration became ${canon(av).slice(0, 200)}`);
      else compareNixos(path, bv.__nixos as NixosLeaf, av.__nixos as NixosLeaf, problems);
    } else if (canon(bv) !== canon(av)) {
      problems.push(`${path}: differs: before ${canon(bv).slice(0, 300)}, after ${canon(av).slice(0, 300)}`);
    }
  }
  const added: string[] = [];
  for (const path of A.keys()) {
    if (B.has(path)) continue;
    if (path.startsWith("nixosConfigurations.")) added.push(path);
    else problems.push(`${path}: new output after migration`);
  }
  return { problems, images, added };
}

// ------------------------------------------------------------------ one case

export interface EquivalenceReport {
  /** The input; for a repair, evaluated without the module-system check (`strictBefore` has the expected failure). */
  before: EvalResult;
  after: EvalResult;
  strictBefore?: EvalResult;
  comparison: Comparison | null;
  /** Empty when equivalent. */
  problems: string[];
  ms: number;
}

export interface CheckOptions {
  parity?: boolean;
  allowOldNixpkgs?: boolean;
  /**
   * A repair: the input itself does not evaluate (with real nixpkgs either, e.g. a hand migration that
   * left `isoImage.*` in the base), and must fail with an error containing this text. The migrated flake
   * must evaluate, and is compared with the input evaluated without the module-system check, each
   * image-only definition counted in the images that declare it (expectedDefs).
   */
  brokenInput?: string;
}

export async function checkEquivalence(before: Files, after: Files, options: CheckOptions = {}): Promise<EquivalenceReport> {
  const t0 = Date.now();
  // --allow-old-nixpkgs: the user vouches that their nixpkgs has image variants whatever its URL says
  const evalOptions: EvalOptions = { releases: !options.allowOldNixpkgs };
  const broken = options.brokenInput;
  const [strict, a, extras, lenient] = await Promise.all([
    evaluateProject(before, evalOptions),
    evaluateProject(after, evalOptions),
    formatExtras(!!options.parity),
    broken ? evaluateProject(before, { ...evalOptions, lenient: true }) : Promise.resolve(null),
  ]);
  const problems: string[] = [];
  let comparison: Comparison | null = null;
  let b = strict;
  if (broken) {
    if (strict.ok) problems.push(`the input evaluates, but it was expected to fail with: ${broken}`);
    else if (!strict.error.includes(broken)) problems.push(`the input was expected to fail with: ${broken}; it fails with: ${strict.error}`);
    b = lenient!;
  }
  if (!b.ok) problems.push(`the input does not evaluate${broken ? " even without the module-system check" : ""} (a broken case or a stub gap): ${b.error}`);
  if (!a.ok) problems.push(`the migrated flake does not evaluate: ${a.error}`);
  if (b.ok && a.ok) {
    comparison = compareOutputs(b.outputs, a.outputs, extras, !!broken);
    problems.push(...comparison.problems);
  }
  return { before: b, after: a, ...(broken ? { strictBefore: strict } : {}), comparison, problems, ms: Date.now() - t0 };
}

/** Runs `jobs` with at most `limit` at a time. */
export async function pool<T>(limit: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}
