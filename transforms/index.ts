// The passes, in the order they run. This list is the only registry.
import type { Transform } from "../src/types.js";
import { nixosGenerateCall } from "./nixos-generate-call.js";
import { nixpkgsVersionGuard } from "./nixpkgs-version-guard.js";
import { generatorsModules } from "./generators-modules.js";
import { unusedGeneratorsInput } from "./unused-generators-input.js";
import { flakeLock } from "./flake-lock.js";

export const TRANSFORMS: readonly Transform[] = [nixpkgsVersionGuard, nixosGenerateCall, generatorsModules, unusedGeneratorsInput, flakeLock];
