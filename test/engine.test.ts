// src/engine.ts and src/withhold.ts with fake passes: edits of several files
// committed together or not at all, findings mapped back to the original text,
// a failing pass, a halted flake, and a flake migrated all or nothing (with
// the files that go with it).
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../src/index.js";
import { FileError, migrateProject, type ProjectResult, type SourceHost } from "../src/engine.js";
import { nearestFlakes } from "../src/withhold.js";
import type { FileEdits, PassContext, PassOutput, RawFinding, Transform } from "../src/types.js";

beforeAll(async () => {
  await init();
});

/** The rules the fake passes report (a pass reports only rules it declares). */
const rules = {
  "migrated-call": { severity: "note", summary: "a note", explanation: "a note" },
  "nixpkgs-too-old": { severity: "error", summary: "an error", explanation: "an error" },
} as const;

/** A text pass over .nix files (no needles test: "{" is in every file here). */
function pass(id: string, run: (ctx: PassContext) => Partial<PassOutput>, appliesTo: (p: string) => boolean = (p) => p.endsWith(".nix")): Transform {
  return { id, summary: id, doc: id, rules, appliesTo, needles: ["{"], input: "text", run: (ctx) => ({ edits: [], findings: [], ...run(ctx) }) };
}

/** Replaces every `old` in a file's current text by `text` (what a pass sees through ctx.project). */
function replaceAll(path: string, current: string, old: string, text: string): FileEdits {
  const edits = [];
  for (let i = current.indexOf(old); i >= 0; i = current.indexOf(old, i + old.length)) edits.push({ start: i, end: i + old.length, text });
  return { path, edits };
}

const note = (path: string, text: string, needle: string, message: string): RawFinding => {
  const i = text.indexOf(needle);
  return { path, rule: "migrated-call", severity: "note", message, start: i, end: i + needle.length };
};

function host(files: Record<string, string>, unreadable: Record<string, string> = {}): SourceHost & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: (p) => {
      reads.push(p);
      if (p in unreadable) throw new FileError(p, unreadable[p]!);
      return files[p];
    },
  };
}

function run(files: Record<string, string>, primaries: string[], passes: Transform[], unreadable?: Record<string, string>): ProjectResult & { after: (p: string) => string | undefined; lines: string[] } {
  const r = migrateProject(primaries, host(files, unreadable), {}, passes);
  return {
    ...r,
    after: (p) => r.files.find((f) => f.path === p)?.after,
    lines: r.findings.map((f) => `${f.path}:${f.start.line}:${f.start.column} ${f.severity} ${f.rule}`),
  };
}

const changedPaths = (r: ProjectResult) => r.files.filter((f) => f.changed).map((f) => f.path).sort();

/** A flake pass that bumps `1` to `2` in the flake and in every module file it names. */
const bump = (modules: string[]) =>
  pass("bump", (ctx) => {
    if (!ctx.path.endsWith("flake.nix")) return {};
    const dir = ctx.path.includes("/") ? ctx.path.slice(0, ctx.path.lastIndexOf("/") + 1) : "";
    const edits = [replaceAll(ctx.path, ctx.text, "1", "2")];
    for (const m of modules) {
      const text = ctx.project.read(dir + m);
      if (text !== undefined) edits.push(replaceAll(dir + m, text, "1", "2"));
    }
    return { edits, findings: [note(ctx.path, ctx.text, "1", "bumped")] };
  });

const boom = (when: (path: string) => boolean) =>
  pass("boom", (ctx) => {
    if (when(ctx.path)) throw new Error("kaboom");
    return {};
  });

