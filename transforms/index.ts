// The passes, in the order they run. This list is the only registry.
import type { Transform } from "../src/types.js";
import { nixosGenerateCall } from "./nixos-generate-call.js";
import { imageOnlyOptions } from "./image-only-options.js";

// image-only-options reads the configurations nixos-generate-call writes.
export const TRANSFORMS: readonly Transform[] = [nixosGenerateCall, imageOnlyOptions];
