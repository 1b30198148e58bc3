// Renders the core's unified diff (src/report/diff.ts) as rows: the text shown in
// the unified view is exactly the diff the CLI prints; the side-by-side view is
// the same hunks with removed and added runs paired up.

export type RowKind = "header" | "hunk" | "context" | "removed" | "added" | "meta";

export interface DiffRow {
  readonly kind: RowKind;
  /** The diff line as printed (with its `+`/`-`/` ` prefix). */
  readonly raw: string;
  /** Line number in the input (context and removed rows). */
  readonly oldLine?: number;
  /** Line number in the migrated file (context and added rows). */
  readonly newLine?: number;
}

/** Splits a unified diff into typed rows, counting lines by the hunk headers. */
export function parseUnifiedDiff(diff: string): DiffRow[] {
  const rows: DiffRow[] = [];
  if (diff === "") return rows;
  const lines = diff.endsWith("\n") ? diff.slice(0, -1).split("\n") : diff.split("\n");
  let oldLine = 0;
  let newLine = 0;
  let oldLeft = 0;
  let newLeft = 0;
  for (const raw of lines) {
    if (oldLeft === 0 && newLeft === 0) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(raw);
      if (m) {
        oldLeft = m[2] === undefined ? 1 : Number(m[2]);
        newLeft = m[4] === undefined ? 1 : Number(m[4]);
        // an empty side names the line before it
        oldLine = oldLeft === 0 ? Number(m[1]) + 1 : Number(m[1]);
        newLine = newLeft === 0 ? Number(m[3]) + 1 : Number(m[3]);
        rows.push({ kind: "hunk", raw });
        continue;
      }
      rows.push({ kind: raw.startsWith("\\") ? "meta" : "header", raw });
      continue;
    }
    const c = raw[0];
    if (c === "+") {
      rows.push({ kind: "added", raw, newLine: newLine++ });
      newLeft--;
    } else if (c === "-") {
      rows.push({ kind: "removed", raw, oldLine: oldLine++ });
      oldLeft--;
    } else if (c === "\\") {
      rows.push({ kind: "meta", raw });
    } else {
      rows.push({ kind: "context", raw, oldLine: oldLine++, newLine: newLine++ });
      oldLeft--;
      newLeft--;
    }
  }
  return rows;
}

/** Text of a row without its prefix; a CRLF file's `\r` is not shown. */
function body(row: DiffRow): string {
  const s = row.kind === "context" || row.kind === "added" || row.kind === "removed" ? row.raw.slice(1) : row.raw;
  return s.endsWith("\r") ? s.slice(0, -1) : s;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

const SIGN: Record<RowKind, string> = { header: "", hunk: "", context: " ", removed: "-", added: "+", meta: "" };
const LABEL: Partial<Record<RowKind, string>> = { removed: "removed", added: "added" };

/** One row per diff line: old number, new number, the line itself. */
export function renderUnified(rows: readonly DiffRow[]): HTMLTableElement {
  const table = el("table", "diff diff-unified");
  table.setAttribute("aria-label", "Unified diff");
  const tbody = el("tbody");
  for (const row of rows) {
    const tr = el("tr", `row-${row.kind}`);
    if (row.oldLine !== undefined) tr.dataset.oldLine = String(row.oldLine);
    if (row.newLine !== undefined) tr.dataset.newLine = String(row.newLine);
    if (row.kind === "header" || row.kind === "hunk" || row.kind === "meta") {
      const td = el("td", "code", row.raw);
      td.colSpan = 3;
      tr.append(td);
    } else {
      tr.append(el("td", "num", row.oldLine?.toString() ?? ""), el("td", "num", row.newLine?.toString() ?? ""));
      const code = el("td", "code");
      const sign = el("span", "sign", SIGN[row.kind]);
      code.append(sign, body(row));
      if (LABEL[row.kind]) code.setAttribute("aria-label", `${LABEL[row.kind]}: ${body(row)}`);
      tr.append(code);
    }
    tbody.append(tr);
  }
  table.append(tbody);
  return table;
}

interface Pair {
  left?: DiffRow;
  right?: DiffRow;
  full?: DiffRow;
}

function pairRows(rows: readonly DiffRow[]): Pair[] {
  const pairs: Pair[] = [];
  let removed: DiffRow[] = [];
  let added: DiffRow[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(removed.length, added.length); i++) pairs.push({ left: removed[i], right: added[i] });
    removed = [];
    added = [];
  };
  for (const row of rows) {
    if (row.kind === "removed") {
      if (added.length) flush();
      removed.push(row);
    } else if (row.kind === "added") {
      added.push(row);
    } else if (row.kind === "meta") {
      // "\ No newline at end of file" belongs to the line before it
      flush();
      pairs.push({ full: row });
    } else {
      flush();
      if (row.kind === "context") pairs.push({ left: row, right: row });
      else if (row.kind === "hunk") pairs.push({ full: row });
      // file headers are the caption of the side-by-side view
    }
  }
  flush();
  return pairs;
}

/** Input on the left, migrated file on the right. */
export function renderSideBySide(rows: readonly DiffRow[], oldName: string, newName: string): HTMLTableElement {
  const table = el("table", "diff diff-split");
  table.setAttribute("aria-label", "Side-by-side diff");
  // fixed layout takes its widths from here (the first row may be a hunk header spanning all four)
  const cols = el("colgroup");
  for (const c of ["num", "code", "num", "code"]) cols.append(el("col", `col-${c}`));
  table.append(cols);
  const head = el("thead");
  const htr = el("tr");
  const th1 = el("th", "", oldName);
  th1.colSpan = 2;
  th1.scope = "colgroup";
  const th2 = el("th", "", newName);
  th2.colSpan = 2;
  th2.scope = "colgroup";
  htr.append(th1, th2);
  head.append(htr);
  const tbody = el("tbody");
  for (const p of pairRows(rows)) {
    const tr = el("tr");
    if (p.full) {
      tr.className = `row-${p.full.kind}`;
      const td = el("td", "code", p.full.raw);
      td.colSpan = 4;
      tr.append(td);
    } else {
      const side = (row: DiffRow | undefined, which: "old" | "new") => {
        const line = which === "old" ? row?.oldLine : row?.newLine;
        const kind = row ? (row.kind === "context" ? "context" : row.kind) : "empty";
        const num = el("td", `num side-${kind}`, line?.toString() ?? "");
        const code = el("td", `code side-${kind}`);
        if (row) {
          code.append(el("span", "sign", SIGN[row.kind]), body(row));
          if (LABEL[row.kind]) code.setAttribute("aria-label", `${LABEL[row.kind]}: ${body(row)}`);
        }
        return [num, code];
      };
      tr.className = p.left === p.right ? "row-context" : "row-change";
      if (p.left?.oldLine !== undefined) tr.dataset.oldLine = String(p.left.oldLine);
      if (p.right?.newLine !== undefined) tr.dataset.newLine = String(p.right.newLine);
      tr.append(...side(p.left, "old"), ...side(p.right, "new"));
    }
    tbody.append(tr);
  }
  table.append(head, tbody);
  return table;
}