describe("commits", () => {
  it("applies a pass's edits to several files at once and maps findings back to the original text", () => {
    const files = { "flake.nix": "{\n  a = 1;\n}\n", "mod.nix": "# mod\n{ b = 1; }\n" };
    // the first pass grows the flake's first line, the second reports on the text it sees (after the first)
    const grow = pass("grow", (ctx) => (ctx.path === "flake.nix" ? { edits: [{ path: ctx.path, edits: [{ start: 0, end: 1, text: "{ # 😀 longer\n" }] }] } : {}));
    const look = pass("look", (ctx) => {
      if (ctx.path !== "flake.nix") return {};
      const mod = ctx.project.read("mod.nix")!;
      return { findings: [note("flake.nix", ctx.text, "a = 2", "a"), note("mod.nix", mod, "b = 2", "b")] };
    });
    const r = run(files, ["flake.nix"], [bump(["mod.nix"]), grow, look]);
    expect(changedPaths(r)).toEqual(["flake.nix", "mod.nix"]);
    expect(r.after("flake.nix")).toBe("{ # 😀 longer\n\n  a = 2;\n}\n");
    expect(r.after("mod.nix")).toBe("# mod\n{ b = 2; }\n");
    expect(r.files.find((f) => f.path === "mod.nix")!.primary).toBe(false);
    // positions in the texts before migration, also for the other file
    expect(r.lines).toEqual(["flake.nix:2:3 note migrated-call", "flake.nix:2:7 note migrated-call", "mod.nix:2:3 note migrated-call"]);
    expect(r.findings[0]!.offset).toBe(files["flake.nix"].indexOf("a = 1"));
  });

  it("commits all of a pass's files or none: an edit that breaks the syntax of one refuses the flake", () => {
    const files = { "flake.nix": "{ a = 1; }\n", "mod.nix": "{ b = 1; }\n" };
    const breaks = pass("breaks", (ctx) =>
      ctx.path === "flake.nix"
        ? { edits: [replaceAll("flake.nix", ctx.text, "1", "3"), { path: "mod.nix", edits: [{ start: 0, end: 1, text: "(" }] }] }
        : {},
    );
    const r = run(files, ["flake.nix"], [breaks]);
    expect(changedPaths(r)).toEqual([]);
    expect(r.files.find((f) => f.path === "flake.nix")!.refused).toMatchObject({ kind: "internal", message: expect.stringMatching(/^breaks: the migrated mod\.nix would not parse/) });
    expect(r.lines).toEqual(["flake.nix:1:1 error internal-error"]);
  });

  it("overlapping edits are an internal error of the pass, nothing is applied", () => {
    const overlap = pass("overlap", (ctx) => ({ edits: [{ path: ctx.path, edits: [{ start: 0, end: 3, text: "{" }, { start: 2, end: 4, text: "" }] }] }));
    const r = run({ "flake.nix": "{ a = 1; }\n" }, ["flake.nix"], [overlap]);
    expect(r.after("flake.nix")).toBe("{ a = 1; }\n");
    expect(r.findings[0]!.message).toMatch(/^internal error in overlap: internal error: overlapping edits/);
  });
});

