// Runs the passes over a set of files: parse -> pass -> apply edits -> re-parse
// -> next pass. Pure: all reading goes through a SourceHost; nothing is written.
import { applyEdits, mapOffsetBack, sortEdits, type TextEdit } from "./edits.js";
import { parseNix, syntaxErrorOf, type ParsedNix } from "./parse.js";
import { LineIndex, type LineCol } from "./text.js";
import { ENGINE_RULES } from "./rules.js";
import type { Finding, MigrateOptions, ProjectView, RawFinding, RuleSpec, Transform } from "./types.js";

export interface SourceHost {
  /** Text of a file, or undefined when it does not exist or cannot be read. */
  read(path: string): string | undefined;
  isDirectory?(path: string): boolean;
  /** May passes follow modules into this path? (default: yes). The CLI keeps them inside the repository. */
  inside?(path: string): boolean;
}

export type Refusal =
  | { kind: "syntax"; message: string; at: LineCol; offset: number }
  | { kind: "internal"; message: string }
  | { kind: "unreadable"; message: string };

export interface FileResult {
  readonly path: string;
  /** Text before migration (undefined: the file did not exist). */
  readonly before: string | undefined;
  readonly after: string;
  readonly changed: boolean;
  /** Set when the file must not be written (syntax error in the input, internal error). */
  readonly refused?: Refusal;
  /** Given by the caller (as opposed to touched because a given file uses it). */
  readonly primary: boolean;
}

export interface ProjectResult {
  readonly files: FileResult[];
  readonly findings: Finding[];
}

interface FileState {
  readonly original: string | undefined;
  current: string;
  /** Sorted edits of every committed step, oldest first (to map offsets back). */
  readonly steps: TextEdit[][];
  refused?: Refusal;
  /** A pass asked that no later pass touch this file. */
  halted?: boolean;
  primary: boolean;
  /** Other files this primary's passes changed (reverted with it on an internal error). */
  readonly touched: Set<string>;
  parsed?: { text: string; result: ParsedNix };
}

export const isNixPath = (p: string) => p.endsWith(".nix");
const isFlake = (p: string) => p === "flake.nix" || p.endsWith("/flake.nix");

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

