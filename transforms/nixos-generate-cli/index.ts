/**
 * nixos-generate-cli: `nixos-generate` command lines in shell scripts,
 * Makefiles, justfiles, CI YAML and Markdown code blocks become
 * `nixos-rebuild build-image --image-variant <variant>`:
 *
 *   nixos-generate -f qcow --flake .#h        -> nixos-rebuild build-image --image-variant qemu --flake .#h
 *   nixos-generate -f iso -c /etc/c.nix       -> NIXOS_CONFIG=/etc/c.nix nixos-rebuild build-image --image-variant iso --no-flake
 *   nixos-generate --run --flake .#h          -> nixos-rebuild build-vm --flake .#h && ./result/bin/run-*-vm
 *   nixos-generate --list                     -> nixos-rebuild build-image
 *   nix run github:nix-community/nixos-generators -- -f iso …
 *                                             -> nix run nixpkgs#nixos-rebuild -- build-image --image-variant iso …
 *
 * A command is rewritten completely or not at all: when one of its flags has
 * no nixos-rebuild counterpart (`-o`, `--system`, `--disk-size` and
 * `--special-arg` outside flake mode, `--format-path`), its format has no
 * variant, or its arguments are not known statically, it is left as it is
 * and an error names the exact replacement. Flags that had no effect in
 * nixos-generate (`-c`, `--disk-size`, `--system` next to `--flake`) are
 * dropped with a warning. Only the words that change are edited, so quoting,
 * line continuations and layout stay.
 *
 * Mentions that are not command lines: comments and `echo`/`printf`
 * arguments are prose and left alone silently; anything else (`sh -c "…"`,
 * `command -v nixos-generate`, here-documents, `nix-shell -p
 * nixos-generators`, Makefile variables, other YAML keys) is left alone with
 * a warning, because it may still run or install nixos-generate.
 *
 * Phases, each a module handing data to the next: find (which commands run
 * nixos-generate) -> classify (flags, format, action, or why it stays) ->
 * rewrite (edits, settled against the command's container) -> notes; then
 * the leftover mentions.
 */
import type { Rule } from "./meta.js";
import { meta, rules, type CliRule } from "./meta.js";
import type { TextEdit } from "../../src/edits.js";
import type { PassContext, PassOutput, RawFinding, Transform } from "../../src/types.js";
import type { Range } from "../../src/shell/tokenize.js";
import { tokenize } from "../../src/shell/tokenize.js";
import { commentsOf, heredocsOf, simpleCommands } from "../../src/shell/commands.js";
import { fileKind, hasShellShebang, regionsOf, type Chunk, type Regions } from "../../src/shell/regions.js";
import { nixStringViews, placeEdits, type NixStringView } from "../../src/shell/nix-strings.js";
import { LineIndex } from "../../src/text.js";
import { clip, finding, inTemplate, mentions, src, type ChunkInfo, type Scan } from "./common.js";
import { shownCommand } from "./shown.js";
import { findInvocation, type Found, type NixShellRun } from "./find.js";
import { classify } from "./classify.js";
import { rewrite, settle, suggestion } from "./rewrite.js";
import { notesOf } from "./notes.js";
import { chunkMentions, documentMentions, outsideMentions } from "./mentions.js";
import { findFormatsRefs, mayHaveFormatsRefs, migrateFormatsRef } from "./formats-refs.js";

const NO_OUTPUT: PassOutput<Rule> = { edits: [], findings: [] };

export const nixosGenerateCli: Transform<typeof meta.rules> = {
  id: "nixos-generate-cli",
  ...meta,
  appliesTo: (path) => path.endsWith(".nix") || fileKind(path) !== null,
  // `nixos-generat`: the command and the project (`nixos-generators` does not contain `nixos-generate`)
  needles: ["nixos-generat", "config.formats."],
  input: "text",
  run(ctx) {
    if (ctx.path.endsWith(".nix")) return migrateNixStrings(ctx);
    const kind = fileKind(ctx.path);
    if (!kind) return NO_OUTPUT;
    if (kind === "maybe-script" && !hasShellShebang(ctx.text)) return otherScript(ctx.text);
    return migrateText(ctx, regionsOf(kind, ctx.text));
  },
};

export default nixosGenerateCli;

/**
 * A script in another language (a `#!` line that is not sh or bash) that
 * names nixos-generate: not read, but not silent either (one warning).
 * Files without a `#!` line are not scripts.
 */
