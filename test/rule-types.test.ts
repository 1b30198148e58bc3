// A pass's findings can name only the rules it declares: a typo, or another
// pass's rule, is a compile error (src/types.ts: Transform.run returns
// PassOutput<keyof its rules>). Checked with the TypeScript compiler itself.
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const root = join(import.meta.dirname, "..");

function diagnostics(source: string): string[] {
  const dir = mkdtempSync(join(root, "test", ".rule-types-"));
  try {
    const file = join(dir, "pass.ts");
    writeFileSync(file, source);
    const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram([file], { ...config.options, noEmit: true });
    return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pass = (rule: string) => `
import type { Transform } from "../../src/types.js";
import { meta } from "../../transforms/flake-lock.meta.js";
export const p: Transform<typeof meta.rules> = {
  id: "p", ...meta, appliesTo: () => true, needles: [], input: "text",
  run: () => ({ edits: [], findings: [{ rule: "${rule}", message: "m", start: 0, end: 0 }] }),
};
`;

describe("rule ids are types", () => {
  it("a pass may report its own rules, not a typo or another pass's rule", () => {
    expect(diagnostics(pass("flake-lock-pruned"))).toEqual([]);
    expect(diagnostics(pass("flake-lock-prunned")).join("\n")).toMatch(/"flake-lock-prunned"' is not assignable/);
    expect(diagnostics(pass("migrated-call")).join("\n")).toMatch(/"migrated-call"' is not assignable/);
  }, 60_000);
});
