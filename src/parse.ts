// The only module that knows the parser. It turns Nix text into a plain JS
// syntax tree (SyntaxNode) that the rest of the code walks without touching
// wasm again; positions are UTF-16 offsets into the original string, so
// `source.slice(node.start, node.end)` is always the node's text.
import { Parser, Language, type Tree } from "web-tree-sitter";

export interface SyntaxNode {
  /** tree-sitter node type, e.g. `binding`, `apply_expression`, or a token such as `=`. */
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly named: boolean;
  /** Field name under which the parent holds this node (`function`, `attrpath`, …). */
  readonly field: string | null;
  readonly parent: SyntaxNode | null;
  readonly children: SyntaxNode[];
  /** Position in `parent.children`. */
  readonly index: number;
}

export interface SyntaxError {
  /** UTF-16 offset of the first ERROR or MISSING node. */
  readonly offset: number;
  readonly message: string;
}

export interface ParsedNix {
  readonly source: string;
  /** What tree-sitter parsed: `source` with trailing commas in formals blanked (same length). */
  readonly parsedText: string;
  readonly root: SyntaxNode;
  readonly error: SyntaxError | null;
}

export interface GrammarInput {
  /** Bytes of tree-sitter-nix.wasm (Node: read from the package; browser: fetched). */
  grammar: Uint8Array;
  /** Where web-tree-sitter finds its own runtime wasm; default: next to its JS file. */
  locateRuntime?: (file: string) => string;
  /** The runtime wasm itself, when the caller already has its bytes. */
  runtimeWasm?: Uint8Array;
}

let parser: Parser | null = null;
/** Type id -> [name, named] and field id -> name, so the walk reads numbers, not strings. */
let typeTable: { name: string; named: boolean }[] = [];
let fieldTable: (string | null)[] = [];
let initializing: Promise<void> | null = null;

/** Loads the parser once per process (or page). Safe to call many times. */
export function initParser(input: GrammarInput | (() => Promise<GrammarInput>)): Promise<void> {
  if (parser) return Promise.resolve();
  initializing ??= (async () => {
    const resolved = typeof input === "function" ? await input() : input;
    const moduleOptions: Record<string, unknown> = {};
    if (resolved.locateRuntime) moduleOptions.locateFile = resolved.locateRuntime;
    if (resolved.runtimeWasm) moduleOptions.wasmBinary = resolved.runtimeWasm;
    await Parser.init(moduleOptions);
    const language = await Language.load(resolved.grammar);
    const p = new Parser();
    p.setLanguage(language);
    typeTable = language.types.map((name, id) => ({ name, named: language.nodeTypeIsNamed(id) }));
    fieldTable = language.fields;
    parser = p;
  })();
  return initializing;
}

export function isParserReady(): boolean {
  return parser !== null;
}

function requireParser(): Parser {
  if (!parser) throw new Error("nixgen-migrate: the Nix parser is not initialised; await init() first");
  return parser;
}

/**
 * Parses Nix source. Never throws on bad input: syntax problems are reported
 * in `error` (the first ERROR/MISSING node), and the tree is still returned.
 */
export function parseNix(source: string): ParsedNix {
  let parsed: ParsedTree;
  if (checked?.source === source) {
    parsed = checked;
    checked = null;
  } else parsed = parseTree(source);
  const { tree, text } = parsed;
  const { root, firstError } = convert(tree, text, tree.rootNode.hasError);
  tree.delete();
  return { source, parsedText: text, root, error: firstError };
}

interface ParsedTree {
  readonly source: string;
  readonly tree: Tree;
  /** What was parsed: `source`, or `source` with the trailing commas of formals blanked. */
  readonly text: string;
}

/**
 * tree-sitter-nix 0.0.2 predates trailing commas in formals (nixfmt style:
 * most of nixpkgs). Nix uses `,` only in formals, so a `,` followed by `}` is
 * blanked (same length: offsets stay valid) before parsing; each blanked comma
 * must then sit inside a `formals` node. When one does not (a comma in a string
 * or comment), the source is parsed as it is, and on an error the comma tokens
 * of that tree are blanked and it is parsed once more.
 */
