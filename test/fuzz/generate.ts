// Seeded fuzz inputs: mutations of the fixtures, of the equivalence cases and
// of randomly assembled flakes. Case `i` of seed `s` is always the same text
// (FUZZ_SEED=s FUZZ_CASE=i reproduces one case).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { FORMATS } from "../../src/formats.js";
import type { MigrateOptions } from "../../src/types.js";
import { loadFixtures } from "../helpers/fixtures.js";

// ---------------------------------------------------------------- PRNG

/** sfc32: small, fast, good enough; state from a 32-bit seed. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }
  next(): number {
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0; this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** Mostly small numbers, sometimes large ones. */
  size(max: number): number {
    return Math.min(max, Math.floor(Math.exp(this.next() * Math.log(max + 1))));
  }
}

/** The seed of case `index` of a run: independent of how many cases run before it. */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (index + 0x9e3779b9), 0xcc9e2d51) >>> 0;
  h = Math.imul((h << 15) | (h >>> 17), 0x1b873593) >>> 0;
  h ^= h >>> 16;
  return Math.imul(h, 0x85ebca6b) >>> 0;
}

// ---------------------------------------------------------------- corpus

export interface Project {
  readonly name: string;
  readonly files: Map<string, string>;
  readonly primary: string[];
  readonly options: MigrateOptions;
}

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name !== "case.json") out.set(relative(dir, p).split("\\").join("/"), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

let corpusCache: Project[] | null = null;

/** Every fixture input (and output: already migrated text is input too) and every equivalence case. */
export function corpus(): Project[] {
  if (corpusCache) return corpusCache;
  const out: Project[] = [];
  for (const fx of loadFixtures()) {
    const { primary: _p, ...options } = fx.options;
    out.push({ name: `fixtures/${fx.name}`, files: new Map(fx.inputs), primary: fx.primary, options });
    if (fx.expected.size) {
      const after = new Map(fx.inputs);
      for (const [p, t] of fx.expected) after.set(p, t);
      out.push({ name: `fixtures/${fx.name} (output)`, files: after, primary: fx.primary, options });
    }
  }
  const cases = join(import.meta.dirname, "..", "equivalence", "cases");
  if (existsSync(cases)) {
    for (const c of readdirSync(cases).sort()) {
      const dir = join(cases, c);
      if (!statSync(dir).isDirectory()) continue;
      const meta = existsSync(join(dir, "case.json")) ? JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) : {};
      out.push({ name: `equivalence/${c}`, files: readTree(dir), primary: meta.primary ?? ["flake.nix"], options: meta.options ?? {} });
    }
  }
  corpusCache = out;
  return out;
}

// ---------------------------------------------------------------- random flakes

const FORMAT_NAMES = FORMATS.map((f) => f.format);
const q = (s: string) => JSON.stringify(s);

