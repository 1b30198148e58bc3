// Every rule a finding can carry. Passes declare their own (transforms/<pass>.meta.ts);
// the engine declares the two it reports itself. This module only collects them.
import type { RuleSpec, Transform } from "./types.js";
import { TRANSFORMS, type PassRules } from "../transforms/index.js";

export const ENGINE_RULES = {
  "syntax-error": {
    severity: "error",
    summary: "The file does not parse; nothing in it was changed.",
    explanation:
      "The file has a syntax error (the finding gives its position), so nothing in it was migrated, and nothing in the " +
      "flake it belongs to when it mentions nixos-generators. Fix it so that `nix-instantiate --parse <file>` accepts it, " +
      "then run again. The parser does not know Nix's experimental pipe operators `|>` and `<|`.",
  },
  "unparsed-file": {
    severity: "note",
    summary: "A file that does not mention nixos-generators does not parse; it was left as it is.",
    explanation:
      "The parser did not accept the file (most often Nix's experimental pipe operators `|>` and `<|`, which it does " +
      "not know), and the file never mentions nixos-generators, so there is nothing in it to migrate: it was left as it " +
      "is and the run does not fail. A module that sets image options (`isoImage.*`, `sdImage.*` …) is not checked for " +
      "them: move those into `image.modules.<variant>` by hand if it has any.",
  },
  "vendored-generators": {
    severity: "note",
    summary: "A copy of nixos-generators in the repository was skipped.",
    explanation:
      "A directory holds nixos-generators itself (its `nixos-generate.nix`, `format-module.nix` and `formats/`): vendored, " +
      "a git submodule or a fork. Its files are nixos-generators, not uses of it, so none of them was migrated or checked. " +
      "Migrate what points into it (calls of its `nixosGenerate`, imports of its modules), then delete the copy.",
  },
  "internal-error": {
    severity: "error",
    summary: "The migration produced invalid output; nothing was changed.",
    explanation:
      "A pass failed or produced text that does not parse, so the file (and every file changed on its behalf) was left as it " +
      "was. This is a bug in nixgen-migrate: please report it with the file at the project's issue tracker.",
  },
  "file-unreadable": {
    severity: "error",
    summary: "A file the migration needs is there but cannot be read; nothing of the flake was changed.",
    explanation:
      "A file of the flake (a module it imports, flake.lock) exists but could not be read: permissions, an I/O error, " +
      "invalid UTF-8, a NUL byte, or more than the size bound. Nothing of the flake was changed, because a migration " +
      "that skipped the file could leave it using what was removed. Make the file readable (or remove the import) and run again.",
  },
  "flake-not-migrated": {
    severity: "error",
    summary: "Not migrated because a file it goes with (its flake, a file of its flake) could not be; nothing of either was changed.",
    explanation:
      "A flake and its module files are migrated together or not at all. Another file of this flake has an error " +
      "(named in the finding): fix that one, then run again. Nothing in this file was changed.",
  },
  "outside-repository": {
    severity: "warning",
    summary: "A path leads out of the repository through a symbolic link; it was neither read nor changed.",
    explanation:
      "The path resolves (after following symbolic links) to a place outside the repository root, so it was neither read " +
      "nor written: a run never touches files outside the repository it was started in. If the file is yours, migrate it " +
      "by naming it on the command line from its own repository, or replace the link by the file.",
  },
} as const satisfies Record<string, RuleSpec>;

/**
 * What `--verify` reports (a finding of the run, not of a file's text): no fixture can show them, so they are not
 * in RULES; SARIF, annotations and the generated docs list them.
 */
export const VERIFY_RULES = {
  "verify-fails": {
    severity: "error",
    summary: "--verify: an output that evaluated before the migration fails after it; with --write, the flake was not written.",
    explanation:
      "Nix evaluated the output in the flake as it was and could not evaluate it (or no longer finds it) in the migrated " +
      "flake; the message is the first line of Nix's error. The usual cause is a setting of a nixos-generators format " +
      "module left in a configuration that the image variant does not declare: move it into `image.modules.<variant>` " +
      "(the migration's findings name such settings), or remove it. With `--write` nothing of this flake was written: " +
      "fix the cause in the original, run `--verify` again, then `--write`.",
  },
  "verify-differs": {
    severity: "warning",
    summary: "--verify: the migrated output evaluates to another image than before (the reason says where they differ).",
    explanation:
      "Both flakes evaluate, but the image derivations differ: the reason names where the two derivations first differ " +
      "(the system inside the image, kernel parameters, a file name, an input). Most are the known differences of " +
      "nixpkgs' image variants that the migration's `behaviour-change` notes describe; `--parity` keeps nixos-generators' " +
      "behaviour where a module can. Check the reason against those notes; a difference is written with `--write`.",
  },
  "verify-error": {
    severity: "error",
    summary: "--verify: the flake could not be evaluated (an input that cannot be fetched, a time-out, a flake that does not evaluate); with --write, it was not written.",
    explanation:
      "Nothing could be compared: Nix could not fetch an input (offline, or no network: give it with " +
      "`--override-input NAME REF`), an evaluation took longer than `--verify-timeout`, or the flake does not evaluate " +
      "as it is (its lock file, its outputs function). The message says which. Fix that, or run without `--verify`.",
  },
} as const satisfies Record<string, RuleSpec>;

export type VerifyRule = keyof typeof VERIFY_RULES;

type KeysOfUnion<T> = T extends unknown ? keyof T & string : never;

/** The id of every rule: a finding with any other id does not compile. */
export type RuleId = keyof typeof ENGINE_RULES | KeysOfUnion<PassRules>;

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
