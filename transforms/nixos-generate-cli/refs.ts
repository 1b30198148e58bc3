// Installables and channels: which ones are nixos-generators, which NixOS
// release a ref names, and what runs nixos-rebuild instead.
import { compareRelease } from "../../src/nix/flake.js";

const GENERATORS_REPO =
  /^(?:github:nix-community\/nixos-generators|(?:git\+)?https:\/\/github\.com\/nix-community\/nixos-generators(?:\.git)?)(?:\/[^#?]*)?(?:\?[^#]*)?(?:#(?:nixos-generate|nixos-generators|default)?)?$/i;
const GENERATORS_PACKAGE = /^[^#\s]+#nixos-generators$/;
/** The project by its registry name: `nix run nixos-generators --inputs-from .` runs the flake's own input. */
const GENERATORS_INDIRECT = /^(?:flake:)?nixos-generators(?:\?[^#]*)?(?:#(?:nixos-generate|nixos-generators|default)?)?$/;

/** A flake installable that runs nixos-generate (the project's flake, by URL or registry name, or a nixpkgs' `#nixos-generators`). */
export function isGeneratorsRef(v: string): boolean {
  return GENERATORS_REPO.test(v) || GENERATORS_INDIRECT.test(v) || GENERATORS_PACKAGE.test(v);
}

/** A NixOS release older than 25.05 named in a flake ref, channel or URL. */
export function oldRelease(s: string): string | null {
  // not nixpkgsRelease(): that one wants the release to end the ref, and `…/nixos-24.05.tar.gz` is old too
  const m = /(?:nixos|nixpkgs|release)-(\d\d\.\d\d)/.exec(s);
  return m && compareRelease(m[1]!, "25.05") < 0 ? m[1]! : null;
}

/** The nixos-rebuild installable replacing a nixos-generators one. */
export function rebuildRef(v: string): string {
  if (GENERATORS_PACKAGE.test(v) && !GENERATORS_REPO.test(v) && !GENERATORS_INDIRECT.test(v) && !oldRelease(v)) return v.slice(0, -"nixos-generators".length) + "nixos-rebuild";
  return "nixpkgs#nixos-rebuild";
}