/** A flake put together from the shapes nixos-generators users write. */
export function randomFlake(r: Rng): string {
  const G = r.chance(0.85) ? "nixos-generators" : r.pick(["generators", "nixgen", "ng"]);
  const NP = r.chance(0.9) ? "nixpkgs" : "nixpkgs-stable";
  const release = r.pick(["nixos-25.05", "nixos-25.05", "nixos-unstable", "nixos-24.11", "master", "nixos-25.11"]);
  const lines: string[] = ["{"];
  lines.push(`  description = ${q(r.pick(["images", "my machines 😀", "x"]))};`);
  lines.push(`  inputs.${NP}.url = "github:NixOS/nixpkgs/${release}";`);
  const follows = r.chance(0.7);
  if (r.chance(0.5)) {
    lines.push(`  inputs.${G} = {`, `    url = "github:nix-community/nixos-generators";`);
    if (follows) lines.push(`    inputs.nixpkgs.follows = ${q(NP)};`);
    lines.push("  };");
  } else {
    lines.push(`  inputs.${G}.url = "github:nix-community/nixos-generators";`);
    if (follows) lines.push(`  inputs.${G}.inputs.nixpkgs.follows = ${q(NP)};`);
  }
  if (r.chance(0.3)) lines.push(`  inputs.flake-utils.url = "github:numtide/flake-utils";`);
  const style = r.pick(["formals", "formals", "at-inputs", "inputs-at", "no-self", "trailing-comma"]);
  let head: string;
  let genRef: string;
  switch (style) {
    case "at-inputs":
      head = `inputs@{ self, ${NP}, ... }`;
      genRef = `inputs.${G}`;
      break;
    case "inputs-at":
      head = `{ self, ${NP}, ${G}, ... }@inputs`;
      genRef = r.chance(0.5) ? G : `inputs.${G}`;
      break;
    case "no-self":
      head = `{ ${NP}, ${G}, ... }`;
      genRef = G;
      break;
    case "trailing-comma":
      head = `{\n      self,\n      ${NP},\n      ${G},\n      ...\n    }`;
      genRef = G;
      break;
    default:
      head = `{ self, ${NP}, ${G} }`;
      genRef = G;
  }
  const lets: string[] = [];
  let callee = `${genRef}.nixosGenerate`;
  let withPrefix = "";
  switch (r.int(6)) {
    case 0:
      lets.push(`gen = ${genRef}.nixosGenerate;`);
      callee = "gen";
      break;
    case 1:
      lets.push(`inherit (${genRef}) nixosGenerate;`);
      callee = "nixosGenerate";
      break;
    case 2:
      withPrefix = `with ${genRef}; `;
      callee = "nixosGenerate";
      break;
    default:
  }
  if (r.chance(0.4)) lets.push(`common = [ ./configuration.nix ];`);
  const system = r.pick(["x86_64-linux", "aarch64-linux"]);
  if (r.chance(0.3)) lets.push(`system = ${q(system)};`);
  const calls: string[] = [];
  const n = r.range(1, 4);
  const placement = r.pick(["packages", "packages", "forAllSystems", "let", "merge"]);
  for (let i = 0; i < n; i++) {
    const fmt = r.chance(0.9) ? r.pick(FORMAT_NAMES) : r.pick(["bogus", "QCOW", "", "qcow2"]);
    const args: string[] = [];
    if (placement === "forAllSystems") args.push("inherit system;");
    else if (lets.some((l) => l.startsWith("system ="))) args.push(r.chance(0.5) ? "inherit system;" : "system = system;");
    else if (r.chance(0.9)) args.push(`system = ${q(fmt.startsWith("sd-") && r.chance(0.5) ? "aarch64-linux" : system)};`);
    switch (r.int(6)) {
      case 0:
        args.push("modules = common;");
        if (!lets.some((l) => l.startsWith("common"))) lets.push("common = [ ./configuration.nix ];");
        break;
      case 1:
        args.push(`modules = [ ./hosts/${r.pick(["lab", "web", "a b"])}/configuration.nix { services.openssh.enable = true; } ];`);
        break;
      case 2:
        args.push(`modules = [ ./configuration.nix ] ++ [ ({ pkgs, ... }: { environment.systemPackages = [ pkgs.git ]; }) ];`);
        break;
      default:
        args.push("modules = [ ./configuration.nix ];");
    }
    if (r.chance(0.15)) args.push(`specialArgs = { inherit ${style === "at-inputs" || style === "inputs-at" ? "inputs" : NP}; };`);
    if (r.chance(0.05)) args.push(`customFormats = { my = { formatAttr = "isoImage"; }; };`);
    if (r.chance(0.05)) args.push(`diskSize = 8192;`);
    if (r.chance(0.05)) args.push(`pkgs = ${NP}.legacyPackages.${system};`);
    switch (r.int(8)) {
      case 0:
        lets.push(`fmt${i} = ${q(fmt)};`);
        args.push(`format = fmt${i};`);
        break;
      case 1:
        args.push(`format = if true then ${q(fmt)} else "iso";`);
        break;
      case 2:
        args.push(`format = builtins.head [ ${q(fmt)} ];`);
        break;
      default:
        args.push(`format = ${q(fmt)};`);
    }
    if (r.chance(0.3)) args.reverse();
    const name = r.pick([fmt, `host-${fmt}`, `${fmt}-image`, "default", "img"]) + (r.chance(0.2) ? `-${i}` : "");
    const body = `${callee} {\n${args.map((a) => `        ${a}`).join("\n")}\n      }`;
    calls.push(`      ${q(name).slice(1, -1).match(/^[A-Za-z_][\w'-]*$/) ? name : q(name)} = ${withPrefix}${body};${r.chance(0.2) ? "   # comment ü" : ""}`);
  }
  if (r.chance(0.2)) {
    const fmts = Array.from({ length: r.range(1, 3) }, () => q(r.pick(FORMAT_NAMES)));
    calls.push(`      all = ${NP}.lib.genAttrs [ ${fmts.join(" ")} ] (format: ${withPrefix}${callee} { system = ${q(system)}; modules = [ ./configuration.nix ]; inherit format; });`);
  }
  const existing = r.chance(0.2) ? `      nixosConfigurations.${r.pick(["nixos", "lab", "img"])} = ${NP}.lib.nixosSystem { system = ${q(system)}; modules = [ ./configuration.nix ]; };\n` : "";
  let body: string;
  switch (placement) {
    case "forAllSystems":
      lets.push(`forAllSystems = ${NP}.lib.genAttrs [ "x86_64-linux" "aarch64-linux" ];`);
      body = `{\n${existing}      packages = forAllSystems (system: {\n${calls.join("\n")}\n      });\n    }`;
      break;
    case "let":
      body = `let\n      images = {\n${calls.join("\n")}\n      };\n    in {\n${existing}      packages.${system} = images;\n    }`;
      break;
    case "merge":
      body = `{\n${existing}      packages.${system} = {\n${calls.join("\n")}\n      };\n    } // { formatter.${system} = ${NP}.legacyPackages.${system}.nixfmt; }`;
      break;
    default:
      body = `{\n${existing}      packages.${system} = {\n${calls.join("\n")}\n      };\n    }`;
  }
  if (lets.length) body = `let\n${lets.map((l) => `      ${l}`).join("\n")}\n    in\n    ${body}`;
  lines.push(`  outputs = ${head}:\n    ${body};`);
  lines.push("}");
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------- mutations

const TOKEN = /\s+|#[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\]|\\[\s\S])*"|''[\s\S]*?''|\$\{|[A-Za-z_][\w'-]*|\d+(?:\.\d+)?|\.\.\.|\/\/|\+\+|->|==|!=|<=|>=|&&|\|\||\S/g;

interface Tok {
  start: number;
  end: number;
  text: string;
}

function tokens(text: string): Tok[] {
  const out: Tok[] = [];
  for (const m of text.matchAll(TOKEN)) if (!/^\s+$/.test(m[0])) out.push({ start: m.index!, end: m.index! + m[0].length, text: m[0] });
  return out;
}

const VOCAB = [
  "{", "}", "[", "]", "(", ")", ";", "=", ":", ",", ".", "?", "@", "...", "//", "++", "->", "==", "!", "-", "+", "*", "/", "<", ">",
  '"', "''", "${", "$", "'", "`", "\\", "#", "/*", "*/", "rec", "let", "in", "with", "inherit", "if", "then", "else", "assert", "or",
  "nixosGenerate", "format", '"iso"', '"qcow"', '"docker"', "nixos-generators", "self", "nixpkgs", "system", "modules", "./x.nix",
  "~/x", "<nixpkgs>", "https://example.org/x", "1", "1.5", "null", "true", "x: x", "{ }", "[ ]", '""', "''''", "inputs", "__curPos",
  "nixosConfigurations", "packages", "outputs", "a.b.c", "|>", "<|", "x@{ y }: y", "${x}", "''${x}''",
];

const WEIRD = [
  "é", "ü", "ß", "😀", "🧪", "\u200b", "\u00a0", "\u202e", "\u0301", "中文", "\ud800", "\t", "\u000b", "\u000c", "\r", "\u0000", "\u0085",
  "\u2028", "\uffff", "\ufeff", "\\", '\\"', "\\n", "\\${", "$$", "$${", "''$", "'''", "''\\n", "\x1b[31m", "%s", "\\u0041",
];

function randomChars(r: Rng, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    const k = r.int(10);
    if (k < 5) s += String.fromCharCode(32 + r.int(95));
    else if (k < 7) s += r.pick(WEIRD);
    else if (k < 8) s += String.fromCharCode(r.int(32));
    else s += String.fromCharCode(r.int(0x10000));
  }
  return s;
}

