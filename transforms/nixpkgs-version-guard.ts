/**
 * nixpkgs-version-guard: `system.build.images`, `image.modules` and
 * `nixos-rebuild build-image` first shipped in NixOS 25.05. A flake that pins
 * an older nixpkgs (a release branch or tarball in its URL or flake.lock, or a
 * commit flake.lock dates before images.nix existed) is not migrated unless
 * --allow-old-nixpkgs is given: the result would not evaluate. Runs first and
 * stops the other passes on that flake (the engine keeps its module files
 * unchanged too). Pins it cannot place (a moving branch locked before 25.05, a
 * commit of the months between) get a warning and are migrated.
 */
import { meta } from "./nixpkgs-version-guard.meta.js";
import type { PassOutput, Transform } from "../src/types.js";
import { analyzeFlake, compareRelease, generatorsInputs, lockPathOf, nixpkgsInputFor, nixpkgsPin } from "../src/nix/flake.js";

/** The first release with system.build.images. */
export const MIN_RELEASE = "25.05";

/** NixOS 25.05's release (2025-05-23): a moving branch locked before it may lack variants the migration uses. */
const RELEASE_2505 = Date.UTC(2025, 4, 23) / 1000;
/** nixpkgs' image/images.nix (system.build.images) was added on 2024-11-26: no commit before it has them. */
const IMAGES_INIT = Date.UTC(2024, 10, 26) / 1000;

const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

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
    const pin = nixpkgsPin(flake, np.name, () => ctx.project.read(lockPathOf(ctx.path)));
    if (!pin) return none;
    const input = flake.inputs.get(np.name)!;
    const where = [...input.definitions][0] ?? ctx.file!.root;
    const at = { start: where.start, end: where.end };
    const update = `update the input to nixos-${MIN_RELEASE} or newer (and \`nix flake update ${np.name}\`), then run again, or run with --allow-old-nixpkgs to migrate anyway`;
    const refuse = (why: string): PassOutput => ({
      edits: [],
      halt: true,
      findings: [{ rule: "nixpkgs-too-old", ...at, message: `input \`${np.name}\` ${why}; system.build.images and nixos-rebuild build-image first shipped in NixOS ${MIN_RELEASE}, so the migrated flake would not evaluate. ${update[0]!.toUpperCase()}${update.slice(1)}` }],
    });
    const warn = (message: string): PassOutput => ({ edits: [], findings: [{ rule: "nixpkgs-may-be-old", ...at, message }] });
    switch (pin.kind) {
      case "release": {
        if (compareRelease(pin.release, MIN_RELEASE) >= 0) return none;
        return refuse(`pins nixpkgs ${pin.release} (${pin.fromUrl ? `its URL "${input.url}"` : "flake.lock"})`);
      }
      case "commit": {
        const rev = pin.rev.slice(0, 12);
        if (pin.lastModified === null) {
          return warn(`input \`${np.name}\` pins nixpkgs commit ${rev}, whose date is not known here (no flake.lock entry): system.build.images exists only from NixOS ${MIN_RELEASE} (nixpkgs-unstable from late 2024); check that the commit is that new, or pin nixos-${MIN_RELEASE} or newer`);
        }
        if (pin.lastModified < IMAGES_INIT) return refuse(`pins nixpkgs commit ${rev} of ${day(pin.lastModified)} (flake.lock), older than system.build.images`);
        if (pin.lastModified < RELEASE_2505) {
          return warn(`input \`${np.name}\` pins nixpkgs commit ${rev} of ${day(pin.lastModified)} (flake.lock), before NixOS ${MIN_RELEASE} was released: only nixpkgs-unstable commits from after November 2024 have system.build.images, and some variants came later; pin nixos-${MIN_RELEASE} or newer, or check the migrated flake with \`nix flake check\``);
        }
        return none;
      }
      case "branch": {
        if (pin.lastModified === null || pin.lastModified >= RELEASE_2505) return none;
        return warn(`flake.lock holds input \`${np.name}\`${pin.ref ? ` (${pin.ref})` : ""} at ${day(pin.lastModified)}, before NixOS ${MIN_RELEASE} was released: it may lack system.build.images or some image variants; run \`nix flake update ${np.name}\` first (the migration does not change the lock)`);
      }
    }
  },
};

export default nixpkgsVersionGuard;
