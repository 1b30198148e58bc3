// The passes, in the order they run. This list is the only registry.
import type { Transform } from "../src/types.js";
import { nixpkgsVersionGuard } from "./nixpkgs-version-guard.js";
import { nixosGenerateCall } from "./nixos-generate-call.js";
import { imageOnlyOptions } from "./image-only-options.js";
import { generatorsModules } from "./generators-modules.js";
import { unusedGeneratorsInput } from "./unused-generators-input.js";
import { flakeLock } from "./flake-lock.js";
import { nixosGenerateCli } from "./nixos-generate-cli.js";
import { nonFlakeGenerators } from "./non-flake-generators.js";

export const TRANSFORMS = [
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
] as const satisfies readonly Transform[];
