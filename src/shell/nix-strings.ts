// Nix string literals read as shell text: a `writeShellScriptBin` body, a
// flake app's script, a `runCommand` builder. A view decodes the literal
// (escapes such as `''${` and `\"` become what the shell sees; interpolations
// stay as written and are marked as parts filled in before the shell runs),
// maps every offset of that text back to the file, and writes edits made on
// the text back into the literal with the escapes Nix needs, checking that
// the new literal means exactly the edited text.
import type { TextEdit } from "../edits.js";
import { applyEdits, sortEdits } from "../edits.js";
import { parseNix, type SyntaxNode } from "../parse.js";
import { attrpathKeys, calleeName, field, outer } from "../nix/ast.js";
import type { Range } from "./tokens.js";

/** What a string literal is used for, judged from where it sits. */
export type StringRole =
  /** a shell script or command line (the default) */
  | "script"
  /** the builder of a derivation (`runCommand`, `buildPhase`): it runs inside a Nix build */
  | "builder"
  /** text for people: descriptions, messages, names */
  | "prose"
  /** a flake reference or URL (`inputs.x.url`, `follows`) */
  | "reference"
  /** a program path (`apps.<name>.program`): the arguments come when it is run */
  | "program";

export interface NixStringView {
  /** The literal in the file, delimiters included. */
  readonly node: Range;
  readonly kind: "indented" | "double";
  /** Where the contents start and end in the file. */
  readonly contents: Range;
  /** The contents with escapes decoded; interpolations as written (`${…}`). */
  readonly text: string;
  /** The same with the inside of every interpolation blanked to `_` (one shell word piece each). */
  readonly masked: string;
  /** Interpolations in `text`: start -> end. */
  readonly templates: ReadonlyMap<number, number>;
  readonly role: StringRole;
  /** The binding or function that gives the role, for messages (`text`, `runCommand` …). */
  readonly roleName: string | null;
  /** File offset of text offset `i` (0 … text.length). */
  sourceAt(i: number): number;
  /** Whether an edit may start or end at text offset `i` (false inside an escape that decodes to several characters). */
  boundary(i: number): boolean;
}

/** Every string literal of the file whose contents match `wanted`, outermost first. */
export function nixStringViews(source: string, root: SyntaxNode, wanted: RegExp): NixStringView[] {
  const out: NixStringView[] = [];
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if ((n.type === "string_expression" || n.type === "indented_string_expression") && wanted.test(source.slice(n.start, n.end))) {
      out.push(viewOf(source, n));
    }
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out.sort((a, b) => a.node.start - b.node.start);
}

interface Decoded {
  readonly text: string;
  /** File offset of each text offset, plus the end of the contents. */
  readonly at: number[];
  /** False where an edit must not start or end (inside one escape that decodes to several characters). */
  readonly ok: boolean[];
  readonly templates: Map<number, number>;
}

/** Decodes a string literal node of `source` (tree-sitter-nix's string children). */
function decode(source: string, node: SyntaxNode): Decoded {
  const indented = node.type === "indented_string_expression";
  let text = "";
  const at: number[] = [];
  const ok: boolean[] = [];
  const templates = new Map<number, number>();
  const put = (s: string, from: number, whole = false) => {
    for (let k = 0; k < s.length; k++) {
      at.push(whole && k > 0 ? from : from + (whole ? 0 : k));
      // never between the two halves of a surrogate pair either
      const low = s.charCodeAt(k) >= 0xdc00 && s.charCodeAt(k) <= 0xdfff;
      ok.push((!whole || k === 0) && !low);
    }
    text += s;
  };
  let pendingDollar = -1;
  for (const c of node.children) {
    if (!c.named) continue;
    const raw = source.slice(c.start, c.end);
    if (c.type === "dollar_escape") {
      // `''` / `\` before a `$` fragment: the `$` is literal; it starts where the escape does
      pendingDollar = c.start;
      continue;
    }
    if (c.type === "string_fragment") {
      if (pendingDollar >= 0 && raw.startsWith("$")) {
        at.push(pendingDollar);
        ok.push(true);
        text += "$";
        put(raw.slice(1), c.start + 1);
      } else put(raw, c.start);
      pendingDollar = -1;
      continue;
    }
    pendingDollar = -1;
    if (c.type === "interpolation") {
      templates.set(text.length, text.length + raw.length);
      put(raw, c.start);
    } else if (c.type === "escape_sequence") {
      put(indented ? indentedEscape(raw) : doubleEscape(raw), c.start, true);
    } else put(raw, c.start);
  }
  const contentsEnd = node.end - (indented ? 2 : 1);
  at.push(contentsEnd);
  ok.push(true);
  return { text, at, ok, templates };
}

