// Phase 5, leftovers: every mention of nixos-generate(s) that no rewrite or
// refusal accounted for gets a finding, unless it is prose. Prose that shows
// a command (a comment, an echo text, inline code) gets a note with the new
// command; a document's other mentions one note per file (or per code block
// this tool does not read).
import type { Rule } from "./meta.js";
import type { RawFinding } from "../../src/types.js";
import type { Range, Word } from "../../src/shell/tokenize.js";
import { assignmentName, type SimpleCommand } from "../../src/shell/commands.js";
import type { CodeSpan, Regions } from "../../src/shell/regions.js";
import { shownCommand } from "./shown.js";
import { NAME, clip, finding, inTemplate, mentions, oneLine, src, within, type ChunkInfo, type Scan } from "./common.js";
import { isGeneratorsRef } from "./refs.js";

/** Commands that only read or search text: the name among their arguments is data (`grep -q nixos-generators flake.nix`). */
const SEARCHERS = new Set(["grep", "egrep", "fgrep", "rg", "ag", "ack", "test", "[", "[[", "find", "ls", "cat", "wc", "diff", "cmp", "readlink", "basename", "dirname", "realpath", "stat"]);

/** Commands that run their arguments as commands: a mention there may run nixos-generate. */
const RUNNERS = new Set([
  "sh", "bash", "zsh", "dash", "ksh", "fish", "eval", "exec", "ssh", "su", "sudo", "doas", "xargs", "nohup", "timeout", "time",
  "watch", "env", "nix", "nix-shell", "docker", "podman", "parallel", "flock", "systemd-run", "script", "chroot", "nsenter",
  "unshare", "runuser", "setsid", "nice", "ionice", "command", "builtin", "tmux", "screen", "just", "make",
]);

/**
 * Mentions inside one chunk of shell text. `handled`: commands this pass
 * rewrote or reported (mentions inside are accounted for).
 */