describe("a failing pass", () => {
  it("puts back every file changed on the flake's behalf, also one named on the command line, and drops the notes", () => {
    const files = { "flake.nix": "{ a = 1; }\n", "iso.nix": "{ b = 1; }\n", "other.nix": "{ c = 1; }\n" };
    // the pre-commit case: `nixgen-migrate --write flake.nix iso.nix`
    const r = run(files, ["flake.nix", "iso.nix"], [bump(["iso.nix", "other.nix"]), boom((p) => p === "flake.nix")]);
    expect(changedPaths(r)).toEqual([]);
    expect(r.after("iso.nix")).toBe(files["iso.nix"]);
    expect(r.files.find((f) => f.path === "flake.nix")!.refused?.kind).toBe("internal");
    expect(r.files.find((f) => f.path === "iso.nix")!.refused).toMatchObject({ kind: "withheld", because: "flake.nix" });
    // no "bumped" note for a file that was not changed; the refusal and why the others were not
    expect(r.lines).toEqual(["flake.nix:1:1 error internal-error", "iso.nix:1:1 error flake-not-migrated", "other.nix:1:1 error flake-not-migrated"]);
    const messages = r.findings.map((f) => f.message);
    expect(messages[1]).toBe("not migrated, because its flake flake.nix was not (an internal error); run again once it can be");
    expect(messages[2]).toMatch(/^left as it was: the migration of flake\.nix, which changes this file, was not applied/);
  });

  it("of a module file that does not mention nixos-generators refuses that file alone", () => {
    const files = { "flake.nix": "{ a = 1; }\n", "lib.nix": "{ b = 1; }\n" };
    const r = run(files, ["flake.nix", "lib.nix"], [bump([]), boom((p) => p === "lib.nix")]);
    expect(changedPaths(r)).toEqual(["flake.nix"]);
    expect(r.lines).toEqual(["flake.nix:1:7 note migrated-call", "lib.nix:1:1 error internal-error"]);
  });

  it("of a module file the flake changed takes the flake with it (its edits there would be lost)", () => {
    const files = { "flake.nix": "{ a = 1; }\n", "lib.nix": "{ b = 1; }\n" };
    const r = run(files, ["flake.nix", "lib.nix"], [bump(["lib.nix"]), boom((p) => p === "lib.nix")]);
    expect(changedPaths(r)).toEqual([]);
    expect(r.lines).toEqual(["flake.nix:1:1 error flake-not-migrated", "lib.nix:1:1 error internal-error"]);
    expect(r.findings[0]!.message).toBe("not migrated: its migration changes lib.nix, which was not migrated (an internal error)");
  });

  it("of a file that mentions nixos-generators refuses its flake and the flake's other files; a script's does not", () => {
    const files = {
      "flake.nix": "{ a = 1; inputs.nixos-generators.url = \"x\"; }\n",
      "gen.nix": "{ x = 1; } # inputs.nixos-generators.nixosModules.iso\n",
      "plain.nix": "{ y = 1; }\n",
      "build.sh": "nixos-generate -f iso\n",
    };
    const own = pass("own", (ctx) => ({ edits: [replaceAll(ctx.path, ctx.text, "1", "2")] }), (p) => p.endsWith(".nix") || p.endsWith(".sh"));
    const r = run(files, ["flake.nix", "gen.nix", "plain.nix"], [own, boom((p) => p === "gen.nix")]);
    expect(changedPaths(r)).toEqual([]);
    expect(r.lines).toEqual(["flake.nix:1:1 error flake-not-migrated", "gen.nix:1:1 error internal-error", "plain.nix:1:1 error flake-not-migrated"]);
    expect(r.findings[0]!.message).toBe(
      "not migrated, because gen.nix, a file of this flake that mentions nixos-generators, was not (an internal error); migrating the flake without it could break what it does",
    );
    const script = run(files, ["flake.nix", "build.sh"], [own, boom((p) => p === "build.sh")]);
    expect(changedPaths(script)).toEqual(["flake.nix"]);
  });
});

describe("a halted flake", () => {
  const guard = pass("guard", (ctx) =>
    ctx.path.endsWith("flake.nix") && ctx.text.includes("old")
      ? { halt: true, findings: [{ rule: "nixpkgs-too-old", message: "too old", start: 0, end: 1 }] }
      : {},
  );
  const own = pass("own", (ctx) => ({ edits: [replaceAll(ctx.path, ctx.text, "1", "2")], findings: [note(ctx.path, ctx.text, "1", "changed")] }));

  it("stops later passes on it and keeps every file of the flake as it was, each with one finding", () => {
    const files = { "flake.nix": "{ a = 1; /* old */ }\n", "hosts/iso.nix": "{ b = 1; }\n", "sub/flake.nix": "{ c = 1; }\n", "sub/x.nix": "{ d = 1; }\n" };
    const r = run(files, ["flake.nix", "hosts/iso.nix", "sub/flake.nix", "sub/x.nix"], [guard, own]);
    // sub/ is another flake: migrated
    expect(changedPaths(r)).toEqual(["sub/flake.nix", "sub/x.nix"]);
    expect(r.lines).toEqual([
      "flake.nix:1:1 error nixpkgs-too-old",
      "hosts/iso.nix:1:1 error flake-not-migrated",
      "sub/flake.nix:1:7 note migrated-call",
      "sub/x.nix:1:7 note migrated-call",
    ]);
    expect(r.findings[1]!.message).toBe("not migrated, because its flake flake.nix was not (nixpkgs-too-old); run again once it can be");
    // a halt is the pass's verdict (exit 1 with its error), not a refusal of the flake itself
    expect(r.files.find((f) => f.path === "flake.nix")!.refused).toBeUndefined();
    expect(r.files.find((f) => f.path === "hosts/iso.nix")!.refused?.kind).toBe("withheld");
  });

  it("a halted file that is not a flake stops only itself", () => {
    const files = { "flake.nix": "{ a = 1; }\n", "old.nix": "{ b = 1; } # old\n" };
    const halts = pass("halts", (ctx) => (ctx.text.includes("old") ? { halt: true } : {}));
    const r = run(files, ["flake.nix", "old.nix"], [halts, own]);
    expect(changedPaths(r)).toEqual(["flake.nix"]);
  });
});

