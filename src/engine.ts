// Runs the passes over a set of files: parse -> pass -> apply edits -> re-parse
// -> next pass. Pure: all reading goes through a SourceHost; nothing is written.
// A flake is migrated all or nothing: when it (or a file it goes with) is
// refused, every file changed on its behalf keeps its text (src/withhold.ts).
import { FileError } from "./decode.js";
import { applyEdits, mapOffsetBack, sortEdits, type TextEdit } from "./edits.js";
import { parseNix, syntaxErrorOf, type ParsedNix } from "./parse.js";
import { LineIndex, type LineCol } from "./text.js";
import { namedInCode } from "./nix/ast.js";
import { ENGINE_RULES } from "./rules.js";
import { GENERATORS_MENTION, isFlake, isNixPath, nearestFlakes, withhold, type Kept } from "./withhold.js";
import type { Finding, MigrateOptions, PassOutput, ProjectView, RawFinding, RuleSpec, Transform } from "./types.js";

export { FileError };

export interface SourceHost {
  /**
   * Text of a file, or undefined when there is no such file. A file that is there
   * but cannot be read (permission, not a regular file, too large, not UTF-8, a
   * link out of the repository) throws a FileError: that is never "absent".
   */
  read(path: string): string | undefined;
  isDirectory?(path: string): boolean;
  /** May passes follow modules into this path? (default: yes). The CLI keeps them inside the repository. */
  inside?(path: string): boolean;
}

export type Refusal =
  | { kind: "syntax"; message: string; at: LineCol; offset: number }
  /** Does not parse and does not mention nixos-generators: nothing to migrate was seen, nothing fails. */
  | { kind: "unparsed"; message: string; at: LineCol; offset: number }
  | { kind: "internal"; message: string }
  | { kind: "unreadable"; message: string }
  /** Not migrated because a file it goes with (`because`, a path) was not: its flake, a file of its flake, a file both change. */
  | { kind: "withheld"; message: string; because: string; reason?: string };

export interface FileResult {
  readonly path: string;
  /** Text before migration (undefined: the file did not exist). */
  readonly before: string | undefined;
  readonly after: string;
  readonly changed: boolean;
  /** Set when the file must not be written (syntax error in the input, internal error, withheld). */
  readonly refused?: Refusal;
  /** Given by the caller (as opposed to touched because a given file uses it). */
  readonly primary: boolean;
}

export interface ProjectResult {
  readonly files: FileResult[];
  readonly findings: Finding[];
}

export interface FileState {
  readonly original: string | undefined;
  current: string;
  /** Sorted edits of every committed step, oldest first (to map offsets back). */
  readonly steps: TextEdit[][];
  refused?: Refusal;
  /** A pass asked that no later pass touch this file (and the error finding it gave, if any). */
  halted?: { pass: string; rule?: string };
  primary: boolean;
  /** Other files this primary's passes changed (they go back with it). */
  readonly touched: Set<string>;
  parsed?: { text: string; result: ParsedNix };
  /** A flake whose code names nixos-generators (not only a comment or its description): its files' errors refuse it. */
  usesGenerators?: () => boolean;
}

export { isNixPath, isFlake };

