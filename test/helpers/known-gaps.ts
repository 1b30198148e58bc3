// Documented disagreements between our parser and Nix (test/parse-oracle-known-gaps.json).
import { readFileSync } from "node:fs";
import { join } from "node:path";

const file = join(import.meta.dirname, "..", "parse-oracle-known-gaps.json");
const gaps: { pattern: RegExp; reason: string }[] = (JSON.parse(readFileSync(file, "utf8")).gaps as { pattern: string; reason: string }[]).map(
  (g) => ({ pattern: new RegExp(g.pattern, "u"), reason: g.reason }),
);

/** The reason a text is excused from the parse oracle, or null. */
export function knownGap(text: string): string | null {
  for (const g of gaps) if (g.pattern.test(text)) return g.reason;
  return null;
}

export const isKnownGap = (text: string) => knownGap(text) !== null;
