// Delta debugging (ddmin) on a failing text: lines first, then characters, as
// long as the failure stays the same. `fails` may be async (the parse oracle).

export interface ShrinkOptions {
  /** Give up after this many calls of `fails` (default 2000). */
  readonly budget?: number;
}

async function ddmin(units: string[], join: (u: string[]) => string, fails: (t: string) => boolean | Promise<boolean>, budget: { left: number }): Promise<string[]> {
  let n = 2;
  let cur = units;
  while (cur.length >= 2 && budget.left > 0) {
    const size = Math.ceil(cur.length / n);
    let reduced = false;
    for (let i = 0; i < cur.length && budget.left > 0; i += size) {
      const complement = [...cur.slice(0, i), ...cur.slice(i + size)];
      budget.left--;
      if (await fails(join(complement))) {
        cur = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(cur.length, n * 2);
    }
  }
  return cur;
}

/** The smallest text found that still `fails`. */
export async function shrink(text: string, fails: (t: string) => boolean | Promise<boolean>, options: ShrinkOptions = {}): Promise<string> {
  const budget = { left: options.budget ?? 2000 };
  let cur = text;
  const lines = cur.split(/(?<=\n)/);
  cur = (await ddmin(lines, (u) => u.join(""), fails, budget)).join("");
  // characters, in code points (no half surrogate pairs unless the input had them)
  if (cur.length <= 20_000) cur = (await ddmin([...cur], (u) => u.join(""), fails, budget)).join("");
  return cur;
}

/** A problem line without numbers and quoted details, to tell "the same failure" from another. */
export function problemKey(problem: string): string {
  return problem.replace(/\d+/g, "N").replace(/\([^)]*\)/g, "()").slice(0, 80);
}
