// jscodeshift interop: turns passes into a jscodeshift transform,
//   (fileInfo, api, options) => Promise<string | undefined>
// so that `npx jscodeshift -t dist/jscodeshift/<pass-id>.cjs --extensions=nix flake.nix`
// runs a pass with jscodeshift's runner (its --dry, --print, --run-in-band,
// workers, ignore files and summary). The build writes one entry point per
// registered pass, plus `dist/jscodeshift/index.cjs` with all of them in order
// (what the nixgen-migrate CLI runs); transforms/ itself stays free of Node.
// The entry points are small CommonJS files (jscodeshift require()s the
// transform, through @babel/register) that import() this module from the ESM
// bundle, which babel does not see: it cannot compile web-tree-sitter.
//
// - The parser is WebAssembly: the transform awaits init() (jscodeshift awaits
//   the transform's promise); it loads once per worker process.
// - undefined = skipped (no pass looks at the file or can apply: jscodeshift's
//   "skip"); the unchanged source = "nochange"; the migrated text = "ok".
// - Findings are reported with api.report ("REP" lines): `file:line:col severity rule message`.
// - A file the migration refuses (syntax error, internal error) throws, so it
//   counts as an error (and fails the run with --fail-on-error).
// - Options: --host=NAME, --parity, --allow-old-nixpkgs (jscodeshift hands
//   unknown flags to the transform).
// - A pass that also edits other files (a flake's module files) writes them
//   itself unless --dry, atomically and only inside the repository, as the
//   CLI does (src/cli/files.ts, write-file.ts); with --dry they are reported.
import { relative, resolve, sep } from "node:path";
import { init } from "./index.js";
import { mayApply, migrateProject } from "./engine.js";
import type { MigrateOptions, Transform } from "./types.js";
import { TRANSFORMS } from "../transforms/index.js";
import { Boundary, checkText, projectRootOf } from "./cli/files.js";
import { JobHost } from "./cli/work.js";
import { writeFileAtomic } from "./cli/write-file.js";
import { formatFinding } from "./report/text.js";
import { quotePath } from "./report/escape.js";

export { TRANSFORMS };

export interface FileInfo {
  readonly path: string;
  readonly source: string;
}

export interface JscodeshiftApi {
  report?(message: string): void;
}

export type JscodeshiftTransform = (file: FileInfo, api: JscodeshiftApi, options?: Record<string, unknown>) => Promise<string | undefined>;

function flag(options: Record<string, unknown>, ...names: string[]): unknown {
  for (const n of names) if (options[n] !== undefined) return options[n];
  return undefined;
}

function truthy(v: unknown): boolean {
  return v === true || v === "true" || v === 1 || v === "1";
}

/**
 * Reads and writes like the CLI: the text jscodeshift hands over is checked as
 * the CLI checks what it reads (no NUL bytes, a size bound: jscodeshift's own
 * read decodes anything), the module files its flake's passes follow only inside the
 * repository, and the other files a migration changes are written atomically
 * (mode and owner kept), also only inside the repository.
 */
export function toJscodeshift(passes: readonly Transform[]): JscodeshiftTransform {
  return async (file, api, options = {}) => {
    const cwd = process.cwd();
    const abs = resolve(cwd, file.path);
    const rel = relative(cwd, abs).split(sep).join("/");
    const path = rel.startsWith("../") || rel === "" ? abs.split(sep).join("/") : rel;
    if (!passes.some((p) => p.appliesTo(path) && mayApply(p, file.source))) return undefined;
    await init();
    const host = String(flag(options, "host") ?? "") || undefined;
    const migrateOptions: MigrateOptions = {
      ...(host ? { host } : {}),
      parity: truthy(flag(options, "parity")),
      allowOldNixpkgs: truthy(flag(options, "allow-old-nixpkgs", "allowOldNixpkgs")),
    };
    const boundary = Boundary.of([projectRootOf(abs)]);
    const disk = new JobHost({ cwd, options: migrateOptions, namedDirs: [] }, boundary, new Set([path]), [path]);
    // the text jscodeshift read (or a caller gave), with the checks the CLI makes of what it reads:
    // a binary or oversized file throws, which jscodeshift counts as an error
    disk.provide(path, checkText(path, file.source));
    const result = migrateProject([path], disk, migrateOptions, passes);
    for (const f of result.findings) api.report?.(formatFinding(f));
    for (const [p, real] of disk.escapes) api.report?.(`${quotePath(p)}: leads to ${real} through a symbolic link, outside the repository: not read or changed`);
    const own = result.files.find((f) => f.path === path)!;
    if (own.refused?.kind === "unparsed") return undefined;
    if (own.refused) throw new Error(`${path}: not migrated: ${own.refused.message}`);
    for (const other of result.files) {
      if (other.path === path || !other.changed) continue;
      if (options.dry) {
        api.report?.(`${quotePath(other.path)}: would also be changed by this migration (run without --dry, or use the nixgen-migrate CLI to see the diff)`);
        continue;
      }
      await writeFileAtomic(other.path, resolve(cwd, other.path), other.after, other.before, boundary);
      api.report?.(`${quotePath(other.path)}: changed as part of this migration`);
    }
    return own.changed ? own.after : file.source;
  };
}

/** The jscodeshift transform running the registered passes with these ids (all, in order, when omitted). */
export function jscodeshiftTransform(ids?: readonly string[]): JscodeshiftTransform {
  const passes = ids ? TRANSFORMS.filter((t) => ids.includes(t.id)) : TRANSFORMS;
  if (ids && passes.length !== ids.length) throw new Error(`nixgen-migrate: unknown pass ${ids.filter((i) => !TRANSFORMS.some((t) => t.id === i)).join(", ")}`);
  return toJscodeshift(passes);
}
