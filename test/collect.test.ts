// The collect stage: jobs' results as one result per file, conflicts between
// jobs settled without writing anything; a job that loses a conflict is not
// written at all (a flake is migrated all or nothing).
import { describe, expect, it } from "vitest";
import { collect } from "../src/cli/collect.js";
import type { FileResult } from "../src/engine.js";
import type { JobResult } from "../src/cli/work.js";
import type { Finding } from "../src/types.js";

const file = (path: string, before: string, after: string, primary = false): FileResult => ({ path, before, after, changed: before !== after, primary });
const finding = (path: string, message: string): Finding => ({ path, rule: "migrated-call", severity: "note", message, start: { line: 1, column: 1 }, end: { line: 1, column: 1 }, offset: 0, endOffset: 0 });
const result = (files: FileResult[], findings: Finding[] = []): JobResult => ({ files, findings, errors: [] });
const jobs = [
  { paths: ["a/flake.nix"], explicit: [] },
  { paths: ["b/flake.nix"], explicit: [] },
  { paths: ["lib/shared.nix"], explicit: [] },
];

describe("collect", () => {
  it("the same change from two jobs is written once; findings are not repeated", () => {
    const shared = file("common.nix", "x", "y");
    const c = collect(jobs.slice(0, 2), [
      result([file("a/flake.nix", "1", "2", true), shared], [finding("common.nix", "moved")]),
      result([file("b/flake.nix", "1", "2", true), shared], [finding("common.nix", "moved")]),
    ]);
    expect(c.errors).toEqual([]);
    expect(c.writes.map((w) => w.file.path)).toEqual(["a/flake.nix", "b/flake.nix", "common.nix"]);
    expect(c.findings).toHaveLength(1);
  });

  it("a different change: the first job in path order wins, and nothing of the other is written", () => {
    const c = collect(jobs.slice(0, 2), [
      result([file("a/flake.nix", "1", "2", true), file("common.nix", "x", "from a")]),
      result([file("b/flake.nix", "1", "2", true), file("common.nix", "x", "from b"), file("b/mod.nix", "m", "n")]),
    ]);
    expect(c.writes.map((w) => [w.file.path, w.job])).toEqual([["a/flake.nix", 0], ["common.nix", 0]]);
    expect(c.files.find((f) => f.path === "common.nix")!.after).toBe("from a");
    // the other flake's own files are still shown as changed (a dry run shows its diff)
    expect(c.files.filter((f) => f.changed).map((f) => f.path)).toEqual(["a/flake.nix", "b/flake.nix", "b/mod.nix", "common.nix"]);
    expect(c.errors).toEqual([
      {
        path: "common.nix",
        message: "is changed differently by the migrations of a/flake.nix and b/flake.nix; only the change for a/flake.nix applies, and b/flake.nix's migration is not applied at all (run again once the other is written)",
      },
    ]);
  });

  it("the job whose own file it is wins over the others", () => {
    const c = collect(jobs, [
      result([file("lib/shared.nix", "x", "from a")]),
      result([]),
      result([file("lib/shared.nix", "x", "its own", true)]),
    ]);
    expect(c.writes).toEqual([{ file: { ...file("lib/shared.nix", "x", "its own", true) }, job: 2 }]);
    expect(c.errors[0]!.message).toMatch(/^is changed differently by the migrations of lib\/shared\.nix and a\/flake\.nix; only the change for lib\/shared\.nix applies/);
  });
});