function otherScript(text: string): PassOutput<Rule> {
  const body = text.startsWith("\ufeff") ? text.slice(1) : text;
  if (!body.startsWith("#!")) return NO_OUTPUT;
  const first = mentions(text)[0];
  if (!first) return NO_OUTPUT;
  const interpreter = /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?(\S+)/.exec(body)?.[1] ?? "another language";
  return { edits: [], findings: [finding("cli-not-rewritten", first,
    `this ${interpreter} script names nixos-generate(s); only shell scripts are read: if it runs nixos-generate, change it by hand to \`nixos-rebuild build-image --image-variant <variant> …\``)] };
}

/** Edits and findings, in the offsets of the text that was read. */
interface Output {
  readonly edits: TextEdit[];
  readonly findings: RawFinding<Rule>[];
  /** Commands recognised (rewritten or reported). */
  readonly handled?: Range[];
}

/** A documentation placeholder such as `<host>` or `<format>`. */
const PLACEHOLDER = /<[A-Za-z][\w.-]*>/;

/** Writes a command's edits into its container; a string says why they cannot be. */
type Place = (edits: TextEdit[]) => TextEdit[] | string;

function migrateText(ctx: PassContext, regions: Regions): PassOutput<Rule> {
  const lines = new LineIndex(ctx.text);
  const scan: Scan = {
    path: ctx.path, text: ctx.text, masked: regions.masked, shown: regions.masked, line: (o) => lines.position(o).line,
    allowOldNixpkgs: ctx.options.allowOldNixpkgs === true, templates: new Map(),
  };
  const edits: TextEdit[] = [];
  const findings: RawFinding<Rule>[] = [];
  const handled: Range[] = [];
  for (const chunk of regions.chunks) {
    const out = migrateChunk(scan, chunk, null);
    edits.push(...out.edits);
    findings.push(...out.findings);
    handled.push(...(out.handled ?? []));
  }
  findings.push(...outsideMentions(scan, regions));
  if (regions.code) findings.push(...documentMentions(scan, regions));
  const refs = formatsRefsInText(scan, regions, handled);
  edits.push(...refs.edits);
  findings.push(...refs.findings);
  return { edits: edits.length ? [{ path: ctx.path, edits }] : [], findings };
}

/**
 * `….config.formats.<f>` anywhere in a file, except in commands this pass
 * handled; in prose only when written after `nixosConfigurations.<host>.`,
 * and in a document's prose (outside code) only a note.
 */
function formatsRefsInText(scan: Scan, regions: Regions, handled: Range[]): Output {
  const edits: TextEdit[] = [];
  const findings: RawFinding<Rule>[] = [];
  if (!mayHaveFormatsRefs(scan.shown)) return { edits, findings };
  let inProse: Range | null = null;
  for (const ref of findFormatsRefs(scan.shown)) {
    if (handled.some((r) => r.start < ref.end && ref.start < r.end)) continue;
    if (regions.code) {
      const span = regions.code.find((c) => c.start <= ref.start && ref.end <= c.end);
      if (!span) {
        if (ref.strong) inProse ??= ref;
        continue;
      }
      if (!ref.strong && !(span.shell || span.inline || span.lang === "nix")) continue;
    } else if (!ref.strong && regions.quiet.some((q) => q.start <= ref.start && ref.end <= q.end)) continue;
    const out = migrateFormatsRef(scan.shown, ref, scan.shown);
    edits.push(...out.edits);
    findings.push(...out.findings);
  }
  if (inProse) {
    findings.push(finding("cli-doc-mention", inProse, "the text of this document reads all-formats' `config.formats.<format>`: every NixOS 25.05 or later configuration has `config.system.build.images.<variant>` instead (`nixgen-migrate --list-formats`); update the text"));
  }
  return { edits, findings };
}

