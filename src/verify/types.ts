// What --verify found, as the reporters get it (no Node APIs: plain data).

/** One side of an output: it evaluates (its drvPath), it fails (Nix's first error line), or it is not there. */
export interface OutputSide {
  readonly state: "ok" | "fails" | "missing";
  readonly drvPath: string | null;
  /** The system inside the image (config.system.build.toplevel), when found. */
  readonly toplevel: string | null;
  readonly error: string | null;
}

export interface VerifiedOutput {
  /** The output after migration, as an attribute path (`packages.x86_64-linux.vm`). */
  readonly output: string;
  /** The output it is compared with before migration, when that is another one (the image a configuration's image replaces). */
  readonly was: string | null;
  /** Where the migration wrote the image: file, lines before and after migration. */
  readonly file: string;
  readonly lineBefore: number;
  readonly lineAfter: number;
  readonly before: OutputSide;
  readonly after: OutputSide;
  /** Both evaluate: are the image derivations the same? */
  readonly image: "identical" | "differs" | null;
  /** The images differ: is the system in them the same? (unknown: not found in one of them) */
  readonly system: "identical" | "differs" | "unknown" | null;
  /** Why they differ, or Nix's error when the migrated output fails. */
  readonly reason: string | null;
}

/**
 * identical: every output evaluates to the same image; differs: all evaluate,
 * some to other images; fails: an output that evaluated before does not after;
 * error: the flake could not be evaluated (an input that cannot be fetched, a
 * time-out, a flake that does not evaluate at all); nothing: no image output
 * could be compared (none the migration wrote could be located, or none
 * evaluates before and after).
 */
export type VerifyStatus = "identical" | "differs" | "fails" | "error" | "nothing";

export interface FlakeVerification {
  /** The flake.nix, relative to the working directory. */
  readonly flake: string;
  readonly status: VerifyStatus;
  readonly error: string | null;
  readonly outputs: VerifiedOutput[];
  /** Images the migration wrote that are no flake output this could locate (not verified). */
  readonly unlocated: { file: string; lineBefore: number; lineAfter: number }[];
  readonly seconds: number;
}

export interface VerifyReport {
  readonly nixVersion: string;
  readonly flakes: FlakeVerification[];
}

/** May a flake be written after verification? Only when nothing that evaluated before fails after. */
export function mayWrite(f: FlakeVerification): boolean {
  return f.status === "identical" || f.status === "differs" || f.status === "nothing";
}
