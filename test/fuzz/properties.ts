// What must hold for every input, however broken: checked by the fuzz tests,
// the big-input tests and the shrinker.
import type { ProjectResult } from "../../src/engine.js";
import { parseNix } from "../../src/parse.js";
import { GENERATORS_MENTION } from "../../src/withhold.js";
import { LineIndex } from "../../src/text.js";
import type { MigrateOptions } from "../../src/types.js";
import { formatFindings, runProject } from "../helpers/fixtures.js";
import type { OracleText } from "../helpers/oracle.js";

/**
 * migrated: some file changed (error findings may remain for what could not be migrated);
 * refused: nothing changed and an error finding says why (a syntax error, or a call that cannot be migrated);
 * unchanged: nothing to do.
 */
export type Outcome = "refused" | "migrated" | "unchanged";

export interface CaseResult {
  readonly outcome: Outcome;
  /** Broken properties, one line each. */
  readonly problems: string[];
  /** .nix inputs and outputs for the parse oracle (checked in batches by the caller). */
  readonly oracle: OracleText[];
  readonly result?: ProjectResult;
}

const isNix = (p: string) => p.endsWith(".nix");

function run(files: Map<string, string>, primary: string[], options: MigrateOptions): { result?: ProjectResult; error?: string } {
  try {
    return { result: runProject(files, primary, options) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}`.slice(0, 300) };
  }
}

/** Checks one project (files + primaries) against every property but the parse oracle. */
export function checkProject(label: string, files: Map<string, string>, primary: string[], options: MigrateOptions, check: { determinism?: boolean; idempotence?: boolean } = {}): CaseResult {
  const problems: string[] = [];
  const oracle: OracleText[] = [];
  const first = run(files, primary, options);
  if (!first.result) return { outcome: "refused", problems: [`uncaught exception: ${first.error}`], oracle };
  const result = first.result;

  // no pass threw (a caught exception is reported as internal-error)
  for (const f of result.findings) if (f.rule === "internal-error") problems.push(`internal error: ${f.message.slice(0, 300)}`);

  // every finding points into the text it is about, as it was before migration
  const before = (p: string) => files.get(p) ?? result.files.find((f) => f.path === p)?.before;
  for (const f of result.findings) {
    const text = before(f.path);
    if (text === undefined) {
      problems.push(`finding ${f.rule} about ${f.path}, which is not a file of the project`);
      continue;
    }
    if (!(f.offset >= 0 && f.offset <= f.endOffset && f.endOffset <= text.length)) {
      problems.push(`finding ${f.rule} at offsets [${f.offset}, ${f.endOffset}) outside ${f.path} (length ${text.length})`);
      continue;
    }
    const lines = new LineIndex(text);
    const s = lines.position(f.offset);
    const e = lines.position(f.endOffset);
    if (s.line !== f.start.line || s.column !== f.start.column || e.line !== f.end.line || e.column !== f.end.column) {
      problems.push(`finding ${f.rule}: ${f.start.line}:${f.start.column} does not match its offset ${f.offset} (${s.line}:${s.column})`);
    }
    const lineCount = text.split("\n").length;
    if (f.start.line < 1 || f.start.line > lineCount || f.start.column < 1) problems.push(`finding ${f.rule} at ${f.start.line}:${f.start.column}: no such position in ${f.path}`);
  }

  let outcome: Outcome = "unchanged";
  for (const p of primary) {
    const file = result.files.find((f) => f.path === p);
    const input = files.get(p);
    if (!file) {
      problems.push(`no result for ${p}`);
      continue;
    }
    if (input !== undefined && isNix(p)) oracle.push({ label: `${label}: input ${p}`, text: input });
    const ours = input !== undefined && isNix(p) ? parseNix(input).error : null;
    if (file.refused) {
      outcome = "refused";
      if (file.changed || file.after !== (input ?? "")) problems.push(`${p} refused (${file.refused.kind}) but its text changed`);
      if (file.refused.kind === "internal") continue; // already a problem above
      if (file.refused.kind === "withheld") {
        // a file that goes with a flake that was not migrated (src/withhold.ts): kept, with the finding that says why,
        // and the file it goes with was refused or stopped with an error of its own
        const because = file.refused.because;
        if (!result.findings.some((x) => x.path === p && x.severity === "error" && x.rule === "flake-not-migrated")) problems.push(`${p} withheld without a flake-not-migrated error`);
        if (!result.findings.some((x) => x.path === because && x.severity === "error")) problems.push(`${p} withheld because of ${because}, which has no error finding`);
        continue;
      }
      if (file.refused.kind === "unparsed") {
        // does not parse and never mentions nixos-generators: left with a note, nothing else refused for it
        if (GENERATORS_MENTION.test(input ?? "")) problems.push(`${p} left unparsed although it mentions nixos-generators`);
        if (!result.findings.some((x) => x.path === p && x.rule === "unparsed-file" && x.offset === file.refused!.offset)) problems.push(`${p} unparsed without an unparsed-file note at the position`);
        continue;
      }
      if (file.refused.kind !== "syntax") problems.push(`${p} refused: ${file.refused.kind}: ${file.refused.message}`);
      const f = result.findings.find((x) => x.path === p && x.severity === "error" && x.offset === file.refused!.offset);
      if (!f) problems.push(`${p} refused without an error finding at the refusal position`);
      if (!ours) problems.push(`${p} refused for a syntax error but parses`);
      else if (ours.offset !== file.refused.offset) problems.push(`${p} refused at ${file.refused.offset}, the parser's error is at ${ours.offset}`);
    } else if (ours) {
      problems.push(`${p} does not parse (${ours.message}) but was not refused`);
    }
  }
  for (const f of result.files) {
    if (f.refused && !primary.includes(f.path)) problems.push(`${f.path} refused but not a primary file`);
    if (!f.changed) continue;
    if (f.before === f.after) problems.push(`${f.path} marked changed with the same text`);
    if (outcome !== "refused") outcome = "migrated";
    if (isNix(f.path)) {
      const err = parseNix(f.after).error;
      if (err) problems.push(`the migrated ${f.path} does not parse (${err.message} at ${err.offset})`);
      oracle.push({ label: `${label}: output ${f.path}`, text: f.after, from: f.before ?? "" });
    }
    // line endings and the BOM stay as they were
    if (f.before !== undefined) {
      if (f.before.startsWith("\ufeff") !== f.after.startsWith("\ufeff")) problems.push(`${f.path}: the BOM was ${f.before.startsWith("\ufeff") ? "dropped" : "added"}`);
      if (f.before.includes("\r\n") && !/(^|[^\r])\n/.test(f.before) && /(^|[^\r])\n/.test(f.after)) problems.push(`${f.path}: a CRLF file got LF line breaks`);
      if (f.before.includes("\n") && !f.before.includes("\r") && f.after.includes("\r\n")) problems.push(`${f.path}: an LF file got CRLF line breaks`);
    }
  }

  // unmigratable: nothing changed, and an error finding (with its position, checked above) says why
  if (outcome === "unchanged" && result.findings.some((f) => f.severity === "error")) outcome = "refused";

  // same input, same findings and texts
  if (check.determinism !== false) {
    const again = run(files, primary, options);
    if (!again.result) problems.push(`second run threw: ${again.error}`);
    else {
      if (formatFindings(again.result.findings) !== formatFindings(result.findings)) problems.push("findings differ between two runs on the same input");
      const texts = (r: ProjectResult) => JSON.stringify(r.files.map((f) => [f.path, f.after, f.changed, f.refused?.kind ?? null]));
      if (texts(again.result) !== texts(result)) problems.push("outputs differ between two runs on the same input");
    }
  }

  // idempotence: migrating the output changes nothing
  if (check.idempotence !== false && outcome === "migrated") {
    const after = new Map(files);
    for (const f of result.files) if (f.changed) after.set(f.path, f.after);
    const second = run(after, primary, options);
    if (!second.result) problems.push(`run on the output threw: ${second.error}`);
    else {
      const changed = second.result.files.filter((f) => f.changed);
      for (const f of changed) problems.push(`not idempotent: a second run changes ${f.path}`);
      for (const f of second.result.findings) if (f.rule === "internal-error") problems.push(`internal error on the output: ${f.message.slice(0, 200)}`);
      for (const f of second.result.files) if (f.refused) problems.push(`the output ${f.path} is refused (${f.refused.kind})`);
    }
  }
  return { outcome, problems, oracle, result };
}

/** Single file through the same checks. */
export function checkText(text: string, options: MigrateOptions & { path?: string; label?: string } = {}, check?: { determinism?: boolean; idempotence?: boolean }): CaseResult {
  const { label, ...rest } = options;
  const path = rest.path ?? "flake.nix";
  return checkProject(label ?? path, new Map([[path, text]]), [path], { ...rest, path }, check);
}