/** The commands of one chunk of shell text, then the mentions nothing accounted for. */
function migrateChunk(scan: Scan, chunk: Chunk, place: Place | null): Output {
  const edits: TextEdit[] = [];
  const findings: RawFinding<Rule>[] = [];
  const found = mentions(scan.shown, chunk.start, chunk.end);
  if (found.length === 0) return { edits, findings };
  const script = tokenize(scan.masked, chunk.start, chunk.end, chunk.options);
  const info: ChunkInfo = { chunk, commands: simpleCommands(script) };
  /** Commands rewritten or reported: mentions inside are accounted for. */
  const handled: Range[] = [];
  for (const cmd of info.commands) {
    const hit = findInvocation(scan, cmd);
    if (!hit) continue;
    handled.push(cmd);
    if (chunk.document && PLACEHOLDER.test(src(scan, cmd))) {
      // a template for people to fill in (`-f <format> --flake .#<host>`): what it reads now
      const shown = shownCommand(scan, cmd, chunk.options, "this example");
      if (shown) findings.push(shown);
      continue;
    }
    const before = { findings: findings.length, edits: edits.length };
    migrateCommand(scan, info, hit, place, edits, findings);
    // a command that stays is reported on the line that names nixos-generate(s) (a word on a continuation line names the problem)
    const named = mentions(scan.shown, cmd.start, cmd.end)[0];
    if (named && edits.length === before.edits) for (let i = before.findings; i < findings.length; i++) findings[i] = onLineOf(scan, findings[i]!, named);
  }
  findings.push(...chunkMentions(scan, info, found, commentsOf(script), heredocsOf(script), handled));
  return { edits, findings, handled };
}

/** A finding moved to start on the line of `at` (when it starts on another line), still covering what it named. */
function onLineOf(scan: Scan, f: RawFinding<Rule>, at: Range): RawFinding<Rule> {
  if (scan.line(f.start) === scan.line(at.start)) return f;
  return { ...f, start: at.start, end: Math.max(f.end, at.end) };
}

/** One recognised command: its edits and notes, or the findings that say why it stays. */
function migrateCommand(scan: Scan, info: ChunkInfo, hit: NonNullable<Found>, place: Place | null, edits: TextEdit[], findings: RawFinding<Rule>[]) {
  const { chunk } = info;
  if ("refused" in hit) {
    findings.push(hit.refused);
    return;
  }
  if ("nixShellRun" in hit) {
    const out = migrateNixShellRun(scan, chunk, hit.nixShellRun, place);
    edits.push(...out.edits);
    findings.push(...out.findings);
    return;
  }
  const classified = classify(scan, hit.invocation, info);
  if ("blockers" in classified) {
    findings.push(...classified.blockers);
    return;
  }
  const { plan } = classified;
  const settled = settle(scan, plan, rewrite(scan, plan));
  if ("refused" in settled) {
    findings.push(settled.refused);
    return;
  }
  const placed = place ? place(settled.edits) : settled.edits;
  if (typeof placed === "string") {
    findings.push(finding("cli-unmigratable", plan.inv.cmd, `\`${plan.before}\` would become \`${clip(settled.after)}\`, but ${placed}; change it by hand`));
    return;
  }
  if (plan.inv.suggestOnly || plan.noGui) {
    findings.push(suggestion(scan, plan, settled.after));
    return;
  }
  edits.push(...placed);
  findings.push(...notesOf(scan, plan, settled.after));
}

/**
 * `nix-shell -p nixos-generators --run '<script>'`: the script's commands are
 * migrated and the package becomes nixos-rebuild, or nothing changes when
 * something in the script still needs nixos-generate.
 */
function migrateNixShellRun(scan: Scan, outer: Chunk, run: NixShellRun, place: Place | null): Output {
  const { script, quote } = run;
  const fits = (inner: string) => !inner.includes(quote) && (quote === "'" || !/[\\`"]/.test(inner));
  const chunk: Chunk = {
    start: script.start, end: script.end, options: outer.options, reportMentions: outer.reportMentions, where: "`nix-shell --run` script",
    validate: (inner) => {
      if (!fits(inner)) return false;
      if (!outer.validate) return true;
      const text = scan.text.slice(outer.start, outer.end);
      return outer.validate(text.slice(0, script.start - outer.start) + inner + text.slice(script.end - outer.start));
    },
  };
  const inner = migrateChunk(scan, chunk, place);
  const blocking = inner.findings.filter((f) => (f.severity ?? rules[f.rule as CliRule].severity) === "error" || f.rule === "cli-not-rewritten");
  if (blocking.length || inner.edits.length === 0) return { edits: [], findings: blocking.length ? blocking : inner.findings };
  const pkgEdit: TextEdit = { start: run.pkg.start, end: run.pkg.end, text: "nixos-rebuild" };
  const placed = place ? place([pkgEdit]) : [pkgEdit];
  if (typeof placed === "string") return { edits: [], findings: [finding("cli-unmigratable", run.pkg, `\`-p nixos-generators\` would become \`-p nixos-rebuild\`, but ${placed}; change it by hand`)] };
  return { edits: [...inner.edits, ...placed], findings: inner.findings };
}