function parseTree(source: string): ParsedTree {
  const p = requireParser();
  // nixfmt writes such commas in most multi-line formals: blank them before the first parse, not after
  // a failed one (nixpkgs: ~40% of the parsing). A comma in a string or comment is not in formals: then
  // the text is parsed as it is, as below.
  const likely = trailingCommaOffsetsIn(source);
  if (likely.length > 0) {
    const text = blankAt(source, likely);
    const tree = p.parse(text);
    if (tree && !tree.rootNode.hasError && likely.every((c) => insideFormals(tree, c))) return { source, tree, text };
    tree?.delete();
  }
  const tree = p.parse(source);
  if (!tree) throw new Error("tree-sitter returned no tree");
  if (tree.rootNode.hasError) {
    const commas = trailingCommaOffsets(tree, source);
    if (commas.length > 0 && commas.join() !== likely.join()) {
      const text = blankAt(source, commas);
      const retry = p.parse(text);
      if (retry && !retry.rootNode.hasError && commas.every((c) => insideFormals(retry, c))) {
        tree.delete();
        return { source, tree: retry, text };
      }
      retry?.delete();
    }
  }
  return { source, tree, text: source };
}

/**
 * Only whether (and where) the source has a syntax error: the same answer as
 * `parseNix(source).error`, without building the JS tree when there is none
 * (the engine's check of every migrated text and of module files; building
 * the tree is more than half of the cost of parseNix).
 */
export function syntaxErrorOf(source: string): SyntaxError | null {
  const parsed = parseTree(source);
  checked?.tree.delete();
  checked = parsed;
  // an error: parseNix takes this tree and finds where
  return parsed.tree.rootNode.hasError || hasReservedName(parsed.tree, parsed.text) ? parseNix(source).error : null;
}

/**
 * Nix keywords the grammar accepts as names in some places (`inputs.with.url`,
 * `inherit if;`, `{ pkgs, if }:`, `{ } @ in:`) although Nix never does (`or`
 * it does in some places: see orNameAllowed). Valid Nix has no identifier node
 * with such a text: the grammar makes keywords tokens where they belong.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(["assert", "else", "if", "in", "inherit", "let", "rec", "then", "with"]);
/** These words where they are whole words (not inside a name such as `within` or `or-else`). */
const wordPattern = (words: Iterable<string>) => new RegExp(`(?<![A-Za-z0-9_'-])(?:${[...words].join("|")})(?![A-Za-z0-9_'-])`, "g");
const RESERVED_WORD = wordPattern(RESERVED_WORDS);
/** First letters of the reserved words (a, e, i, l, r, t, w): most identifiers are ruled out without slicing. */
const RESERVED_FIRST = new Set([...RESERVED_WORDS, "or"].map((w) => w.charCodeAt(0)));
/**
 * `or` is a keyword Nix also takes as a name: in attribute paths and `inherit`, and as
 * a variable only right after a simple expression, as its argument (`map or [ ]`: nixpkgs
 * once had a function called `or`). Anywhere else (`x: or`, `[ or ]`, `or x`, `f or or`,
 * `{ or }:`, `or: 1`) it is a syntax error, as `nix-instantiate --parse` says.
 */
const OR_WORD = wordPattern(["or"]);
function orNameAllowed(parent: SyntaxNode | null, text: string): boolean {
  if (!parent) return false;
  if (parent.type === "attrpath" || parent.type === "inherited_attrs") return true;
  const holder = parent.parent;
  if (parent.type !== "variable_expression" || !holder) return false;
  // the expression right before it (the grammar makes `f or` an application, and `[ f or ]` two elements)
  let before: SyntaxNode | undefined;
  if (holder.type === "apply_expression" && parent.field === "argument") {
    const fn = holder.children.find((c) => c.field === "function");
    before = fn?.type === "apply_expression" ? fn.children.find((c) => c.field === "argument") : fn;
  } else if (holder.type === "list_expression") {
    before = holder.children.slice(0, parent.index).reverse().find((c) => c.field === "element");
  }
  // which must be a simple expression: not `x.y` (`x.y or` wants a default) and not another `or` (`f or or`)
  if (!before || before.type === "select_expression") return false;
  return !(before.type === "variable_expression" && text.slice(before.start, before.end) === "or");
}
const reservedError = (offset: number, word: string): SyntaxError => ({
  offset,
  message: `the keyword ${JSON.stringify(word)} where a name belongs (an attribute name must then be quoted: "${word}")`,
});

/**
 * Does a clean tree hold a keyword as a name? A typical file has a few keyword
 * words (tokens, comments, strings): the tree is asked about each of them,
 * which is much cheaper than reading every identifier from wasm. But each
 * question walks down from the root, so with many of them (a long or deeply
 * nested file) the identifiers are read instead, in one linear pass.
 */
