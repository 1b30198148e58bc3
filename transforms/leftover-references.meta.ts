import type { PassMeta, RuleSpec } from "../src/types.js";

export const rules = {
  "reference-left": {
    severity: "warning",
    fallback: true,
    summary: "nixos-generators is still referenced here, and nothing in the run migrated or explained it.",
    explanation:
      "After the other passes, this line of code still names nixos-generators (its `nixosGenerate`, the input, " +
      "`formatConfigs`, `config.formats`, `formatAttr`, the `nixos-generate` command) in a form no pass migrates: a " +
      "library that wraps `nixosGenerate` for other flakes, inputs handed over under another name, a generated " +
      "attribute name. nixos-generators is retired: replace the use by hand (`config.system.build.images.<variant>` " +
      "of a NixOS configuration instead of `nixosGenerate`, `image.modules.<variant>` instead of `formatConfigs.<format>`; " +
      "`nixgen-migrate --list-formats` has the variant of each format), or remove it. This finding is left out when " +
      "another finding is on the same line or the file has an error or warning that says why it was left.",
  },
} as const satisfies Record<string, RuleSpec>;

/** The id of a rule of this pass: its findings name nothing else. */
export type Rule = keyof typeof rules;

export const meta: PassMeta<typeof rules> = {
  summary: "Points at every reference to nixos-generators that is still in the code and that no other pass reported.",
  doc:
    "The last pass: the safety net of \"no silent leftover\". It reads the code of every Nix file of the run (not " +
    "its comments and strings) for what names nixos-generators, and reports each line the other passes left " +
    "without a word; the engine drops these findings where another finding already covers the line or the file.",
  rules,
};
