// Every rule a finding can carry. Passes declare their own (transforms/<pass>.meta.ts);
// the engine declares the two it reports itself. This module only collects them.
import type { RuleSpec, Transform } from "./types.js";
import { TRANSFORMS } from "../transforms/index.js";

export const ENGINE_RULES = {
  "syntax-error": {
    severity: "error",
    summary: "The file does not parse; nothing in it was changed.",
    explanation:
      "The file has a syntax error (the finding gives its position), so nothing in it was migrated, and nothing in the " +
      "flake it belongs to when it mentions nixos-generators. Fix it so that `nix-instantiate --parse <file>` accepts it, " +
      "then run again. The parser does not know Nix's experimental pipe operators `|>` and `<|`.",
  },
  "internal-error": {
    severity: "error",
    summary: "The migration produced invalid output; nothing was changed.",
    explanation:
      "A pass failed or produced text that does not parse, so the file (and every file changed on its behalf) was left as it " +
      "was. This is a bug in nixgen-migrate: please report it with the file at the project's issue tracker.",
  },
} as const satisfies Record<string, RuleSpec>;

type KeysOfUnion<T> = T extends unknown ? keyof T & string : never;

/** The id of every rule: a finding with any other id does not compile. */
export type RuleId = keyof typeof ENGINE_RULES | KeysOfUnion<(typeof TRANSFORMS)[number]["rules"]>;

/**
 * Rules by id. A rule several passes report (the format rules) is one object
 * shared by them; two different rules under one id are a programming error.
 */
export function collectRules(transforms: readonly Transform[]): Map<string, RuleSpec> {
  const out = new Map<string, RuleSpec>(Object.entries(ENGINE_RULES));
  for (const t of transforms) {
    for (const [id, spec] of Object.entries(t.rules)) {
      const known = out.get(id);
      if (known && known !== spec) throw new Error(`rule ${id} is declared twice with different meanings (${t.id})`);
      out.set(id, spec);
    }
  }
  return out;
}

export const RULES: Readonly<Record<RuleId, RuleSpec>> = Object.fromEntries(collectRules(TRANSFORMS)) as Record<RuleId, RuleSpec>;
