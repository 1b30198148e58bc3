// Where shell lives in Markdown: fenced code blocks tagged as shell or not
// tagged at all (`$ ` prompts mark the commands of console blocks); the text
// around them is prose.
import type { Range } from "./tokens.js";
import type { Chunk, Regions } from "./regions.js";
import { BOM, blankOut, continues, splitLines } from "./lines.js";

const SHELL_LANGS = new Set(["sh", "bash", "shell", "console", "shell-session", "shellsession", "sh-session", "bash-session"]);

export function markdownRegions(text: string): Regions {
  const chars = text.split("");
  if (text.startsWith(BOM)) chars[0] = " ";
  const lines = splitLines(text);
  const chunks: Chunk[] = [];
  const quiet: Range[] = [{ start: 0, end: text.length }];
  for (let i = 0; i < lines.length; i++) {
    const open = /^([ \t]*)(`{3,}|~{3,})(.*)$/.exec(lines[i]!.text.replace(/^\ufeff/, ""));
    if (!open) continue;
    const fence = open[2]!;
    const info = open[3]!.trim();
    if (fence[0] === "`" && info.includes("`")) continue;
    const lang = (info.split(/[\s{,]/)[0] ?? "").replace(/^\{?\.?/, "").toLowerCase();
    let j = i + 1;
    const closeRe = new RegExp(`^[ \\t]*${fence[0] === "`" ? "`" : "~"}{${fence.length},}[ \\t]*$`);
    while (j < lines.length && !closeRe.test(lines[j]!.text)) j++;
    const body = lines.slice(i + 1, j);
    i = j;
    if (body.length === 0) continue;
    const tagged = SHELL_LANGS.has(lang);
    if (!tagged && lang !== "") continue;
    const prompt = /^[ \t]*\$[ \t]/;
    if (body.some((l) => prompt.test(l.text))) {
      // console: only `$ ` lines (and their continuation lines) are commands
      for (let k = 0; k < body.length; k++) {
        const l = body[k]!;
        const m = prompt.exec(l.text);
        if (!m) continue;
        blankOut(chars, l.start, l.start + m[0].length);
        let e = k;
        while (continues(body[e]!) && e + 1 < body.length) {
          e++;
          const cont = /^[ \t]*>[ \t]/.exec(body[e]!.text);
          if (cont) blankOut(chars, body[e]!.start, body[e]!.start + cont[0].length);
        }
        chunks.push({ start: l.start + m[0].length, end: body[e]!.end, options: { indentedHeredocs: true }, reportMentions: tagged, where: "console command" });
        k = e;
      }
      continue;
    }
    chunks.push({ start: body[0]!.start, end: body[body.length - 1]!.end, options: { indentedHeredocs: true }, reportMentions: tagged, where: "code block" });
  }
  return { masked: chars.join(""), chunks, quiet, foreign: [] };
}
