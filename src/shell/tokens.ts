// Tokens of the shell tokenizer (tokenize.ts): every range is a pair of UTF-16
// offsets into the text that was tokenized.

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface Word extends Range {
  readonly kind: "word";
  /** Value after quote removal when the word has no expansions; null otherwise. */
  readonly value: string | null;
  /** The word is exactly one parameter expansion (`$X`, `${X}`, `"$X"`, `"${X}"`): its name. */
  readonly param: string | null;
  /** The whole word is one quoted literal: the quote and the range inside the quotes. */
  readonly quoted: { readonly char: "'" | '"'; readonly inner: Range } | null;
  /** Parsed command and process substitutions inside the word. */
  readonly subs: Script[];
  /** Parts that may hide commands but were not looked into (backticks with escapes). */
  readonly opaque: Range[];
  /** Template or make references (`{{…}}`, `${{…}}`, `$(X)` in a Makefile). */
  readonly templates: Range[];
  /** Elements of an array assignment `name=(…)`, or null. */
  readonly array: Word[] | null;
  /** An unterminated quote or substitution. */
  readonly unterminated: boolean;
}

export interface Operator extends Range {
  readonly kind: "op";
  /** `;` `;;` `&` `&&` `||` `|` `|&` `(` `)` or "\n". */
  readonly op: string;
}

export interface Redirect extends Range {
  readonly kind: "redir";
  /** `>` `>>` `<` `<<` `<<-` `<<<` `>&` `<&` `>|` `<>` `&>` `&>>`. */
  readonly op: string;
  /** The io number (`2` of `2>`), or null. */
  readonly fd: string | null;
  readonly target: Word | null;
  /** Body of a here-document (filled in at the end of its line). */
  heredoc: Range | null;
}

export interface Comment extends Range {
  readonly kind: "comment";
}

export type Token = Word | Operator | Redirect | Comment;

export interface Script extends Range {
  readonly tokens: Token[];
  /** Bodies of here-documents in this script (not nested ones). */
  readonly heredocs: Range[];
}

export interface TokenizeOptions {
  /** Makefile recipe: `$$` is a shell `$`; `$(X)`, `${X}`, `$X` are make references. */
  readonly make?: boolean;
  /** GitHub Actions `${{ … }}` expressions. */
  readonly gha?: boolean;
  /** just `{{ … }}` interpolations (`{{{{` is a literal `{{`). */
  readonly just?: boolean;
  /** Newlines are blanks (folded YAML scalars). */
  readonly foldNewlines?: boolean;
  /** Here-document delimiters may be indented (the script itself is indented in its container). */
  readonly indentedHeredocs?: boolean;
  /**
   * Parts of the text filled in before the shell runs (Nix interpolations in
   * a Nix string), by start offset -> end offset: each is part of a word,
   * never literal. The text there must itself read as one word piece (the
   * caller blanks it to `${___}`).
   */
  readonly templatesAt?: ReadonlyMap<number, number>;
}
