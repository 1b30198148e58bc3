// The passes, in the order they run. This list is the only registry.
import type { Transform } from "../src/types.js";
import { nixosGenerateCall } from "./nixos-generate-call.js";
import { nixosGenerateCli } from "./nixos-generate-cli.js";

export const TRANSFORMS: readonly Transform[] = [nixosGenerateCall, nixosGenerateCli];
