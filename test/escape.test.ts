// report/escape.ts: paths quoted as git quotes them (git itself is the
// oracle), control characters escaped, workflow commands seen as the runner sees them.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasWorkflowCommand, nixgenMigrateCommand, printable, printableLine, quotePath, shellWord, withCommandsOff } from "../src/report/escape.js";
import { tempProjects } from "./helpers/cli.js";
import { workflowCommands } from "./helpers/workflow-commands.js";

const project = tempProjects();

describe("quotePath", () => {
  it("quotes exactly as `git -c core.quotePath=false ls-files` does; C1 and bidi controls as git's default does", () => {
    const names = ["plain.nix", "sp ace.nix", "ünï 😀.nix", "new\nline.nix", "tab\t.nix", 'quo"te.nix', "back\\slash.nix", "esc\x1b[2J.nix", "bel\x07.nix", "del\x7f.nix", "cr\r.nix"];
    // (git with quotePath=false shows these raw; a terminal may act on them)
    const controls = ["c1\u009b.nix", "rlo\u202e.nix"];
    const dir = project({});
    spawnSync("git", ["init", "-q"], { cwd: dir });
    mkdirSync(join(dir, "d"));
    mkdirSync(join(dir, "c"));
    for (const n of names) writeFileSync(join(dir, "d", n), "");
    for (const n of controls) writeFileSync(join(dir, "c", n), "");
    spawnSync("git", ["add", "-A"], { cwd: dir });
    const ls = (quote: string, under: string) => spawnSync("git", ["-c", `core.quotePath=${quote}`, "ls-files", under], { cwd: dir, encoding: "utf8" }).stdout.split("\n").filter(Boolean).sort();
    expect(names.map((n) => quotePath(`d/${n}`)).sort()).toEqual(ls("false", "d"));
    expect(controls.map((n) => quotePath(`c/${n}`)).sort()).toEqual(ls("true", "c"));
  });
});

describe("printable", () => {
  it("escapes what a terminal acts on, as JSON does, and leaves other text alone", () => {
    expect(printable("a \x1b]0;title\x07 b\u009b\n\t\r")).toBe("a \\u001b]0;title\\u0007 b\\u009b\\n\\t\\r");
    expect(printable("ünïcödé 😀 — `code`")).toBe("ünïcödé 😀 — `code`");
    // bidi overrides reorder what is shown
    expect(printable("x\u202ey")).toBe("x\\u202ey");
    // a diff line keeps its tabs and a CRLF line's final \r
    expect(printableLine("+\tx = 1;\r")).toBe("+\tx = 1;\r");
    expect(printableLine("+x\ry\x1b")).toBe("+x\\ry\\u001b");
  });
});

describe("shell words", () => {
  it("quote what a shell would split, and put `--` before a name like an option", () => {
    expect(shellWord("hosts/flake.nix")).toBe("hosts/flake.nix");
    expect(shellWord("my flake/it's.nix")).toBe(`'my flake/it'\\''s.nix'`);
    expect(nixgenMigrateCommand("--write", "-x.nix")).toBe("nixgen-migrate --write -- -x.nix");
    expect(nixgenMigrateCommand("--write", "a b.nix")).toBe("nixgen-migrate --write 'a b.nix'");
    const sh = spawnSync("sh", ["-c", `printf '%s' ${shellWord("my flake/it's $x.nix")}`], { encoding: "utf8" });
    expect(sh.stdout).toBe("my flake/it's $x.nix");
  });
});

describe("workflow commands", () => {
  it("are found where the runner finds them, and are inert between stop-commands and the token", () => {
    for (const t of ["  ::add-mask::x", "x ##[error]y", "a\r::set-env name=A::b", "::warning::w"]) expect(hasWorkflowCommand(t), JSON.stringify(t)).toBe(true);
    for (const t of ["+::add-mask::x", "a :: b", "## [error]"]) expect(hasWorkflowCommand(t), t).toBe(false);
    const text = " ::add-mask::secret\n##[error]x\n::stop-commands::guess\n::guess::\n::error::still off";
    expect(workflowCommands(text).map((c) => c.name)).toContain("add-mask");
    const off = withCommandsOff(text);
    const commands = workflowCommands(off);
    expect(commands.map((c) => c.name)).toEqual(["stop-commands", commands[0]!.data]);
    expect(commands[0]!.data).toMatch(/^nixgen-migrate-[0-9a-f-]{36}$/);
  });
});