/** A regular expression that finds any of these needles, each literally. */
export function needlePattern(needles: Iterable<string>): RegExp {
  return new RegExp([...needles].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
}
const passPatterns = new Map<Transform, RegExp>();

/** The pass's cheap test (Transform.needles) on a text: the CLI's prefilter asks the same of a file's bytes. */
export function mayApply(pass: Transform, text: string): boolean {
  let re = passPatterns.get(pass);
  if (!re) passPatterns.set(pass, (re = needlePattern(pass.needles)));
  return re.test(text);
}

/** A path as a shell word for a command in a message (`nix-instantiate --parse ./-x.nix`). */
function commandPath(path: string): string {
  const p = path.startsWith("-") ? `./${path}` : path;
  return /^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

export function migrateProject(paths: readonly string[], host: SourceHost, options: MigrateOptions, transforms: readonly Transform[]): ProjectResult {
  return new ProjectRun(paths, host, options, transforms).run();
}

/**
 * A fallback rule's finding (a safety net: RuleSpec.fallback) goes when another
 * finding covers its line, or its file has an error or warning of another rule.
 */
function withoutCoveredFallbacks(findings: Finding[], transforms: readonly Transform[]): Finding[] {
  const fallback = new Set<string>();
  for (const t of transforms) for (const [id, spec] of Object.entries(t.rules)) if (spec.fallback) fallback.add(id);
  if (fallback.size === 0 || !findings.some((f) => fallback.has(f.rule))) return findings;
  const others = new Map<string, Finding[]>();
  for (const f of findings) if (!fallback.has(f.rule)) (others.get(f.path) ?? others.set(f.path, []).get(f.path)!).push(f);
  return findings.filter((f) => {
    if (!fallback.has(f.rule)) return true;
    const same = others.get(f.path) ?? [];
    return !same.some((o) => o.severity !== "note" || (o.start.line <= f.start.line && f.start.line <= o.end.line));
  });
}

/** A pass's rules were checked before its findings are reported; the engine's are its own. */
function severityOf(rule: string, pass: Transform | null): RuleSpec["severity"] {
  return (pass ? pass.rules[rule]! : ENGINE_RULES[rule as keyof typeof ENGINE_RULES]).severity;
}

/** One migrateProject call: the files' states, the findings, and the passes over them. */
class ProjectRun {
  private readonly states = new Map<string, FileState>();
  /** Findings with the primary whose pass gave them (withheld files lose their notes). */
  private readonly findings: Kept[] = [];
  private readonly lineIndexes = new Map<string, LineIndex>();
  /** Findings reported so far (path, rule, place, message): an identical one is reported once. */
  private readonly reported = new Set<string>();
  private readonly primaries: string[] = [];
  private readonly view: ProjectView;

  constructor(
    private readonly paths: readonly string[],
    private readonly host: SourceHost,
    private readonly options: MigrateOptions,
    private readonly transforms: readonly Transform[],
  ) {
    this.view = {
      read: (p) => this.stateOf(p)?.current,
      parse: (p) => {
        const s = this.stateOf(p);
        return s ? this.parsedOf(s) : undefined;
      },
      isDirectory: (p) => host.isDirectory?.(p) ?? false,
      inside: (p) => host.inside?.(p) ?? true,
      given: () => paths,
    };
  }

  run(): ProjectResult {
    this.readPrimaries();
    const flakeOf = nearestFlakes(this.primaries);
    // flakes first: their passes follow module files and edit them on the flake's behalf
    const ordered = [...this.primaries.filter(isFlake), ...this.primaries.filter((p) => !isFlake(p))];
    const stopped = (path: string) => {
      const f = flakeOf.get(path);
      const fs = f === undefined ? undefined : this.states.get(f)!;
      return !!fs && ((!!fs.refused && fs.refused.kind !== "unparsed") || !!fs.halted);
    };
    withhold.beforePasses(this.states, this.primaries, flakeOf, (path, message) => this.report(path, path, { rule: "flake-not-migrated", message, start: 0, end: 0 }, null));
    for (const [i, pass] of this.transforms.entries()) {
      for (const path of ordered) {
        const s = this.states.get(path)!;
        // a member of a flake that was refused or halted is not migrated either (its passes would be undone)
        if (s.refused || s.halted || stopped(path) || !pass.appliesTo(path) || !mayApply(pass, s.current)) continue;
        this.runPass(pass, path, s);
        // A module file's tree that no later pass of its own needs goes: a run over a whole repository
        // holds the trees still in use, not one per file (a flake's pass that follows into it parses it
        // again). Flakes keep theirs: every module file's pass reads its flake.
        if (!isFlake(path) && !this.transforms.slice(i + 1).some((p) => p.appliesTo(path) && mayApply(p, s.current))) s.parsed = undefined;
      }
    }
    const findings = withhold.settle(this.states, this.primaries, flakeOf, this.findings, (path, message) => this.report(path, path, { rule: "flake-not-migrated", message, start: 0, end: 0 }, null));
    return { files: this.results(), findings: withoutCoveredFallbacks(findings, this.transforms).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.offset - b.offset)) };
  }

  /** Primary files: read, and refuse the ones that do not parse. */
  private readPrimaries(): void {
    for (const path of this.paths) {
      let s: FileState | undefined;
      let unreadable = "cannot read the file";
      try {
        s = this.stateOf(path);
      } catch (e) {
        if (!(e instanceof FileError)) throw e;
        unreadable = e.message;
      }
      if (!s) {
        const refused: Refusal = { kind: "unreadable", message: unreadable };
        this.states.set(path, { original: undefined, current: "", steps: [], primary: true, refused, touched: new Set() });
        continue;
      }
      s.primary = true;
      this.primaries.push(path);
      if (!isNixPath(path)) continue;
      if (isFlake(path)) {
        // asked only when a file of the flake cannot be migrated: a walk of the original tree, once
        const text = s.current;
        const parsed = this.parsedOf(s);
        let known: boolean | undefined;
        s.usesGenerators = () =>
          (known ??= GENERATORS_MENTION.test(text) && (parsed.error !== null || namedInCode(parsed, GENERATORS_MENTION, "nixos-generators")));
      }
      // Only flakes are sure to be read as trees; for other files (a package's `outputs = [ … ]`
      // is a flake-lock needle) the check builds no tree: most are never read as one.
      const error = isFlake(path) ? this.parsedOf(s).error : syntaxErrorOf(s.current);
      if (!error) continue;
      const at = new LineIndex(s.current).position(error.offset);
      if (!GENERATORS_MENTION.test(s.current)) {
        // pipes (`|>`) and other syntax newer than the grammar: a file that never mentions nixos-generators
        // has nothing of it to migrate, so it never fails the run
        s.refused = { kind: "unparsed", message: error.message, at, offset: error.offset };
        const message =
          `not read: the parser does not accept it (${error.message}; Nix's pipe operators \`|>\` and \`<|\` are not known to it); ` +
          "it does not mention nixos-generators, so nothing in it needed migrating";
        this.report(path, path, { rule: "unparsed-file", message, start: error.offset, end: error.offset }, null);
        continue;
      }
      s.refused = { kind: "syntax", message: error.message, at, offset: error.offset };
      const message = `syntax error (${error.message}): the file was not migrated; fix it so that \`nix-instantiate --parse ${commandPath(path)}\` accepts it, then run again`;
      this.report(path, path, { rule: "syntax-error", message, start: error.offset, end: error.offset }, null);
    }
  }

  private stateOf(path: string): FileState | undefined {
    let s = this.states.get(path);
    if (s) return s;
    const text = this.host.read(path);
    if (text === undefined) return undefined;
    s = { original: text, current: text, steps: [], primary: false, touched: new Set() };
    this.states.set(path, s);
    return s;
  }

  private parsedOf(s: FileState): ParsedNix {
    if (!s.parsed || s.parsed.text !== s.current) s.parsed = { text: s.current, result: parseNix(s.current) };
    return s.parsed.result;
  }

  /** One pass on one primary: its findings, then its edits (all files or none); a failure refuses the primary. */
  private runPass(pass: Transform, path: string, s: FileState): void {
    let out: PassOutput;
    try {
      // parsed on first use: a pass that returns early (flake-lock without a lock file) parses nothing.
      // The text parses: a primary with syntax errors was refused, and commit() checks every change.
      const parsedOf = (st: FileState) => this.parsedOf(st);
      out = pass.run({
        path,
        text: s.current,
        get file() {
          return pass.input === "nix" ? parsedOf(s) : null;
        },
        options: this.options,
        project: this.view,
      });
      // a rule the pass does not declare is a bug in the pass (its summary and severity would be missing)
      const undeclared = out.findings.find((f) => !Object.hasOwn(pass.rules, f.rule));
      if (undeclared) return this.refuse(path, s, { kind: "internal", message: `${pass.id}: finding with the undeclared rule ${undeclared.rule}` });
      // Findings refer to the texts the pass saw: map them back before committing its edits.
      for (const f of out.findings) {
        const fp = f.path ?? path;
        this.report(path, fp, f, this.states.get(fp)?.steps ?? null, pass);
      }
      const failure = this.commit(path, out.edits);
      if (failure) return this.refuse(path, s, { kind: "internal", message: `${pass.id}: ${failure}` });
    } catch (e) {
      // a file the pass needed is there but cannot be read: not a bug, and nothing of the flake may change
      if (e instanceof FileError) return this.refuse(path, s, { kind: "unreadable", message: `${e.path}: ${e.message}` });
      return this.refuse(path, s, { kind: "internal", message: `${pass.id}: ${(e as Error).message}` });
    }
    if (out.halt) {
      const error = out.findings.find((f) => (f.path ?? path) === path && (f.severity ?? pass.rules[f.rule]!.severity) === "error");
      s.halted = { pass: pass.id, ...(error ? { rule: error.rule } : {}) };
    }
  }

  /** The primary is not migrated; withhold.settle puts back every file changed on its behalf. */
  private refuse(path: string, s: FileState, refusal: Refusal & { kind: "internal" | "unreadable" }): void {
    s.refused = refusal;
    const message =
      refusal.kind === "internal"
        ? `internal error in ${refusal.message}; the file was not migrated (please report this at the project's issue tracker with the file)`
        : `${refusal.message}: the migration needs this file, so nothing of it was migrated; make it readable and run again`;
    this.report(path, path, { rule: refusal.kind === "internal" ? "internal-error" : "file-unreadable", message, start: 0, end: 0 }, null);
  }

  /** A pass's finding with positions in the original text (`steps`: the edits made since, to map back). */
  private report(owner: string, path: string, raw: RawFinding, steps: TextEdit[][] | null, pass: Transform | null = null): void {
    const s = this.states.get(path);
    const original = s?.original ?? s?.current ?? "";
    let start = raw.start;
    let end = raw.end;
    if (steps) {
      for (let i = steps.length - 1; i >= 0; i--) {
        start = mapOffsetBack(start, steps[i]!);
        end = mapOffsetBack(end, steps[i]!);
      }
    }
    end = Math.max(start, end);
    // a module file's pass run repeats what its flake's run said about it (what stays, stays for both)
    const key = `${path}\0${raw.rule}\0${start}\0${end}\0${raw.message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    let lines = this.lineIndexes.get(original);
    if (!lines) this.lineIndexes.set(original, (lines = new LineIndex(original)));
    this.findings.push({
      owner,
      finding: {
        path,
        rule: raw.rule,
        severity: raw.severity ?? severityOf(raw.rule, pass),
        message: raw.message,
        start: lines.position(start),
        end: lines.position(end),
        offset: start,
        endOffset: end,
      },
    });
  }

  /** Applies one pass's edits to all files, or none of them. Returns an error message. */
  private commit(owner: string, fileEdits: readonly { path: string; edits: readonly TextEdit[] }[]): string | null {
    const staged: { s: FileState; sorted: TextEdit[]; text: string; path: string }[] = [];
    for (const fe of fileEdits) {
      if (fe.edits.length === 0) continue;
      let s = this.stateOf(fe.path);
      if (!s) {
        // a new file
        s = { original: undefined, current: "", steps: [], primary: false, touched: new Set() };
        this.states.set(fe.path, s);
      }
      if (s.refused) return `${fe.path} cannot be changed (${s.refused.message})`;
      let sorted: TextEdit[];
      let text: string;
      try {
        sorted = sortEdits(fe.edits);
        text = applyEdits(s.current, sorted);
      } catch (e) {
        return (e as Error).message;
      }
      if (text === s.current) continue;
      if (isNixPath(fe.path)) {
        const error = syntaxErrorOf(text);
        if (error) {
          const at = new LineIndex(text).position(error.offset);
          return `the migrated ${fe.path} would not parse (${error.message} at ${at.line}:${at.column})`;
        }
      }
      staged.push({ s, sorted, text, path: fe.path });
    }
    const ownerState = this.states.get(owner)!;
    for (const { s, sorted, text, path } of staged) {
      s.steps.push(sorted);
      s.current = text;
      if (path !== owner) ownerState.touched.add(path);
    }
    return null;
  }

  private results(): FileResult[] {
    const files: FileResult[] = [];
    for (const [path, s] of this.states) {
      const changed = !s.refused && s.original !== s.current;
      if (!s.primary && !changed) continue;
      files.push({
        path,
        before: s.original,
        after: s.refused ? (s.original ?? "") : s.current,
        changed,
        primary: s.primary,
        ...(s.refused ? { refused: s.refused } : {}),
      });
    }
    return files;
  }
}