export function chunkMentions(scan: Scan, info: ChunkInfo, found: Range[], comments: Range[], heredocs: Range[], handled: Range[]): RawFinding<Rule>[] {
  const { chunk } = info;
  const out: RawFinding<Rule>[] = [];
  const reported = new Set<string>();
  for (const m of found) {
    const o = m.start;
    if (handled.some((r) => within(r, o))) continue;
    // Nix code inside a Nix string's interpolation: the other passes' business
    if (inTemplate(scan, o)) continue;
    const comment = comments.find((r) => within(r, o));
    if (comment) {
      const key = `${comment.start}`;
      if (reported.has(key)) continue;
      reported.add(key);
      if (scan.text.startsWith("#!", comment.start) && /nix-shell/.test(src(scan, comment))) {
        if (chunk.reportMentions) out.push(finding("cli-not-rewritten", comment, "the nix-shell shebang still provides nixos-generators; the rewritten commands need nixos-rebuild (`-p nixos-rebuild`)"));
      } else {
        const shown = shownCommand(scan, { start: comment.start + 1, end: comment.end }, chunk.options, "this comment");
        if (shown) out.push(shown);
      }
      continue;
    }
    const heredoc = heredocs.find((r) => within(r, o));
    if (heredoc) {
      const key = `h${heredoc.start}`;
      if (chunk.reportMentions && !reported.has(key)) {
        reported.add(key);
        out.push(finding("cli-not-rewritten", m, "a here-document mentions nixos-generate; here-document text is not rewritten: if it is a script that runs nixos-generate, change it by hand"));
      }
      continue;
    }
    // the innermost command around the mention
    let inner: SimpleCommand | null = null;
    for (const c of info.commands) if (within(c, o) && (!inner || c.end - c.start <= inner.end - inner.start)) inner = c;
    if (inner) {
      const word0 = inner.words.find((w) => assignmentName(scan.masked, w) === null);
      if (word0 && (word0.value === "echo" || word0.value === "printf") && o >= word0.end) {
        const w = inner.words.find((x) => within(x, o));
        const key = `e${w?.start ?? o}`;
        if (w && !reported.has(key)) {
          reported.add(key);
          const shown = shownCommand(scan, w.quoted?.inner ?? w, chunk.options, `this ${word0.value} text`);
          if (shown) out.push(shown);
        }
        continue;
      }
    }
    // a quoted argument of a command that runs no other command (`log "Starting nixos-generate…"`) is text for people
    if (inner) {
      const word0 = inner.words.find((w) => assignmentName(scan.masked, w) === null);
      // a search for the name, or a file named after it, runs nothing
      if (word0 && word0.value !== null && SEARCHERS.has(word0.value) && o >= word0.end) continue;
      const w = inner.words.find((x) => within(x, o));
      if (word0 && w && w !== word0 && word0.value !== null && !RUNNERS.has(word0.value) && /^(["'])[\s\S]*\1$/.test(src(scan, w))) {
        const key = `e${w.start}`;
        if (!reported.has(key)) {
          reported.add(key);
          const shown = shownCommand(scan, { start: w.start + 1, end: w.end - 1 }, chunk.options, `this \`${word0.value}\` text`);
          if (shown) out.push(shown);
        }
        continue;
      }
    }
    // reported once per command and line, on the mention's line
    const r = inner && scan.line(inner.start) === scan.line(o) ? inner : m;
    const key = `${inner?.start ?? o}:${scan.line(o)}`;
    if (!chunk.reportMentions) {
      // a block without a shell tag: one note for what it mentions besides the commands rewritten
      if (!reported.has("untagged")) {
        reported.add("untagged");
        // spanning the rest of the block: it speaks for every mention in it
        out.push(finding("cli-doc-mention", { start: m.start, end: Math.max(m.end, chunk.end) }, `this ${chunk.where} (no shell language tag) mentions nixos-generate(s) outside the command lines rewritten here: nixos-generators is retired, check it by hand`));
      }
      continue;
    }
    if (reported.has(key)) continue;
    reported.add(key);
    const word = inner ? [...inner.words, ...inner.redirects.flatMap((x) => (x.target ? [x.target] : []))].find((w) => within(w, o)) : undefined;
    out.push(finding("cli-not-rewritten", r, mentionMessage(inner ? oneLine(src(scan, inner)) : NAME, word, chunk.where)));
  }
  return out;
}

function mentionMessage(snippet: string, word: Word | undefined, where: string): string {
  const v = word?.value;
  if (v && (isGeneratorsRef(v) || v === "nixos-generators" || /(^|\.)nixos-generators$/.test(v))) {
    return `\`${clip(snippet)}\` uses the nixos-generators package; the rewritten commands need nixos-rebuild instead (e.g. nixpkgs#nixos-rebuild); change it by hand`;
  }
  return `\`${clip(snippet)}\` mentions nixos-generate but is not a nixos-generate command line this tool rewrites (${where}); if it runs nixos-generate, change it by hand to \`nixos-rebuild build-image --image-variant <variant> …\``;
}

/**
 * Mentions outside every chunk: prose that shows a command gets a note (in a
 * document: see documentMentions), other prose nothing; text that may run
 * commands but is not read (Makefile variables, other YAML keys) a warning.
 */
export function outsideMentions(scan: Scan, regions: Regions): RawFinding<Rule>[] {
  const text = scan.text;
  const out: RawFinding<Rule>[] = [];
  const reported = new Set<string>();
  for (const m of mentions(text)) {
    const o = m.start;
    if (regions.chunks.some((c) => within(c, o))) continue;
    const quiet = regions.quiet.find((r) => within(r, o));
    if (quiet) {
      // documents have their own notes; a comment or label may show a command
      const key = `q${quiet.start}`;
      if (regions.code || reported.has(key)) continue;
      reported.add(key);
      const shown = shownCommand(scan, quiet, {}, "this comment");
      if (shown) out.push(shown);
      continue;
    }
    const f = regions.foreign.find((r) => within(r, o));
    const r = f ?? m;
    const key = `${r.start}`;
    if (reported.has(key)) continue;
    reported.add(key);
    const snippet = oneLine(text.slice(r.start, r.end));
    const word = /\S*nixos-generat(?:e|ors)\S*/.exec(text.slice(Math.max(r.start, text.lastIndexOf(" ", o) + 1), Math.min(r.end + 40, text.length)))?.[0];
    const pkg = word !== undefined && (isGeneratorsRef(word.replace(/^["']|["']$/g, "")) || /nixos-generators\b/.test(word));
    out.push(finding("cli-not-rewritten", r, pkg
      ? `\`${clip(snippet)}\` uses the nixos-generators package (${f?.where ?? "not a command line"}); the rewritten commands need nixos-rebuild instead (e.g. nixpkgs#nixos-rebuild); change it by hand`
      : `\`${clip(snippet)}\` mentions nixos-generate outside a command line this tool reads (${f?.where ?? "unknown context"}); if it runs nixos-generate, change it by hand to \`nixos-rebuild build-image --image-variant <variant> …\``));
  }
  return out;
}

/**
 * A document's mentions outside the shell it reads: inline code that shows a
 * command (a note each), code blocks in other languages (a note each), and the
 * prose (one note for the file).
 */
export function documentMentions(scan: Scan, regions: Regions): RawFinding<Rule>[] {
  const code = regions.code ?? [];
  const out: RawFinding<Rule>[] = [];
  const seen = new Set<CodeSpan>();
  let prose: { at: Range; count: number } | null = null;
  for (const m of mentions(scan.text)) {
    if (regions.chunks.some((c) => within(c, m.start))) continue;
    const span = code.find((c) => within(c, m.start));
    if (span && seen.has(span)) continue;
    if (span) seen.add(span);
    if (span?.inline) {
      const shown = shownCommand(scan, span, {}, "this inline code");
      if (shown) {
        out.push(shown);
        continue;
      }
    } else if (span && !span.shell) {
      // the note spans the rest of the block: it speaks for every mention in it
      out.push(finding("cli-doc-mention", { start: m.start, end: Math.max(m.end, span.end) }, `this \`${span.lang}\` code block mentions nixos-generate(s); this tool does not read ${span.lang} blocks in documents: nixos-generators is retired, update the example by hand`));
      continue;
    } else if (span) continue; // output lines of a console block
    prose = prose ? { at: prose.at, count: prose.count + 1 } : { at: m, count: 1 };
  }
  if (prose) {
    out.push(finding("cli-doc-mention", prose.at,
      `the text of this document mentions nixos-generators or nixos-generate${prose.count > 1 ? ` (${prose.count} times, the first here)` : ""}: it is retired, and NixOS 25.05 builds images itself (\`nixos-rebuild build-image\`, \`config.system.build.images\`); check that the text still describes what the project does`));
  }
  return out;
}
