// What the script around a command says about it: a variable's single literal
// value, an earlier assignment, whether the command's output is used.
import type { Word } from "../../src/shell/tokenize.js";
import { assignmentName, type SimpleCommand } from "../../src/shell/commands.js";
import { clip, oneLine, src, type ChunkInfo, type Scan } from "./common.js";

/** Whether something reads the command's standard output (a substitution, a pipe, a redirection). */
export function stdoutConsumed(cmd: SimpleCommand): boolean {
  if (cmd.nested) return true;
  if (cmd.after === "|" || cmd.after === "|&") return true;
  return cmd.redirects.some((r) => (r.fd === null || r.fd === "1") && [">", ">>", ">|", "&>", "&>>"].includes(r.op));
}

/** `NAME=…` as an assignment of its own earlier in the chunk, or `export NAME=…` (not a prefix of one command). */
export function assignedBefore(scan: Scan, name: string, cmd: SimpleCommand, info: ChunkInfo): boolean {
  return info.commands.some((c) => {
    if (c.start >= cmd.start || c.words.length === 0) return false;
    const standalone = c.words.every((w) => assignmentName(scan.masked, w) !== null);
    const exported = c.words[0]!.value === "export";
    return (standalone || exported) && c.words.some((w) => assignmentName(scan.masked, w) === name);
  });
}

/**
 * The literal value of `$NAME` when the script assigns it exactly once, at
 * top level, above the use, and nothing else can set it.
 */
export function resolveVariable(scan: Scan, name: string, use: Word, info: ChunkInfo): { value: string; assign: Word } | { reason: string } {
  const chunkText = scan.masked.slice(info.chunk.start, info.chunk.end);
  if (chunkText.includes("${" + name + ":=") || chunkText.includes("${" + name + "=")) return { reason: `$${name} is also set by \${${name}:=…}` };
  const assigns: { w: Word; cmd: SimpleCommand }[] = [];
  for (const c of info.commands) {
    for (const w of c.words) {
      if (assignmentName(scan.masked, w) === name) assigns.push({ w, cmd: c });
      else if (w.value === name && w !== c.words[0]) return { reason: `$${name} is also set or changed by \`${clip(oneLine(src(scan, c)), 60)}\`` };
    }
    if (c.words.length && c.words[0]!.value === name) {
      const loop = c.reserved.find((r) => r.value === "for" || r.value === "select");
      return { reason: loop ? `$${name} is also set by \`${clip(oneLine(src(scan, { start: loop.start, end: c.end })), 60)}\`` : `$${name} is also used as a command name` };
    }
  }
  if (assigns.length === 0) return { reason: `$${name} is not assigned in this ${info.chunk.where}` };
  if (assigns.length > 1) return { reason: `$${name} is assigned ${assigns.length} times` };
  const { w, cmd } = assigns[0]!;
  const raw = scan.masked.slice(w.start, w.end);
  const first = cmd.words[0]!;
  const standalone = cmd.words.every((x) => assignmentName(scan.masked, x) !== null) || ((first.value === "export" || first.value === "readonly") && w !== first);
  if (w.start > use.start) return { reason: `$${name} is assigned only below its use` };
  if (cmd.nested || cmd.depth > 0 || !standalone || raw[name.length] !== "=") return { reason: `$${name} is assigned conditionally or for one command only` };
  if (w.value === null) return { reason: `$${name} is assigned from an expansion` };
  return { value: w.value.slice(name.length + 1), assign: w };
}
