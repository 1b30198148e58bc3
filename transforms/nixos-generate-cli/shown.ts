// A nixos-generate command shown to people rather than run: in a comment
// (`# nixos-generate -f iso --flake .#host`), an echo text, Markdown inline
// code. It is not rewritten (it may be history, or prose), but a careful
// reviewer wants to see what it would be now: a note with the new command.
import type { Rule } from "./meta.js";
import type { RawFinding } from "../../src/types.js";
import type { Range, TokenizeOptions } from "../../src/shell/tokenize.js";
import { tokenize } from "../../src/shell/tokenize.js";
import { simpleCommands } from "../../src/shell/commands.js";
import { clip, finding, mentions, oneLine, type ChunkInfo, type Scan } from "./common.js";
import { findInvocation } from "./find.js";
import { classify } from "./classify.js";
import { rewrite, settle } from "./rewrite.js";

/**
 * The note for the first nixos-generate command in `range` (read from the
 * text's start, or from a mention of nixos-generate when prose comes first);
 * null when it shows none.
 */
export function shownCommand(scan: Scan, range: Range, options: TokenizeOptions, where: string): RawFinding<Rule> | null {
  // documentation writes placeholders as <host>, arrows as -> or <-, and punctuation after words
  // (`… --flake .#web, then`): read them as words and blanks, not redirections or part of a value
  const text = scan.masked
    .slice(range.start, range.end)
    .replace(/<([A-Za-z][\w.-]*)>/g, (m) => "_" + m.slice(1, -1) + "_")
    .replace(/[<>]/g, " ")
    .replace(/(?<=\S)[,;:.]+(?=\s|$)/g, (m) => " ".repeat(m.length));
  const masked = scan.masked.slice(0, range.start) + text + scan.masked.slice(range.end);
  const local: Scan = { ...scan, masked, placeholders: true };
  const starts = [range.start, ...mentions(masked, range.start, range.end).map((m) => m.start)];
  for (const start of starts) {
    const from = /^[ \t]*(?:#+|\$)?[ \t]*/.exec(masked.slice(start, range.end))![0].length + start;
    // prose may follow the command (`run nixos-generate -f iso to build`): it ends at the first word that is no option
    for (let end = range.end, tries = 0; tries < 2; tries++) {
      const chunk = { start: from, end, options, reportMentions: false, where: where.replace(/^this /, "") };
      const info: ChunkInfo = { chunk, commands: simpleCommands(tokenize(masked, from, end, options)) };
      const cmd = info.commands.find((c) => findInvocation(local, c) !== null);
      const hit = cmd ? findInvocation(local, cmd) : null;
      if (!cmd || !hit || !("invocation" in hit)) break;
      const before = clip(oneLine(scan.shown.slice(cmd.start, cmd.end)));
      const classified = classify(local, hit.invocation, info);
      if ("blockers" in classified) {
        const invalid = classified.blockers.find((b) => b.rule === "cli-invalid-arguments");
        const word = invalid ? masked.slice(invalid.start, invalid.end) : "";
        if (invalid && (!word.startsWith("-") || word === "-" || word === "--") && hit.invocation.args.length > 0 && invalid.start > hit.invocation.args[0]!.start) {
          end = invalid.start;
          continue;
        }
        // words that are not nixos-generate's options: prose that names the command, not a command
        if (invalid) break;
        return finding("cli-command-shown", cmd, `${where} shows \`${before}\`, a nixos-generate command that would not be rewritten as it is: ${classified.blockers[0]!.message}`);
      }
      const settled = settle(local, classified.plan, rewrite(local, classified.plan));
      const after = "after" in settled ? settled.after : null;
      return finding("cli-command-shown", cmd, after
        ? `${where} shows \`${before}\`; nixos-generators is retired, and that command is now \`${clip(after)}\` (it was left as it is: change it if it is meant to be run)`
        : `${where} shows \`${before}\`; nixos-generators is retired: change it by hand`);
    }
  }
  return null;
}