export function migrateProject(
  paths: readonly string[],
  host: SourceHost,
  options: MigrateOptions,
  transforms: readonly Transform[],
): ProjectResult {
  const states = new Map<string, FileState>();
  const findings: Finding[] = [];
  const lineIndexes = new Map<string, LineIndex>();
  const reported = new Set<string>();

  const stateOf = (path: string): FileState | undefined => {
    let s = states.get(path);
    if (s) return s;
    const text = host.read(path);
    if (text === undefined) return undefined;
    s = { original: text, current: text, steps: [], primary: false, touched: new Set() };
    states.set(path, s);
    return s;
  };
  const parsedOf = (s: FileState): ParsedNix => {
    if (!s.parsed || s.parsed.text !== s.current) s.parsed = { text: s.current, result: parseNix(s.current) };
    return s.parsed.result;
  };
  const severityOf = (rule: string, pass: Transform | null): RuleSpec["severity"] => {
    // passes' rules are checked before their findings are reported; the engine's are its own
    return (pass ? pass.rules[rule]! : ENGINE_RULES[rule as keyof typeof ENGINE_RULES]).severity;
  };
  const report = (path: string, raw: RawFinding, stateBefore: TextEdit[][] | null, pass: Transform | null = null) => {
    const s = states.get(path);
    const original = s?.original ?? s?.current ?? "";
    let start = raw.start;
    let end = raw.end;
    if (stateBefore) {
      for (let i = stateBefore.length - 1; i >= 0; i--) {
        start = mapOffsetBack(start, stateBefore[i]!);
        end = mapOffsetBack(end, stateBefore[i]!);
      }
    }
    end = Math.max(start, end);
    // a module file's pass run repeats what its flake's run said about it (what stays, stays for both)
    const key = `${path}\0${raw.rule}\0${start}\0${end}\0${raw.message}`;
    if (reported.has(key)) return;
    reported.add(key);
    let lines = lineIndexes.get(original);
    if (!lines) lineIndexes.set(original, (lines = new LineIndex(original)));
    findings.push({
      path,
      rule: raw.rule,
      severity: raw.severity ?? severityOf(raw.rule, pass),
      message: raw.message,
      start: lines.position(start),
      end: lines.position(end),
      offset: start,
      endOffset: end,
    });
  };

  const view: ProjectView = {
    read: (p) => stateOf(p)?.current,
    parse: (p) => {
      const s = stateOf(p);
      return s ? parsedOf(s) : undefined;
    },
    isDirectory: (p) => host.isDirectory?.(p) ?? false,
    inside: (p) => host.inside?.(p) ?? true,
    given: () => paths,
  };

  // Primary files: read, and refuse the ones that do not parse.
  const primaries: string[] = [];
  for (const path of paths) {
    const s = stateOf(path);
    if (!s) {
      const refused: Refusal = { kind: "unreadable", message: "cannot read the file" };
      states.set(path, { original: undefined, current: "", steps: [], primary: true, refused, touched: new Set() });
      continue;
    }
    s.primary = true;
    primaries.push(path);
    if (isNixPath(path)) {
      // Only flakes are sure to be read as trees; for other files (a package's `outputs = [ … ]`
      // is a flake-lock needle) the check builds no tree: most are never read as one.
      const error = isFlake(path) ? parsedOf(s).error : syntaxErrorOf(s.current);
      if (error) {
        const at = new LineIndex(s.current).position(error.offset);
        s.refused = { kind: "syntax", message: error.message, at, offset: error.offset };
        report(path, {
          rule: "syntax-error",
          message: `syntax error (${error.message}): the file was not migrated; fix it so that \`nix-instantiate --parse ${path}\` accepts it, then run again`,
          start: error.offset,
          end: error.offset,
        }, null);
      }
    }
  }

  // flakes first: their passes follow module files and edit them on the flake's behalf
  const ordered = [...primaries.filter(isFlake), ...primaries.filter((p) => !isFlake(p))];
  for (const [i, pass] of transforms.entries()) {
    for (const path of ordered) {
      const s = states.get(path)!;
      if (s.refused || s.halted || !pass.appliesTo(path) || !mayApply(pass, s.current)) continue;
      // parsed on first use: a pass that returns early (flake-lock without a lock file) parses nothing.
      // The text parses: a primary with syntax errors was refused above, and commit() checks every change.
      let out;
      try {
        out = pass.run({
          path,
          text: s.current,
          get file() {
            return pass.input === "nix" ? parsedOf(s) : null;
          },
          options,
          project: view,
        });
      } catch (e) {
        refuse(path, s, `${pass.id}: ${(e as Error).message}`);
        continue;
      }
      // a rule the pass does not declare is a bug in the pass (its summary and severity would be missing)
      const undeclared = out.findings.find((f) => !Object.hasOwn(pass.rules, f.rule));
      if (undeclared) {
        refuse(path, s, `${pass.id}: finding with the undeclared rule ${undeclared.rule}`);
        continue;
      }
      // Findings refer to the texts the pass saw: map them back before committing its edits.
      for (const f of out.findings) {
        const fp = f.path ?? path;
        report(fp, f, states.get(fp)?.steps ?? null, pass);
      }
      const failure = commit(path, out.edits);
      if (failure) refuse(path, s, `${pass.id}: ${failure}`);
      if (out.halt) s.halted = true;
      // A module file's tree that no later pass of its own needs goes: a run over a whole repository
      // holds the trees still in use, not one per file (a flake's pass that follows into it parses it
      // again). Flakes keep theirs: every module file's pass reads its flake.
      if (!isFlake(path) && !transforms.slice(i + 1).some((p) => p.appliesTo(path) && mayApply(p, s.current))) s.parsed = undefined;
    }
  }

  /** An internal error: the primary and every file changed on its behalf go back to their original text. */
  function refuse(path: string, s: FileState, message: string) {
    report(path, { rule: "internal-error", message: `internal error in ${message}; the file was not migrated (please report this at the project's issue tracker with the file)`, start: 0, end: 0 }, null);
    s.refused = { kind: "internal", message };
    for (const other of s.touched) {
      const o = states.get(other);
      if (!o || o.primary) continue;
      o.current = o.original ?? "";
      o.steps.length = 0;
    }
  }

  /** Applies one pass's edits to all files, or none of them. Returns an error message. */
  function commit(owner: string, fileEdits: readonly { path: string; edits: readonly TextEdit[] }[]): string | null {
    const staged: { s: FileState; sorted: TextEdit[]; text: string; path: string }[] = [];
    for (const fe of fileEdits) {
      if (fe.edits.length === 0) continue;
      let s = stateOf(fe.path);
      if (!s) {
        // a new file
        s = { original: undefined, current: "", steps: [], primary: false, touched: new Set() };
        states.set(fe.path, s);
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
    const ownerState = states.get(owner)!;
    for (const { s, sorted, text, path } of staged) {
      s.steps.push(sorted);
      s.current = text;
      if (path !== owner) ownerState.touched.add(path);
    }
    return null;
  }

  const files: FileResult[] = [];
  for (const [path, s] of states) {
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
  findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.offset - b.offset));
  return { files, findings };
}
