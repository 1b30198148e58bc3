/**
 * nixpkgs-version-guard: `system.build.images`, `image.modules` and
 * `nixos-rebuild build-image` first shipped in NixOS 25.05. A flake that pins
 * an older nixpkgs release (input URL, or the ref recorded in flake.lock) is
 * not migrated unless --allow-old-nixpkgs is given: the result would not
 * evaluate. Runs first and stops the other passes on that file.
 */
import { meta } from "./nixpkgs-version-guard.meta.js";
import type { PassOutput, Transform } from "../src/types.js";
import { analyzeFlake, compareRelease, generatorsInputs, lockPathOf, nixpkgsInputFor, pinnedRelease } from "../src/nix/flake.js";

/** The first release with system.build.images. */
export const MIN_RELEASE = "25.05";

export const nixpkgsVersionGuard: Transform<typeof meta.rules> = {
  id: "nixpkgs-version-guard",
  ...meta,
  // any .nix file that is a flake (a flake.nix reached through a symlink may have another name)
  appliesTo: (path) => path.endsWith(".nix"),
  needles: ["nixos-generators"],
  input: "nix",
  run(ctx): PassOutput {
    const none: PassOutput = { edits: [], findings: [] };
    if (ctx.options.allowOldNixpkgs) return none;
    const flake = analyzeFlake(ctx.text, ctx.file!.root);
    const gen = flake ? generatorsInputs(flake)[0] : undefined;
    if (!flake || !gen) return none;
    const np = nixpkgsInputFor(flake, gen);
    if (!np) return none;
    const pin = pinnedRelease(flake, np.name, () => ctx.project.read(lockPathOf(ctx.path)));
    if (!pin || compareRelease(pin.release, MIN_RELEASE) >= 0) return none;
    const { release } = pin;
    const input = flake.inputs.get(np.name)!;
    const where = [...input.definitions][0] ?? ctx.file!.root;
    const source = pin.fromUrl ? `its URL "${input.url}"` : "flake.lock";
    return {
      edits: [],
      halt: true,
      findings: [{
        rule: "nixpkgs-too-old",
        message:
          `input \`${np.name}\` pins nixpkgs ${release} (${source}); system.build.images and nixos-rebuild build-image first shipped in NixOS ${MIN_RELEASE}, ` +
          `so the migrated flake would not evaluate. Update the input to nixos-${MIN_RELEASE} or newer (and \`nix flake update ${np.name}\`), then run again, ` +
          "or run with --allow-old-nixpkgs to migrate anyway",
        start: where.start,
        end: where.end,
      }],
    };
  },
};

export default nixpkgsVersionGuard;

