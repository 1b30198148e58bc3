// The committed grammar wasm is the one recorded, and rebuilding it from the
// npm package's sources gives the same bytes (scripts/check-grammar.sh).
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

describe("grammar/tree-sitter-nix.wasm", () => {
  it("matches the recorded sha256", () => {
    const sha = createHash("sha256").update(readFileSync(join(root, "grammar", "tree-sitter-nix.wasm"))).digest("hex");
    const recorded = readFileSync(join(root, "grammar", "tree-sitter-nix.wasm.sha256"), "utf8").split(/\s+/)[0];
    expect(sha).toBe(recorded);
  });

  it("rebuilds byte-identically from tree-sitter-nix@0.0.2 (needs Debian's emscripten; .ci/run installs it)", () => {
    const r = spawnSync(join(root, "scripts", "check-grammar.sh"), { encoding: "utf8" });
    expect(r.stderr + r.stdout).toContain("grammar wasm reproducible");
    expect(r.status).toBe(0);
  }, 180_000);
});