// ------------------------------------------------------------------ Nix strings

/** Text that may concern this pass in a Nix string. */
const WANTED = /nixos-generat(?:e(?!-config)|ors)|config\.formats\./;

/**
 * A .nix file: the contents of its string literals that mention
 * nixos-generate, each read as a shell script (Nix code itself is the other
 * passes' business).
 */
function migrateNixStrings(ctx: PassContext): PassOutput<Rule> {
  const parsed = ctx.project.parse(ctx.path);
  if (!parsed || parsed.error) return NO_OUTPUT;
  const lines = new LineIndex(ctx.text);
  const edits: TextEdit[] = [];
  const findings: RawFinding<Rule>[] = [];
  const views = nixStringViews(ctx.text, parsed.root, WANTED);
  for (const view of views) {
    // a string inside another one's interpolation is read on its own
    if (view.role === "prose") continue;
    const out = migrateNixString(ctx, view, lines);
    edits.push(...out.edits);
    findings.push(...out.findings);
  }
  return { edits: edits.length ? [{ path: ctx.path, edits }] : [], findings };
}

function migrateNixString(ctx: PassContext, view: NixStringView, lines: LineIndex): Output {
  const scan: Scan = {
    path: ctx.path, text: view.text, masked: view.masked, shown: view.text,
    line: (o) => lines.position(view.sourceAt(o)).line,
    allowOldNixpkgs: ctx.options.allowOldNixpkgs === true, templates: view.templates, nixString: { roleName: view.roleName },
  };
  const toFile = (f: RawFinding<Rule>): RawFinding<Rule> => ({ ...f, start: view.sourceAt(f.start), end: view.sourceAt(f.end) });
  if (view.role === "program") {
    const at = { start: 0, end: view.text.length };
    return { edits: [], findings: [toFile(finding("cli-not-rewritten", at,
      `${view.roleName ? `\`${view.roleName}\`` : "this string"} names the nixos-generate program, so whatever runs it passes nixos-generate's options: point it at nixos-rebuild (nixpkgs 25.05 or later, e.g. \`\${pkgs.nixos-rebuild}/bin/nixos-rebuild\`) and change how it is called (\`build-image --image-variant <variant> --flake .#<host>\`)`))] };
  }
  const chunk: Chunk = {
    start: 0, end: view.text.length, options: { templatesAt: view.templates, indentedHeredocs: view.kind === "indented" },
    reportMentions: true, where: view.roleName ? `\`${view.roleName}\` string` : "Nix string",
  };
  const write: Place = (edits) => {
    const placed = placeEdits(view, ctx.text, edits);
    return "reason" in placed ? `it cannot be written back into this Nix string (${placed.reason})` : placed.edits;
  };
  // a command in a builder cannot run (no nix build inside a build); an attribute path there is still just text
  const place: Place = view.role === "builder"
    ? () => `it runs while a derivation builds (\`${view.roleName}\`), where nix build cannot run: build the image attribute instead (\`nixosConfigurations.<host>.config.system.build.images.<variant>\`) and use its output`
    : write;
  // a reference (a flake URL, a path) holds no command; it may hold an attribute path
  const out = view.role === "reference" ? { edits: [], findings: [], handled: [] } : migrateChunk(scan, chunk, place);
  const edits = [...out.edits];
  const findings = [...out.findings];
  for (const ref of mayHaveFormatsRefs(view.text) ? findFormatsRefs(view.text) : []) {
    if (inTemplate(scan, ref.start) || (out.handled ?? []).some((r) => r.start < ref.end && ref.start < r.end)) continue;
    const refOut = migrateFormatsRef(view.text, ref, view.text);
    const placed = refOut.edits.length ? write(refOut.edits) : [];
    if (typeof placed === "string") {
      findings.push(finding("cli-unmigratable", ref, `\`${view.text.slice(ref.start, ref.end)}\` would become \`config.system.build.images.<variant>\`, but ${placed}; change it by hand`));
      continue;
    }
    edits.push(...placed);
    findings.push(...refOut.findings);
  }
  return { edits, findings: findings.map(toFile) };
}
