import type { PassMeta, RuleSpec } from "../src/types.js";

export const rules = {
  "generators-input-kept": {
    severity: "warning",
    summary: "The nixos-generators input is still used, so it stays.",
    explanation:
      "Something still uses the input (a format without an image variant, a use the tool could not migrate, a module file " +
      "that reaches it through `inputs`); the finding names where. Migrate that use by hand (its own finding says how), " +
      "then run nixgen-migrate again: the input, its outputs argument and its flake.lock entries go once nothing uses them.",
  },
  "unused-input-check": {
    severity: "note",
    summary: "Other files can reach the inputs; check they do not use nixos-generators.",
    explanation:
      "The flake hands its inputs to other files (`specialArgs = { inherit inputs; }`, `import ./x.nix { inherit inputs; }`). " +
      "The input was removed after reading every file the flake refers to; modules loaded another way (directory " +
      "listings, other flakes) were not read. If `nix flake check` then says `attribute 'nixos-generators' missing`, migrate " +
      "that file (`nixgen-migrate <file>`) or restore the input.",
  },
} as const satisfies Record<string, RuleSpec>;

export const meta: PassMeta<typeof rules> = {
  summary: "remove the nixos-generators input once nothing uses it",
  doc:
    "Once nothing uses nixos-generators any more, the input goes (every `inputs.<name>…` definition), with its outputs " +
    "argument and the aliases left dead (`gen = nixos-generators.nixosGenerate;`, `inherit (nixos-generators) nixosGenerate;`, " +
    "`with nixos-generators;`). While anything still uses it, it stays and the finding says where.",
  rules,
};
