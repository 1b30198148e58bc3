// Phase 5, leftovers: every mention of nixos-generate(s) that no rewrite or
// refusal accounted for gets a finding, unless it is prose (a comment, an
// echo/printf argument, Markdown text).
import type { RawFinding } from "../../src/types.js";
import type { Range, Word } from "../../src/shell/tokenize.js";
import { assignmentName, type SimpleCommand } from "../../src/shell/commands.js";
import type { Regions } from "../../src/shell/regions.js";
import { NAME, clip, finding, inTemplate, mentions, oneLine, src, within, type ChunkInfo, type Scan } from "./common.js";
import { isGeneratorsRef } from "./refs.js";

/**
 * Mentions inside one chunk of shell text. `handled`: commands this pass
 * rewrote or reported (mentions inside are accounted for).
 */
export function chunkMentions(scan: Scan, info: ChunkInfo, found: Range[], comments: Range[], heredocs: Range[], handled: Range[]): RawFinding[] {
  const { chunk } = info;
  const out: RawFinding[] = [];
  const reported = new Set<string>();
  for (const m of found) {
    const o = m.start;
    if (handled.some((r) => within(r, o))) continue;
    // Nix code inside a Nix string's interpolation: the other passes' business
    if (inTemplate(scan, o)) continue;
    const comment = comments.find((r) => within(r, o));
    if (comment) {
      const key = `${comment.start}`;
      if (chunk.reportMentions && scan.text.startsWith("#!", comment.start) && /nix-shell/.test(src(scan, comment)) && !reported.has(key)) {
        reported.add(key);
        out.push(finding("cli-not-rewritten", comment, "the nix-shell shebang still provides nixos-generators; the rewritten commands need nixos-rebuild (`-p nixos-rebuild`)"));
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
      if (word0 && (word0.value === "echo" || word0.value === "printf") && o >= word0.end) continue;
    }
    const r = inner ?? m;
    const key = `${r.start}`;
    if (!chunk.reportMentions || reported.has(key)) continue;
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

/** Mentions outside every chunk: in prose (quiet) nothing; elsewhere a warning. */
export function outsideMentions(scan: Scan, regions: Regions): RawFinding[] {
  const text = scan.text;
  const out: RawFinding[] = [];
  const reported = new Set<string>();
  for (const m of mentions(text)) {
    const o = m.start;
    if (regions.chunks.some((c) => within(c, o))) continue;
    if (regions.quiet.some((r) => within(r, o))) continue;
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
