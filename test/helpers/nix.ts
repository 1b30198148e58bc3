// The parse oracle: Debian's nix-bin (Nix 2.8) `nix-instantiate --parse`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let available: boolean | undefined;

export function nixAvailable(): boolean {
  available ??= spawnSync("nix-instantiate", ["--version"]).status === 0;
  return available;
}

export interface NixParseResult {
  ok: boolean;
  /** Nix's message (first line) when it rejects the text. */
  error: string;
}

/**
 * Parses each text with `nix-instantiate --parse` (one process per text, no
 * store: `--store dummy://`). Nix 2.8 also reports a few semantic errors
 * (undefined variable, duplicate attribute); those count as "not ok" too.
 */
export function nixParse(texts: string[]): NixParseResult[] {
  const dir = mkdtempSync(join(tmpdir(), "nixgen-oracle-"));
  try {
    return texts.map((text, i) => {
      const file = join(dir, `f${i}.nix`);
      writeFileSync(file, text);
      const r = spawnSync("nix-instantiate", ["--store", "dummy://", "--parse", file], { encoding: "utf8", env: { ...process.env, NIX_REMOTE: "dummy://" } });
      const err = (r.stderr ?? "").split("\n").find((l) => l.includes("error")) ?? r.stderr ?? "";
      return { ok: r.status === 0, error: err.trim() };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function requireNix(): void {
  if (!nixAvailable()) {
    throw new Error("nix-instantiate not found: install Debian's nix-bin (apt-get install -y nix-bin); .ci/run does this");
  }
}