describe("syntax errors", () => {
  const own = pass("own", (ctx) => ({ edits: [replaceAll(ctx.path, ctx.text, "1", "2")] }));

  it("a file of the flake that mentions nixos-generators and does not parse refuses the flake, naming the file", () => {
    const files = { "flake.nix": "{ a = 1; inputs.nixos-generators.url = \"x\"; }\n", "gen.nix": "{ x = nixosGenerate { }; y = ; }\n", "plain.nix": "{ y = 1; }\n" };
    const r = run(files, ["flake.nix", "gen.nix", "plain.nix"], [own]);
    expect(changedPaths(r)).toEqual([]);
    expect(r.lines).toEqual(["flake.nix:1:1 error flake-not-migrated", "gen.nix:1:29 error syntax-error", "plain.nix:1:1 error flake-not-migrated"]);
    expect(r.findings[0]!.message).toMatch(/^not migrated: gen\.nix, a file of this flake that mentions nixos-generators, has a syntax error \(at 1:29\)/);
    expect(r.findings[2]!.message).toBe("not migrated, because its flake flake.nix was not (gen.nix has a syntax error at 1:29); run again once it can be");
  });

  it("one that does not mention nixos-generators is left with a note and refuses nothing else", () => {
    const files = { "flake.nix": "{ a = 1; }\n", "pipes.nix": "{ y = 1 |> f; }\n", "plain.nix": "{ y = 1; }\n" };
    const r = run(files, ["flake.nix", "pipes.nix", "plain.nix"], [own]);
    expect(changedPaths(r)).toEqual(["flake.nix", "plain.nix"]);
    expect(r.lines).toEqual([expect.stringMatching(/^pipes\.nix:1:\d+ note unparsed-file$/)]);
    expect(r.files.find((f) => f.path === "pipes.nix")!.refused?.kind).toBe("unparsed");
    // a flake in that state keeps its module files migrating on their own
    const flake = run({ "flake.nix": "{ a = 1 |> f; }\n", "mod.nix": "{ b = 1; }\n" }, ["flake.nix", "mod.nix"], [own]);
    expect(changedPaths(flake)).toEqual(["mod.nix"]);
    expect(flake.lines).toEqual([expect.stringMatching(/^flake\.nix:1:\d+ note unparsed-file$/)]);
  });

  it("a file that mentions nixos-generators beside a flake that does not (test data) refuses only itself", () => {
    const files = { "flake.nix": "{ a = 1; }\n", "data/gen.nix": "{ x = nixosGenerate { }; y = ; }\n" };
    const r = run(files, ["flake.nix", "data/gen.nix"], [own]);
    expect(changedPaths(r)).toEqual(["flake.nix"]);
    expect(r.lines).toEqual(["data/gen.nix:1:29 error syntax-error"]);
  });

  it("a flake that does not parse keeps its module files as they are", () => {
    const files = { "flake.nix": "{ a = ; inputs.nixos-generators.url = \"x\"; }\n", "mod.nix": "{ b = 1; }\n" };
    const r = run(files, ["flake.nix", "mod.nix"], [own]);
    expect(changedPaths(r)).toEqual([]);
    expect(r.lines).toEqual(["flake.nix:1:6 error syntax-error", "mod.nix:1:1 error flake-not-migrated"]);
    // the hint names the file so that a shell takes it as one
    const dash = run({ "-x.nix": "{ a = ; } # nixos-generators\n" }, ["-x.nix"], [own]);
    expect(dash.findings[0]!.message).toContain("`nix-instantiate --parse ./-x.nix`");
  });
});