const splice = (t: string, start: number, end: number, ins: string) => t.slice(0, start) + ins + t.slice(end);

/** Offsets of a few kinds of places. */
function lineStarts(t: string): number[] {
  const out = [0];
  for (let i = t.indexOf("\n"); i >= 0; i = t.indexOf("\n", i + 1)) out.push(i + 1);
  return out;
}

function stringInteriors(t: string): number[] {
  const out: number[] = [];
  for (const m of t.matchAll(/"(?:[^"\\\n]|\\.)*"/g)) out.push(m.index! + 1 + Math.floor((m[0].length - 2) / 2));
  return out;
}

/** Right-hand sides `= … ;` on one line: [start, end) of the value. */
function values(t: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of t.matchAll(/= ([^;\n{}]+);/g)) out.push([m.index! + 2, m.index! + 2 + m[1]!.length]);
  return out;
}

export interface Mutation {
  readonly name: string;
  readonly apply: (t: string, r: Rng, others: () => string) => string;
}

const nest = (kind: number, depth: number, inner: string): string => {
  switch (kind) {
    case 0: return "[ ".repeat(depth) + inner + " ]".repeat(depth);
    case 1: return "(".repeat(depth) + inner + ")".repeat(depth);
    case 2: return "{ a = ".repeat(depth) + inner + "; }".repeat(depth);
    case 3: return "let a = 1; in ".repeat(depth) + inner;
    case 4: return "x: ".repeat(depth) + inner;
    case 5: return "if true then ".repeat(depth) + inner + " else null".repeat(depth);
    case 6: return '"${'.repeat(depth) + inner + '}"'.repeat(depth);
    case 7: return "[ 1 ] ++ ".repeat(depth) + "[ " + inner + " ]";
    case 8: return "with x; ".repeat(depth) + inner;
    default: return "{ } // ".repeat(depth) + "{ a = " + inner + "; }";
  }
};

