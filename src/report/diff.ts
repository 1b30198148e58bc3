// Unified diffs that `git apply` and `patch -p1` accept: `a/`/`b/` headers,
// 3 lines of context, "\ No newline at end of file" markers, CRLF kept as is.
import { structuredPatch } from "diff";

export interface DiffColors {
  header(s: string): string;
  hunk(s: string): string;
  added(s: string): string;
  removed(s: string): string;
}

const plain: DiffColors = { header: (s) => s, hunk: (s) => s, added: (s) => s, removed: (s) => s };

/** git quotes paths with special characters; plain paths stay as they are. */
function gitPath(prefix: string, path: string): string {
  const p = prefix + path;
  if (!/[\t\n"\\]/.test(p)) return p;
  return '"' + p.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\t/g, "\\t").replace(/\n/g, "\\n") + '"';
}

/**
 * Diff of one file. `before` undefined means the file is new. Returns "" when
 * nothing differs.
 */
export function unifiedDiff(path: string, before: string | undefined, after: string, colors: DiffColors = plain): string {
  if (before === after) return "";
  const patch = structuredPatch(path, path, before ?? "", after, "", "", { context: 3 });
  if (patch.hunks.length === 0) return "";
  const out: string[] = [];
  out.push(colors.header(`diff --git ${gitPath("a/", path)} ${gitPath("b/", path)}`));
  if (before === undefined) out.push(colors.header("new file mode 100644"));
  out.push(colors.header(`--- ${before === undefined ? "/dev/null" : gitPath("a/", path)}`));
  out.push(colors.header(`+++ ${gitPath("b/", path)}`));
  for (const h of patch.hunks) {
    // an empty side starts at the line before it, as git writes it
    const range = (start: number, lines: number) => (lines === 1 ? `${start}` : `${lines === 0 ? start - 1 : start},${lines}`);
    const oldRange = range(h.oldStart, h.oldLines);
    const newRange = range(h.newStart, h.newLines);
    out.push(colors.hunk(`@@ -${oldRange} +${newRange} @@`));
    for (const line of h.lines) {
      if (line.startsWith("+")) out.push(colors.added(line));
      else if (line.startsWith("-")) out.push(colors.removed(line));
      else out.push(line);
    }
  }
  return out.join("\n") + "\n";
}