const control = (ch: string | undefined) => (ch === "n" ? "\n" : ch === "t" ? "\t" : ch === "r" ? "\r" : (ch ?? ""));
/** `'''` -> `''`, `''\n` -> newline, `''\x` -> x, `''$` -> `$`. */
const indentedEscape = (e: string) => (e === "'''" ? "''" : e === "''$" ? "$" : e.startsWith("''\\") ? control(e[3]) : e);
/** `\n` -> newline, `\x` -> x. */
const doubleEscape = (e: string) => control(e[1]);

function viewOf(source: string, node: SyntaxNode): NixStringView {
  const d = decode(source, node);
  const indented = node.type === "indented_string_expression";
  let masked = d.text;
  for (const [s, e] of d.templates) masked = masked.slice(0, s + 2) + "_".repeat(Math.max(0, e - s - 3)) + masked.slice(e - 1);
  const { role, name } = roleOf(source, node, d.text);
  return {
    node: { start: node.start, end: node.end },
    kind: indented ? "indented" : "double",
    contents: { start: node.start + (indented ? 2 : 1), end: node.end - (indented ? 2 : 1) },
    text: d.text,
    masked,
    templates: d.templates,
    role,
    roleName: name,
    sourceAt: (i) => d.at[Math.max(0, Math.min(i, d.at.length - 1))]!,
    boundary: (i) => d.ok[i] === true,
  };
}

// ------------------------------------------------------------------ roles

const PROSE_KEYS = new Set(["description", "longDescription", "message", "warning", "name", "pname", "title", "summary", "example", "welcomeText", "motd"]);
const REFERENCE_KEYS = new Set(["url", "follows"]);
const PROGRAM_KEYS = new Set(["program", "mainProgram"]);
const BUILDER_KEYS = new Set(["buildCommand", "builder", "unpackCmd"]);
const BUILDER_CALLS = new Set(["runCommand", "runCommandLocal", "runCommandCC", "runCommandNoCC", "runCommandNoCCLocal"]);
const PROSE_CALLS = new Set(["throw", "abort", "warn", "warnIf", "warnIfNot", "warnOnInstantiate", "trace", "traceIf", "info", "mdDoc", "literalMD", "mkEnableOption", "assertMsg"]);

function roleOf(source: string, node: SyntaxNode, text: string): { role: StringRole; name: string | null } {
  const r = placeOf(source, node);
  // one word is no command line: a program's path or name (`${pkgs.nixos-generators}/bin/nixos-generate`), or a
  // flake reference, URL or path (`${src}/nixos-generate.nix`)
  if (r.role === "script" && /^\s*\S+\s*$/.test(text)) return { role: /(?:^|\/|\})nixos-generate\s*$/.test(text) ? "program" : "reference", name: r.name };
  return r;
}

/** The role a string's place gives it: the binding it is the value of, or the function it is given to. */
function placeOf(source: string, node: SyntaxNode): { role: StringRole; name: string | null } {
  let n = outer(node);
  // an element of a list: the list's place decides (`warnings = [ "…" ]`)
  while (n.parent?.type === "list_expression") n = outer(n.parent);
  const p = n.parent;
  if (p?.type === "binding" && n.field === "expression") {
    const keys = attrpathKeys(source, field(p, "attrpath"));
    const key = keys?.[keys.length - 1] ?? null;
    if (key === null) return { role: "script", name: null };
    if (REFERENCE_KEYS.has(key)) return { role: "reference", name: key };
    if (PROSE_KEYS.has(key)) return { role: "prose", name: key };
    if (PROGRAM_KEYS.has(key)) return { role: "program", name: key };
    if (BUILDER_KEYS.has(key) || /Phase$/.test(key) || /^(pre|post)[A-Z]/.test(key)) return { role: "builder", name: key };
    return { role: "script", name: key };
  }
  if (p?.type === "apply_expression" && n.field === "argument") {
    let head: SyntaxNode = p;
    while (head.type === "apply_expression") head = field(head, "function")!;
    const name = calleeName(source, head);
    if (name !== null && BUILDER_CALLS.has(name)) return { role: "builder", name };
    if (name !== null && PROSE_CALLS.has(name)) return { role: "prose", name };
    return { role: "script", name };
  }
  return { role: "script", name: null };
}

