// The shell tokenizer behind nixos-generate-cli: exact UTF-16 offsets,
// quoting, expansions, nesting, here-documents and the file-type dialects.
import { describe, expect, it } from "vitest";
import { tokenize, type Token, type Word } from "../src/shell/tokenize.js";
import { simpleCommands } from "../src/shell/commands.js";
import { fileKind, hasShellShebang, regionsOf } from "../src/shell/regions.js";

const words = (toks: Token[]) => toks.filter((t): t is Word => t.kind === "word");
const slices = (text: string, toks: Token[]) => toks.map((t) => text.slice(t.start, t.end));

describe("tokenize: words and offsets", () => {
  it("splits words and operators with source offsets", () => {
    const text = "a=1 nixos-generate -f iso && echo ok; x | y || z &";
    const s = tokenize(text);
    expect(slices(text, s.tokens)).toEqual(["a=1", "nixos-generate", "-f", "iso", "&&", "echo", "ok", ";", "x", "|", "y", "||", "z", "&"]);
    expect(s.tokens.filter((t) => t.kind === "op").map((t) => (t as { op: string }).op)).toEqual(["&&", ";", "|", "||", "&"]);
  });

  it("uses UTF-16 offsets after non-ASCII text (emoji are two code units)", () => {
    const text = 'echo "héllo 😀 wörld" && nixos-generate -f iso';
    const ws = words(tokenize(text).tokens);
    const ng = ws.find((w) => w.value === "nixos-generate")!;
    expect(ng.start).toBe(text.indexOf("nixos-generate"));
    expect(ng.start).toBe(25); // 24 characters before it, "😀" is two code units
    expect(ws[1]!.value).toBe("héllo 😀 wörld");
    expect(text.slice(ws[1]!.start, ws[1]!.end)).toBe('"héllo 😀 wörld"');
    const iso = ws[ws.length - 1]!;
    expect(text.slice(iso.start, iso.end)).toBe("iso");
  });

  it("removes quotes and escapes in values, keeps the quoted range", () => {
    const text = `"--format" 'qcow' q\\cow "a b"c 'it'\\''s'`;
    const ws = words(tokenize(text).tokens);
    expect(ws.map((w) => w.value)).toEqual(["--format", "qcow", "qcow", "a bc", "it's"]);
    expect(ws[0]!.quoted).toEqual({ char: '"', inner: { start: 1, end: 9 } });
    expect(ws[1]!.quoted?.char).toBe("'");
    expect(text.slice(ws[1]!.quoted!.inner.start, ws[1]!.quoted!.inner.end)).toBe("qcow");
    expect(ws[2]!.quoted).toBeNull();
    expect(ws[3]!.quoted).toBeNull();
  });

  it("joins line continuations (LF and CRLF) without making them words", () => {
    for (const nl of ["\n", "\r\n"]) {
      const text = `nixos-generate \\${nl}  -f iso \\${nl}\t--flake .#h${nl}next`;
      const s = tokenize(text);
      expect(words(s.tokens).map((w) => w.value)).toEqual(["nixos-generate", "-f", "iso", "--flake", ".#h", "next"]);
      expect(s.tokens.filter((t) => t.kind === "op").length).toBe(1); // the final newline
      const cmds = simpleCommands(s);
      expect(cmds.length).toBe(2);
      expect(cmds[0]!.words.length).toBe(5);
    }
  });

  it("a continuation inside a word joins it", () => {
    const ws = words(tokenize("--fla\\\nke x").tokens);
    expect(ws.map((w) => w.value)).toEqual(["--flake", "x"]);
  });

  it("marks expansions as not literal and names single parameters", () => {
    const text = 'a $F ${F} "$F" "${F}" "x$F" ${F:-iso} $1 "$@" ~/c.nix';
    const ws = words(tokenize(text).tokens);
    expect(ws.map((w) => w.value)).toEqual(["a", null, null, null, null, null, null, null, null, "~/c.nix"]);
    expect(ws.map((w) => w.param)).toEqual([null, "F", "F", "F", "F", null, null, null, null, null]);
  });

  it("parses $( … ), nested substitutions and backticks with offsets", () => {
    const text = 'out=$(nixos-generate -f "$(echo iso)" --flake .#h) x=`nixos-generate --list`';
    const s = tokenize(text);
    const ws = words(s.tokens);
    expect(ws.length).toBe(2);
    const sub = ws[0]!.subs[0]!;
    expect(slices(text, sub.tokens)).toEqual(["nixos-generate", "-f", '"$(echo iso)"', "--flake", ".#h"]);
    const inner = (sub.tokens[2] as Word).subs[0]!;
    expect(slices(text, inner.tokens)).toEqual(["echo", "iso"]);
    expect(slices(text, ws[1]!.subs[0]!.tokens)).toEqual(["nixos-generate", "--list"]);
    const cmds = simpleCommands(s);
    expect(cmds.map((c) => [text.slice(c.start, c.end), c.nested])).toEqual([
      ['out=$(nixos-generate -f "$(echo iso)" --flake .#h) x=`nixos-generate --list`', false],
      ['nixos-generate -f "$(echo iso)" --flake .#h', true],
      ["echo iso", true],
      ["nixos-generate --list", true],
    ]);
  });

  it("does not end $( … ) at a case pattern", () => {
    const text = "v=$(case $x in a) echo a;; esac) next";
    const ws = words(tokenize(text).tokens);
    expect(ws.map((w) => text.slice(w.start, w.end))).toEqual(["v=$(case $x in a) echo a;; esac)", "next"]);
  });

  it("keeps backticks with escapes opaque", () => {
    const ws = words(tokenize("x=`echo \\`nixos-generate\\``").tokens);
    expect(ws[0]!.subs.length).toBe(0);
    expect(ws[0]!.opaque.length).toBe(1);
  });

  it("treats # as a comment only at the start of a word", () => {
    const text = "nixos-generate --flake .#h # build it\n";
    const s = tokenize(text);
    expect(slices(text, s.tokens)).toEqual(["nixos-generate", "--flake", ".#h", "# build it", "\n"]);
    expect(s.tokens[3]!.kind).toBe("comment");
  });

  it("reads redirections with io numbers and targets", () => {
    const text = "nixos-generate -f iso >out.txt 2>&1 </dev/null";
    const s = tokenize(text);
    const redirs = s.tokens.filter((t) => t.kind === "redir");
    expect(redirs.map((r) => [r.op, r.fd, r.target && text.slice(r.target.start, r.target.end)])).toEqual([
      [">", null, "out.txt"],
      [">&", "2", "1"],
      ["<", null, "/dev/null"],
    ]);
    expect(simpleCommands(s)[0]!.words.map((w) => w.value)).toEqual(["nixos-generate", "-f", "iso"]);
  });

  it("skips here-document bodies (also <<- and quoted delimiters)", () => {
    const text = "cat <<EOF\nnixos-generate -f iso\nEOF\ncat <<-'X'\n\tnixos-generate\n\tX\nafter";
    const s = tokenize(text);
    expect(s.heredocs.map((h) => text.slice(h.start, h.end))).toEqual(["nixos-generate -f iso\n", "\tnixos-generate\n"]);
    expect(words(s.tokens).map((w) => w.value)).toEqual(["cat", "cat", "after"]);
    expect(s.tokens.filter((t) => t.kind === "redir").map((r) => (r.kind === "redir" ? [r.op, r.target?.value] : null))).toEqual([["<<", "EOF"], ["<<-", "X"]]);
  });

  it("indented here-document delimiters when the script is indented in its container", () => {
    const text = "  cat <<EOF\n  body\n  EOF\n  after";
    expect(tokenize(text, 0, text.length, { indentedHeredocs: true }).heredocs.map((h) => text.slice(h.start, h.end))).toEqual(["  body\n"]);
    expect(tokenize(text).heredocs[0]!.end).toBe(text.length); // unterminated without the option
  });

  it("array assignments hold words, not commands", () => {
    const text = "cmd=(nixos-generate -f iso) ; run";
    const s = tokenize(text);
    const w = words(s.tokens)[0]!;
    expect(w.array!.map((a) => a.value)).toEqual(["nixos-generate", "-f", "iso"]);
    expect(simpleCommands(s).map((c) => c.words[0]!.value)).toEqual([null, "run"]);
  });

  it("Makefile dialect: $$ is the shell's $, $(X) is a make reference", () => {
    const text = "out=$$(nixos-generate -f $(FORMAT)); echo $$out $$F";
    const s = tokenize(text, 0, text.length, { make: true });
    const ws = words(s.tokens);
    expect(ws[0]!.subs.length).toBe(1);
    const inner = words(ws[0]!.subs[0]!.tokens);
    expect(inner.map((w) => w.value)).toEqual(["nixos-generate", "-f", null]);
    expect(inner[2]!.templates.length).toBe(1);
    expect(ws.map((w) => w.param)).toEqual([null, null, "out", "F"]);
  });

  it("GitHub Actions ${{ }} and just {{ }} are templates", () => {
    const gha = "nixos-generate -f ${{ matrix.format }} --flake .#h";
    const g = words(tokenize(gha, 0, gha.length, { gha: true }).tokens);
    expect(g.map((w) => w.value)).toEqual(["nixos-generate", "-f", null, "--flake", ".#h"]);
    expect(gha.slice(g[2]!.start, g[2]!.end)).toBe("${{ matrix.format }}");
    const just = "nixos-generate -f {{ format }} --flake .#{{host}} {{{{x";
    const j = words(tokenize(just, 0, just.length, { just: true }).tokens);
    expect(j.map((w) => w.value)).toEqual(["nixos-generate", "-f", null, "--flake", null, "{{x"]);
  });

  it("folded YAML: newlines are blanks", () => {
    const text = "nixos-generate -f iso\n  --flake .#h";
    expect(simpleCommands(tokenize(text, 0, text.length, { foldNewlines: true })).length).toBe(1);
    expect(simpleCommands(tokenize(text)).length).toBe(2);
  });

  it("tokenizes a sub-range of a larger text", () => {
    const text = "prefix: nixos-generate -f iso # c";
    const start = text.indexOf("nixos");
    const s = tokenize(text, start, text.indexOf(" #"));
    expect(slices(text, s.tokens)).toEqual(["nixos-generate", "-f", "iso"]);
  });

  it("never loops or throws on unterminated input", () => {
    for (const t of ['"abc', "'abc", "$(abc", "`abc", "${abc", "$((1", "a <<", "x=(a b", "\\", "$"]) {
      expect(() => tokenize(t)).not.toThrow();
    }
    expect(words(tokenize('"abc').tokens)[0]!.unterminated).toBe(true);
  });
});

