// Text edits on the original string (UTF-16 offsets). Edits are data; applying
// them sorts, rejects overlaps and splices back to front, so everything the
// edits do not cover (comments, layout, CRLF, BOM) is copied unchanged.

export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export class OverlappingEditsError extends Error {
  constructor(a: TextEdit, b: TextEdit) {
    super(`internal error: overlapping edits [${a.start},${a.end}) and [${b.start},${b.end})`);
  }
}

/** Sorted copy; throws on overlap. Two insertions at the same offset keep their order. */
export function sortEdits(edits: readonly TextEdit[]): TextEdit[] {
  const sorted = edits
    .map((e, i) => ({ e, i }))
    .sort((x, y) => x.e.start - y.e.start || x.e.end - y.e.end || x.i - y.i)
    .map((x) => x.e);
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!;
    const cur = sorted[k]!;
    if (cur.start < prev.end) throw new OverlappingEditsError(prev, cur);
  }
  return sorted;
}

export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return source;
  const sorted = sortEdits(edits);
  let out = "";
  let pos = 0;
  for (const e of sorted) {
    if (e.start < 0 || e.end > source.length || e.start > e.end) {
      throw new Error(`internal error: edit [${e.start},${e.end}) outside the text (length ${source.length})`);
    }
    out += source.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + source.slice(pos);
}

/**
 * Maps an offset in the edited text back to the text before the edits: inside
 * replaced text it maps to the start of the replaced range.
 */
export function mapOffsetBack(offset: number, sortedEdits: readonly TextEdit[]): number {
  let delta = 0;
  for (const e of sortedEdits) {
    const newStart = e.start + delta;
    const newEnd = newStart + e.text.length;
    if (offset < newStart) break;
    if (offset < newEnd) return e.start;
    delta += e.text.length - (e.end - e.start);
  }
  return offset - delta;
}
