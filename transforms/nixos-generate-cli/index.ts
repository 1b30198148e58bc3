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
import type { TextEdit } from "../../src/edits.js";
import type { PassContext, PassOutput, RawFinding, Transform } from "../../src/types.js";
import type { Range } from "../../src/shell/tokenize.js";
import { tokenize } from "../../src/shell/tokenize.js";
import { commentsOf, heredocsOf, simpleCommands } from "../../src/shell/commands.js";
import { fileKind, hasShellShebang, regionsOf, type Regions } from "../../src/shell/regions.js";
import { LineIndex } from "../../src/text.js";
import { NAME, mentions, type ChunkInfo, type Scan } from "./common.js";
import { findInvocation } from "./find.js";
import { classify } from "./classify.js";
import { rewrite, settle } from "./rewrite.js";
import { notesOf } from "./notes.js";
import { chunkMentions, outsideMentions } from "./mentions.js";

const NO_OUTPUT: PassOutput = { edits: [], findings: [] };

export const nixosGenerateCli: Transform = {
  id: "nixos-generate-cli",
  summary: "nixos-generate command lines (scripts, Makefiles, justfiles, CI YAML, Markdown) -> nixos-rebuild build-image --image-variant <variant>",
  appliesTo: (path) => fileKind(path) !== null,
  // also finds `nixos-generators` (flake URLs, `nix run` of the CLI)
  needles: [NAME],
  input: "text",
  run(ctx) {
    const kind = fileKind(ctx.path);
    if (!kind) return NO_OUTPUT;
    if (kind === "maybe-script" && !hasShellShebang(ctx.text)) return NO_OUTPUT;
    return migrateText(ctx, regionsOf(kind, ctx.text));
  },
};

export default nixosGenerateCli;

function migrateText(ctx: PassContext, regions: Regions): PassOutput {
  const scan: Scan = { path: ctx.path, text: ctx.text, masked: regions.masked, lines: new LineIndex(ctx.text), allowOldNixpkgs: ctx.options.allowOldNixpkgs === true };
  const edits: TextEdit[] = [];
  const findings: RawFinding[] = [];
  for (const chunk of regions.chunks) {
    const found = mentions(scan.text, chunk.start, chunk.end);
    if (found.length === 0) continue;
    const script = tokenize(scan.masked, chunk.start, chunk.end, chunk.options);
    const info: ChunkInfo = { chunk, commands: simpleCommands(script) };
    /** Commands rewritten or reported: mentions inside are accounted for. */
    const handled: Range[] = [];
    for (const cmd of info.commands) {
      const hit = findInvocation(scan, cmd);
      if (!hit) continue;
      handled.push(cmd);
      if ("refused" in hit) {
        findings.push(hit.refused);
        continue;
      }
      const classified = classify(scan, hit.invocation, info);
      if ("blockers" in classified) {
        findings.push(...classified.blockers);
        continue;
      }
      const { plan } = classified;
      const settled = settle(scan, plan, rewrite(plan));
      if ("refused" in settled) {
        findings.push(settled.refused);
        continue;
      }
      edits.push(...settled.edits);
      findings.push(...notesOf(scan, plan, settled.after));
    }
    findings.push(...chunkMentions(scan, info, found, commentsOf(script), heredocsOf(script), handled));
  }
  findings.push(...outsideMentions(scan, regions));
  return { edits: edits.length ? [{ path: ctx.path, edits }] : [], findings };
}