function hasReservedName(tree: Tree, source: string): boolean {
  const offsets: number[] = [];
  // an `or` name may be allowed (see orNameAllowed): then parseNix decides, with the parents at hand
  for (const re of [RESERVED_WORD, OR_WORD]) {
    re.lastIndex = 0;
    for (let m; (m = re.exec(source)); ) {
      if (offsets.push(m.index) > MAX_KEYWORD_LOOKUPS) {
        for (const id of tree.rootNode.descendantsOfType("identifier")) {
          const word = id && source.slice(id.startIndex, id.endIndex);
          if (word && (RESERVED_WORDS.has(word) || word === "or")) return true;
        }
        return false;
      }
    }
  }
  const root = tree.rootNode;
  return offsets.some((o) => root.descendantForIndex(o, o)?.type === "identifier");
}
const MAX_KEYWORD_LOOKUPS = 32;

/**
 * The last tree syntaxErrorOf made, until parseNix takes it: the engine checks a
 * migrated text and the next pass then parses the same text.
 */
let checked: ParsedTree | null = null;

/** Offsets of the comma tokens that close a brace (only whitespace and comments between). */
function trailingCommaOffsets(tree: Tree, source: string): number[] {
  const out: number[] = [];
  for (const comma of tree.rootNode.descendantsOfType(",")) {
    if (!comma) continue;
    const closes = closesBrace(source, comma.endIndex);
    if (closes === null) return [];
    if (closes) out.push(comma.startIndex);
  }
  return out;
}

/** The same by the text alone: every `,` that closes a brace, wherever it is (strings and comments too). */
function trailingCommaOffsetsIn(source: string): number[] {
  const out: number[] = [];
  for (let c = source.indexOf(","); c >= 0; c = source.indexOf(",", c + 1)) {
    const closes = closesBrace(source, c + 1);
    if (closes === null) return [];
    if (closes) out.push(c);
  }
  return out;
}

/** Is the next thing after `i`, past whitespace and comments, a `}`? null: an unclosed comment. */
function closesBrace(source: string, i: number): boolean | null {
  for (;;) {
    while (i < source.length && /\s/.test(source[i]!)) i++;
    if (source[i] === "#") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (source.startsWith("/*", i)) {
      const close = source.indexOf("*/", i + 2);
      if (close < 0) return null;
      i = close + 2;
    } else return source[i] === "}";
  }
}

/** `source` with spaces at these offsets (same length: offsets stay valid). */
function blankAt(source: string, offsets: readonly number[]): string {
  let out = "";
  let from = 0;
  for (const o of offsets) {
    out += source.slice(from, o) + " ";
    from = o + 1;
  }
  return out + source.slice(from);
}

function insideFormals(tree: Tree, offset: number): boolean {
  let node = tree.rootNode.descendantForIndex(offset, offset);
  while (node) {
    if (node.type === "formals") return true;
    node = node.parent;
  }
  return false;
}

/** Walks the wasm tree once with a cursor (no recursion: 100k-deep input is fine). */
function convert(tree: Tree, text: string, hasError: boolean): { root: SyntaxNode; firstError: SyntaxError | null } {
  const cursor = tree.walk();
  let firstError: SyntaxError | null = null;
  const make = (parent: SyntaxNode | null, index: number): SyntaxNode => {
    // every cursor getter crosses into wasm: read ids, map them through the tables
    const info = typeTable[cursor.nodeTypeId];
    const type = info ? info.name : cursor.nodeType;
    let end = cursor.endIndex;
    // a `#` comment of a CRLF file ends before the `\r`, like the line does
    if (type === "comment" && text.charCodeAt(end - 1) === 13) end--;
    const node: SyntaxNode = {
      type,
      start: cursor.startIndex,
      end,
      named: info ? info.named : cursor.nodeIsNamed,
      field: fieldTable[cursor.currentFieldId] ?? null,
      parent,
      children: [],
      index,
    };
    if (!firstError && type === "identifier" && end - node.start <= 7 && RESERVED_FIRST.has(text.charCodeAt(node.start))) {
      const word = text.slice(node.start, end);
      if (RESERVED_WORDS.has(word) || (word === "or" && !orNameAllowed(parent, text))) firstError = reservedError(node.start, word);
    }
    if (hasError && !firstError) {
      if (cursor.nodeIsMissing) {
        firstError = { offset: node.start, message: `missing ${JSON.stringify(node.type)}` };
      } else if (node.type === "ERROR") {
        const snippet = text.slice(node.start, Math.min(node.end, node.start + 20)).split("\n")[0];
        firstError = { offset: node.start, message: snippet ? `unexpected ${JSON.stringify(snippet)}` : "syntax error" };
      }
    }
    return node;
  };
  const root = make(null, 0);
  let current = root;
  if (cursor.gotoFirstChild()) {
    for (;;) {
      const child = make(current, current.children.length);
      current.children.push(child);
      if (cursor.gotoFirstChild()) {
        current = child;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          cursor.delete();
          return { root, firstError };
        }
        current = current.parent!;
      }
    }
  }
  cursor.delete();
  return { root, firstError };
}