export const MUTATIONS: readonly Mutation[] = [
  { name: "delete-token", apply: (t, r) => { const ts = tokens(t); if (!ts.length) return t; const k = r.pick(ts); return splice(t, k.start, k.end, ""); } },
  { name: "insert-token", apply: (t, r) => { const ts = tokens(t); const at = ts.length ? r.pick(ts)[r.chance(0.5) ? "start" : "end"] : 0; return splice(t, at, at, ` ${r.pick(VOCAB)} `); } },
  { name: "replace-token", apply: (t, r) => { const ts = tokens(t); if (!ts.length) return t; const k = r.pick(ts); return splice(t, k.start, k.end, r.pick(VOCAB)); } },
  { name: "duplicate-token", apply: (t, r) => { const ts = tokens(t); if (!ts.length) return t; const k = r.pick(ts); return splice(t, k.end, k.end, " " + k.text); } },
  { name: "swap-tokens", apply: (t, r) => { const ts = tokens(t); if (ts.length < 2) return t; let a = r.pick(ts); let b = r.pick(ts); if (a.start > b.start) [a, b] = [b, a]; if (a.end > b.start) return t; return t.slice(0, a.start) + b.text + t.slice(a.end, b.start) + a.text + t.slice(b.end); } },
  { name: "swap-lines", apply: (t, r) => { const ls = t.split("\n"); if (ls.length < 2) return t; const i = r.int(ls.length); const j = r.int(ls.length); [ls[i], ls[j]] = [ls[j]!, ls[i]!]; return ls.join("\n"); } },
  { name: "swap-adjacent-bindings", apply: (t, r) => {
    const ls = t.split("\n");
    const idx = ls.map((l, i) => (/^\s*[\w."-]+\s*=.*;\s*(#.*)?$/.test(l) && /^\s*[\w."-]+\s*=.*;\s*(#.*)?$/.test(ls[i + 1] ?? "") ? i : -1)).filter((i) => i >= 0);
    if (!idx.length) return t; const i = r.pick(idx); [ls[i], ls[i + 1]] = [ls[i + 1]!, ls[i]!]; return ls.join("\n"); } },
  { name: "duplicate-line", apply: (t, r) => { const ls = t.split("\n"); const i = r.int(ls.length); ls.splice(i, 0, ls[i]!); return ls.join("\n"); } },
  { name: "delete-line", apply: (t, r) => { const ls = t.split("\n"); ls.splice(r.int(ls.length), 1); return ls.join("\n"); } },
  { name: "line-comment", apply: (t, r) => { const ls = lineStarts(t); const i = r.int(ls.length); const end = t.indexOf("\n", ls[i]!); const at = end < 0 ? t.length : end; return splice(t, at, at, ` # ${randomChars(r, r.size(20)).replace(/[\n\r]/g, "")}`); } },
  { name: "block-comment", apply: (t, r) => { const ts = tokens(t); const at = ts.length ? r.pick(ts).end : 0; return splice(t, at, at, `/* ${randomChars(r, r.size(20)).replace(/\*\//g, "")} */`); } },
  { name: "comment-line", apply: (t, r) => { const ls = lineStarts(t); const at = r.pick(ls); return splice(t, at, at, "# " + r.pick(["TODO", "nixosGenerate { format = \"iso\"; }", "é 😀", "${x}", "}"]) + "\n"); } },
  { name: "crlf", apply: (t) => t.replace(/\r?\n/g, "\r\n") },
  { name: "mixed-eol", apply: (t, r) => t.replace(/\n/g, () => (r.chance(0.3) ? "\r\n" : "\n")) },
  { name: "lone-cr", apply: (t, r) => { const ls = lineStarts(t); const at = r.pick(ls); return splice(t, at, at, "\r"); } },
  { name: "bom", apply: (t) => "\ufeff" + t },
  { name: "no-final-newline", apply: (t) => t.replace(/\s+$/, "") },
  { name: "tabs", apply: (t) => t.replace(/^( {2})+/gm, (m) => "\t".repeat(m.length / 2)) },
  { name: "non-ascii-in-string", apply: (t, r) => { const s = stringInteriors(t); if (!s.length) return t; const at = r.pick(s); return splice(t, at, at, r.pick(["é", "😀", "中文", "\u200b", "\u202e", "ü🧪", "\u0301"])); } },
  { name: "non-ascii-anywhere", apply: (t, r) => { const at = r.int(t.length + 1); return splice(t, at, at, r.pick(WEIRD)); } },
  { name: "random-bytes-in-string", apply: (t, r) => { const s = stringInteriors(t); if (!s.length) return t; const at = r.pick(s); return splice(t, at, at, randomChars(r, r.size(30))); } },
  { name: "random-bytes", apply: (t, r) => { const at = r.int(t.length + 1); return splice(t, at, at, randomChars(r, r.size(10))); } },
  { name: "unbalance", apply: (t, r) => { const ch = r.pick(['"', "''", "{", "}", "[", "]", "(", ")", "${", "/*"]); if (r.chance(0.5)) { const at = r.int(t.length + 1); return splice(t, at, at, ch); } const i = t.indexOf(ch[0]!, r.int(t.length)); return i < 0 ? t : splice(t, i, i + 1, ""); } },
  { name: "dollar-curly", apply: (t, r) => { const at = r.int(t.length + 1); return splice(t, at, at, r.pick(["${", "${x}", "$${", "${ \"a\" }", "''${x}''", "\"${\"", "${}", "${{", "$"])); } },
  { name: "interpolate-key", apply: (t, r) => { const v = values(t); if (!v.length) return t; const [s, e] = r.pick(v); return splice(t, s, e, `"\${${t.slice(s, e)}}"`); } },
  { name: "truncate", apply: (t, r) => t.slice(0, r.int(t.length + 1)) },
  { name: "truncate-tail", apply: (t, r) => t.slice(r.int(Math.min(t.length, 40) + 1)) },
  { name: "deep-nesting", apply: (t, r) => { const v = values(t); const depth = r.size(3000); const kind = r.int(10); if (!v.length || r.chance(0.2)) return nest(kind, depth, t.trim() || "1"); const [s, e] = r.pick(v); return splice(t, s, e, nest(kind, depth, t.slice(s, e))); } },
  { name: "long-line", apply: (t, r) => { const ls = lineStarts(t); const at = r.pick(ls); const n = r.size(200_000); const fill = r.pick(["# ", "/* ", "x = \"", ""]); return splice(t, at, at, fill + "a".repeat(n) + (fill === "/* " ? " */" : fill === 'x = "' ? '";' : "") + "\n"); } },
  { name: "one-line", apply: (t) => t.replace(/#[^\n]*/g, "").replace(/\s*\n\s*/g, " ") },
  { name: "no-spaces", apply: (t) => t.replace(/#[^\n]*/g, "").replace(/[ \t]*([{}[\]();=:,])[ \t]*/g, "$1") },
  { name: "format-value", apply: (t, r) => t.replace(/format = "[^"]*"/, () => `format = ${q(r.chance(0.9) ? r.pick(FORMAT_NAMES) : r.pick(["x", "", "é", "${x}"]))}`) },
  { name: "rename-input", apply: (t, r) => { const to = r.pick(["gens", "nixos-generators-2", "x", "nixpkgs", "self", "inputs"]); return r.chance(0.5) ? t.split("nixos-generators").join(to) : t.replace("nixos-generators", to); } },
  { name: "rename-identifier", apply: (t, r) => { const ids = [...new Set(tokens(t).filter((k) => /^[A-Za-z_]/.test(k.text)).map((k) => k.text))]; if (!ids.length) return t; const a = r.pick(ids); const b = r.pick([...ids, "x", "y'", "_", "or", "in", "__curPos"]); return t.replace(new RegExp(`\\b${a.replace(/[-']/g, "\\$&")}\\b`, "g"), b); } },
  { name: "wrap-value", apply: (t, r) => { const v = values(t); if (!v.length) return t; const [s, e] = r.pick(v); const w = r.pick(["(X)", "let y = X; in y", "with {}; X", "if true then X else X", "(x: x) X", "builtins.seq 1 X", "{ v = X; }.v", "X or null", "assert true; X"]); return splice(t, s, e, w.replace(/X/g, t.slice(s, e))); } },
  { name: "splice-other", apply: (t, r, others) => { const o = others(); if (!o) return t; const a = r.int(o.length); const b = Math.min(o.length, a + r.size(400)); const at = r.int(t.length + 1); return splice(t, at, at, o.slice(a, b)); } },
  { name: "duplicate-block", apply: (t, r) => { const ls = t.split("\n"); const i = r.int(ls.length); const n = r.range(1, 8); ls.splice(i, 0, ...ls.slice(i, i + n)); return ls.join("\n"); } },
  { name: "empty", apply: (t, r) => r.pick(["", " ", "\n", "\ufeff", "#", "{", "}", "{}", "x", "\"", "''", "/*", "${"]) },
];

// ---------------------------------------------------------------- cases

export interface FuzzCase {
  readonly index: number;
  readonly seed: number;
  readonly base: string;
  readonly mutations: string[];
  readonly files: Map<string, string>;
  readonly primary: string[];
  readonly options: MigrateOptions;
  /** The mutated file (what a failure is shrunk on). */
  readonly mutated: string;
}

/** Case `index` of a run with `seed`. */
export function makeCase(seed: number, index: number): FuzzCase {
  const cs = caseSeed(seed, index);
  const r = new Rng(cs);
  const all = corpus();
  let project: Project;
  if (r.chance(0.3)) {
    project = { name: "random-flake", files: new Map([["flake.nix", randomFlake(r)], ["configuration.nix", "{ ... }: { }\n"]]), primary: ["flake.nix"], options: {} };
  } else {
    project = r.pick(all);
  }
  const files = new Map(project.files);
  // mostly a .nix file; scripts and docs of the CLI pass too
  const candidates = [...files.keys()].filter((p) => project.primary.includes(p) || p.endsWith(".nix"));
  const target = candidates.find((p) => project.primary.includes(p) && r.chance(0.8)) ?? r.pick(candidates.length ? candidates : [...files.keys()]);
  let text = files.get(target)!;
  const others = () => {
    const p = r.pick(all);
    return r.pick([...p.files.values()]);
  };
  const mutations: string[] = [];
  const count = r.chance(0.1) ? 0 : r.range(1, 4);
  for (let i = 0; i < count; i++) {
    const m = r.pick(MUTATIONS);
    mutations.push(m.name);
    text = m.apply(text, r, others);
  }
  files.set(target, text);
  const options: MigrateOptions = { ...project.options };
  const opts = options as { host?: string; parity?: boolean; allowOldNixpkgs?: boolean };
  if (r.chance(0.15)) opts.parity = !opts.parity;
  if (r.chance(0.1)) opts.allowOldNixpkgs = true;
  if (r.chance(0.1)) opts.host = r.pick(["lab", "my-host", "x'"]);
  return { index, seed, base: `${project.name}:${target}`, mutations, files, primary: project.primary, options, mutated: target };
}
