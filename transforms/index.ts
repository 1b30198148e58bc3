// The passes, in the order they run. This list is the only registry.
import type { Transform } from "../src/types.js";
import { nixpkgsVersionGuard } from "./nixpkgs-version-guard.js";
import { nixosGenerateCall } from "./nixos-generate-call/index.js";
import { imageOnlyOptions } from "./image-only-options/index.js";
import { generatorsModules } from "./generators-modules/index.js";
import { unusedGeneratorsInput } from "./unused-generators-input.js";
import { flakeLock } from "./flake-lock.js";
import { nixosGenerateCli } from "./nixos-generate-cli/index.js";
import { leftoverReferences } from "./leftover-references.js";
import { nonFlakeGenerators } from "./non-flake-generators.js";

const PASSES = [
  // flake.nix: refuse nixpkgs < 25.05 before anything else
  nixpkgsVersionGuard,
  // .nix: migrate the uses …
  nixosGenerateCall,
  generatorsModules,
  // image-only-options reads the configurations and image references the two above write
  imageOnlyOptions,
  // … then drop what nothing uses any more
  unusedGeneratorsInput,
  flakeLock,
  nonFlakeGenerators,
  // scripts, Makefiles, CI YAML, Markdown
  nixosGenerateCli,
  // last: what still names nixos-generators and no pass reported
  leftoverReferences,
] as const;

/** The passes as the engine runs them. */
export const TRANSFORMS: readonly Transform[] = PASSES as readonly unknown[] as readonly Transform[];

/** Every pass's rules, by type: src/rules.ts derives RuleId from them. */
export type PassRules = (typeof PASSES)[number]["rules"];