describe("two flakes that change one module file", () => {
  it("are migrated together or not at all", () => {
    const files = { "a/flake.nix": "{ a = 1; }\n", "b/flake.nix": "{ b = 1; }\n", "a/shared.nix": "{ s = 1; t = 1; }\n" };
    // b's pass changes a/shared.nix too (a module both import)
    const both = pass("both", (ctx) => {
      if (!ctx.path.endsWith("flake.nix")) return {};
      const shared = ctx.project.read("a/shared.nix")!;
      const which = ctx.path.startsWith("a/") ? "s = 1" : "t = 1";
      return { edits: [replaceAll(ctx.path, ctx.text, "1", "2"), replaceAll("a/shared.nix", shared, which, which.replace("1", "2"))] };
    });
    const ok = run(files, ["a/flake.nix", "b/flake.nix"], [both]);
    expect(ok.after("a/shared.nix")).toBe("{ s = 2; t = 2; }\n");
    const r = run(files, ["a/flake.nix", "b/flake.nix"], [both, boom((p) => p === "a/flake.nix")]);
    expect(changedPaths(r)).toEqual([]);
    expect(r.lines).toEqual(["a/flake.nix:1:1 error internal-error", "a/shared.nix:1:1 error flake-not-migrated", "b/flake.nix:1:1 error flake-not-migrated"]);
    expect(r.findings[1]!.message).toBe("left as it was: the migration of a/flake.nix, which changes this file, was not applied (an internal error)");
    expect(r.findings[2]!.message).toBe("not migrated: its migration changes a/shared.nix, which keeps its text (a/flake.nix: an internal error)");
  });
});

describe("the host", () => {
  it("undefined is an absent file; a FileError (there but unreadable) refuses the flake and its files", () => {
    const files = { "flake.nix": "{ a = 1; }\n", "mod.nix": "{ b = 1; }\n" };
    const reads = pass("reads", (ctx) => {
      if (ctx.path !== "flake.nix") return {};
      const absent = ctx.project.read("absent.nix");
      const mod = ctx.project.read("mod.nix");
      return { edits: [replaceAll(ctx.path, ctx.text, "1", absent === undefined ? "2" : "3")], findings: mod ? [] : [note("flake.nix", ctx.text, "a", "no module")] };
    });
    const ok = run(files, ["flake.nix", "mod.nix"], [reads]);
    expect(ok.after("flake.nix")).toBe("{ a = 2; }\n");
    const r = run(files, ["flake.nix", "other.nix"], [reads], { "mod.nix": "permission denied" });
    expect(changedPaths(r)).toEqual([]);
    expect(r.files.find((f) => f.path === "flake.nix")!.refused).toEqual({ kind: "unreadable", message: "mod.nix: permission denied" });
    expect(r.findings.map((f) => `${f.rule} ${f.message}`)).toContain(
      "file-unreadable mod.nix: permission denied: the migration needs this file, so nothing of it was migrated; make it readable and run again",
    );
    // a primary that cannot be read is refused, with the host's words
    const named = run(files, ["flake.nix"], [reads], { "flake.nix": "is not valid UTF-8 (first bad byte at offset 3); convert it to UTF-8 first" });
    expect(named.files[0]!.refused).toEqual({ kind: "unreadable", message: "is not valid UTF-8 (first bad byte at offset 3); convert it to UTF-8 first" });
  });
});

describe("nearestFlakes", () => {
  it("is the flake.nix in the deepest directory above, by path alone", () => {
    const m = nearestFlakes(["flake.nix", "a/flake.nix", "a/b/c/x.nix", "a/y.nix", "z.nix", "b/w.nix", "../out/v.nix", "/abs/u.nix", "a/b/flake.nix"]);
    expect(Object.fromEntries(m)).toEqual({ "a/b/c/x.nix": "a/b/flake.nix", "a/y.nix": "a/flake.nix", "z.nix": "flake.nix", "b/w.nix": "flake.nix" });
    expect(nearestFlakes(["../p/flake.nix", "../p/q/x.nix", "../r.nix"]).get("../p/q/x.nix")).toBe("../p/flake.nix");
    expect(nearestFlakes(["../p/flake.nix", "../r.nix"]).has("../r.nix")).toBe(false);
  });
});