// ------------------------------------------------------------------ writing back

/** Edits in file offsets, or why the edits cannot be written into the literal. */
export function placeEdits(view: NixStringView, source: string, edits: readonly TextEdit[]): { edits: TextEdit[] } | { reason: string } {
  const tpl = [...view.templates];
  const inside = (i: number) => tpl.find(([s, e]) => i > s && i < e);
  const placed: TextEdit[] = [];
  /** The edits as they change `masked`: what the new literal's masked text must be. */
  const maskedEdits: TextEdit[] = [];
  for (const e of sortEdits(edits)) {
    const t = inside(e.start);
    if (t && e.end < t[1] && e.start >= t[0] + 2 && e.end <= t[1] - 1) {
      // inside an interpolation: Nix code, written as it is
      placed.push({ start: view.sourceAt(e.start), end: view.sourceAt(e.end), text: e.text });
      maskedEdits.push({ start: e.start, end: e.end, text: "_".repeat(e.text.length) });
      continue;
    }
    if (t || inside(e.end) || !view.boundary(e.start) || !view.boundary(e.end)) return { reason: "an edit would split an escape or an interpolation" };
    const encoded = encode(view, e.text);
    placed.push({ start: view.sourceAt(e.start), end: view.sourceAt(e.end), text: encoded.text });
    maskedEdits.push({ start: e.start, end: e.end, text: encoded.masked });
  }
  // the new literal must read back as the edited text, with its interpolations exactly where they are meant to be
  // (a `$` written before `${…}` that was literal makes Nix read an interpolation there: the masked texts differ)
  const literal = source.slice(view.node.start, view.node.end);
  const shifted = placed.map((e) => ({ start: e.start - view.node.start, end: e.end - view.node.start, text: e.text }));
  const newLiteral = applyEdits(literal, shifted);
  const parsed = parseNix(`(${newLiteral})`);
  const node = parsed.error ? null : findLiteral(parsed.root, 1, 1 + newLiteral.length);
  if (!node) return { reason: "the edited string would not parse" };
  const again = viewOf(parsed.source, node);
  if (again.text !== applyEdits(view.text, edits) || again.masked !== applyEdits(view.masked, maskedEdits)) {
    return { reason: "the edited string would not read back as written" };
  }
  return { edits: placed };
}

function findLiteral(root: SyntaxNode, start: number, end: number): SyntaxNode | null {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if ((n.type === "string_expression" || n.type === "indented_string_expression") && n.start === start && n.end === end) return n;
    for (const c of n.children) if (c.start <= start && c.end >= end) stack.push(c);
  }
  return null;
}

/**
 * New text for the literal: `${` and the quote characters escaped, except
 * where the text copies one of the literal's own interpolations (a moved
 * word). `masked`: the text as `masked` reads it (copies blanked inside).
 */
function encode(view: NixStringView, text: string): { text: string; masked: string } {
  const copies = new Set<string>();
  for (const [s, e] of view.templates) copies.add(view.text.slice(s, e));
  let out = "";
  let masked = "";
  for (let i = 0; i < text.length; ) {
    const copy = text.startsWith("${", i) ? [...copies].find((c) => text.startsWith(c, i)) : undefined;
    if (copy) {
      out += copy;
      masked += "${" + "_".repeat(Math.max(0, copy.length - 3)) + "}";
      i += copy.length;
      continue;
    }
    const c = text[i]!;
    if (view.kind === "indented" && c === "'" && text[i + 1] === "'") {
      out += "'''";
      masked += "''";
      i += 2;
      continue;
    }
    masked += c;
    if (view.kind === "indented") out += c === "$" && text[i + 1] === "{" ? "''$" : c;
    else if (c === "$" && text[i + 1] === "{") out += "\\$";
    else if (c === '"' || c === "\\") out += "\\" + c;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else out += c;
    i++;
  }
  return { text: out, masked };
}