describe("simpleCommands", () => {
  it("records the operator before and after and the nesting depth", () => {
    const text = "x || nixos-generate --run | tee; if nixos-generate -f iso; then F=iso; fi\n! a && b";
    const cmds = simpleCommands(tokenize(text));
    const v = cmds.map((c) => [text.slice(c.start, c.end), c.before, c.after, c.depth]);
    expect(v).toEqual([
      ["x", "", "||", 0],
      ["nixos-generate --run", "||", "|", 0],
      ["tee", "|", ";", 0],
      ["nixos-generate -f iso", "if", ";", 1],
      ["F=iso", "then", ";", 1],
      ["a", "!", "&&", 0],
      ["b", "&&", "", 0],
    ]);
  });
});

describe("regions", () => {
  it("knows the file kinds", () => {
    expect(["build.sh", "x.bash", "Makefile", "rules.mk", "justfile", "Justfile", "a.just", ".gitlab-ci.yml", ".github/workflows/b.yaml", "README.md", "scripts/build", "flake.nix", "a.txt"].map(fileKind)).toEqual([
      "script", "script", "makefile", "makefile", "justfile", "justfile", "justfile", "yaml", "yaml", "markdown", "maybe-script", null, null,
    ]);
  });

  it("recognises sh/bash shebangs, including nix-shell ones", () => {
    expect(hasShellShebang("#!/bin/sh\n")).toBe(true);
    expect(hasShellShebang("\ufeff#!/usr/bin/env bash\n")).toBe(true);
    expect(hasShellShebang("#!/usr/bin/env -S bash -e\n")).toBe(true);
    expect(hasShellShebang("#!/usr/bin/env nix-shell\n#!nix-shell -i bash -p nixos-rebuild\n")).toBe(true);
    expect(hasShellShebang("#!/usr/bin/env nix-shell\n#!nix-shell -i python3\n")).toBe(false);
    expect(hasShellShebang("#!/usr/bin/env python3\n")).toBe(false);
    expect(hasShellShebang("echo hi\n")).toBe(false);
  });

  it("Makefile: recipe lines with prefixes, not variables or rule lines", () => {
    const text = "GEN = nixos-generate\nall: x ## help\n\t@-nixos-generate -f iso \\\n\t  --flake .#h\n\techo ok\nX := 1\n";
    const r = regionsOf("makefile", text);
    expect(r.chunks.map((c) => text.slice(c.start, c.end))).toEqual(["nixos-generate -f iso \\\n\t  --flake .#h", "echo ok"]);
    expect(r.masked.length).toBe(text.length);
    expect(r.masked.slice(text.indexOf("@"), text.indexOf("@") + 2)).toBe("  ");
    expect(r.foreign.map((f) => f.where)).toContain("make variable or directive");
  });

  it("YAML: run scalars, block scalars and GitLab script items", () => {
    const text = [
      "jobs:",
      "  b:",
      "    steps:",
      "      - name: nixos-generate",
      "        run: nixos-generate -f iso # c",
      "      - run: |",
      "          a",
      "          b",
      "script:",
      "- one",
      '- "two"',
      "other: nixos-generate",
      "",
    ].join("\n");
    const r = regionsOf("yaml", text);
    expect(r.chunks.map((c) => text.slice(c.start, c.end))).toEqual(["nixos-generate -f iso", "          a\n          b", "one", "two"]);
    expect(r.quiet.map((q) => text.slice(q.start, q.end))).toEqual(["nixos-generate", "# c"]);
    expect(r.foreign.map((f) => text.slice(f.start, f.end))).toEqual(["nixos-generate"]);
  });

  it("Markdown: only shell or untagged fences; console prompts are blanked", () => {
    const text = "text nixos-generate\n```console\n$ nixos-generate -f iso \\\n>   --flake .#h\noutput\n```\n```nix\nx\n```\n```\nplain\n```\n";
    const r = regionsOf("markdown", text);
    expect(r.chunks.map((c) => [r.masked.slice(c.start, c.end), c.reportMentions])).toEqual([
      ["nixos-generate -f iso \\\n    --flake .#h", true],
      ["plain", false],
    ]);
  });
});
