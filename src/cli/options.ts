// Every command-line option, declared once. The fast path parses with Node's
// util.parseArgs; yargs renders --help and explains usage errors from the same table.

export interface OptionSpec {
  readonly type: "boolean" | "string";
  readonly short?: string;
  readonly describe: string;
  /** Shown in --help under this group. */
  readonly group?: string;
  /** Values a string option accepts. */
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
  /** Option names that cannot be used together with this one. */
  readonly conflicts?: readonly string[];
  /** May be given more than once (the values are collected in order). */
  readonly multiple?: boolean;
  /** Name of the value in --help (`--format FORMAT`). */
  readonly value?: string;
}

export const OPTIONS = {
  write: { type: "boolean", short: "w", describe: "write the migrated files (atomically; only files that change)", conflicts: ["check"] },
  check: { type: "boolean", describe: "print only the paths that need migrating, no diff (exit 1 if any); errors and warnings go to stderr" },
  null: { type: "boolean", short: "z", describe: "with --check, end each path with NUL instead of a newline and print it as it is (for xargs -0); without -z a path with a newline, a tab, a quote, a backslash or a control character is quoted like git does" },
  format: { type: "string", value: "FORMAT", choices: ["text", "json", "github", "sarif"], default: "text", describe: "output: text (diff + findings), json (one object per file), github (workflow annotations + step summary), sarif (2.1.0, for code scanning)" },
  jobs: { type: "string", short: "j", value: "N", describe: "worker threads: a number (at most the number of CPUs), or auto (default: threads only when there is enough work to pay for them); with --verify also the nix processes run at once (auto: the number of CPUs)" },
  "ignore-path": { type: "string", value: "FILE", multiple: true, describe: "an extra ignore file in .gitignore syntax, relative to its directory (repeatable)" },
  "no-gitignore": { type: "boolean", describe: "do not read .gitignore files when walking directories (.git, node_modules and result symlinks are still skipped)" },
  stdin: { type: "boolean", describe: "read one file from stdin and print the migrated text (same as the path -)" },
  "stdin-filepath": { type: "string", describe: "name of the stdin file, used in findings and to pick the passes (default flake.nix)" },
  host: { type: "string", describe: "name of the new nixosConfiguration when one is created" },
  parity: { type: "boolean", describe: "add image.modules settings that keep nixos-generators' old defaults (iso EFI/USB boot, …)" },
  "allow-old-nixpkgs": { type: "boolean", describe: "migrate even when the flake pins nixpkgs older than 25.05" },
  verify: { type: "boolean", describe: "evaluate each flake whose migration changes image outputs with your nix, before and after (temporary copies), and compare them output by output: image derivation, system, why they differ; with --write, a flake is written only when every output that evaluated before still evaluates" },
  "verify-timeout": { type: "string", value: "SECONDS", describe: "with --verify, stop a nix evaluation after this long (default 900)" },
  "verify-batch": { type: "string", value: "N", describe: "with --verify, evaluate at most N images in one nix process (default auto: all of a flake's; on Nix older than 2.9, which frees no memory while it evaluates, one per 4 GB of this machine's memory)" },
  "override-input": { type: "string", value: "NAME REF", multiple: true, describe: "with --verify, passed on to nix: use flake REF for the input NAME (repeatable), e.g. --override-input nixpkgs path:/src/nixpkgs" },
  offline: { type: "boolean", describe: "with --verify, passed on to nix: fetch nothing, use what is in the store and caches" },
  nix: { type: "string", value: "PATH", describe: "with --verify, the nix program to run (default: nix on PATH)" },
  "list-formats": { type: "boolean", describe: "print the nixos-generators format -> image variant table and exit" },
  "list-rules": { type: "boolean", describe: "print every rule a finding can name (id, severity, summary) and exit" },
  explain: { type: "string", value: "RULE", describe: "print what a rule means and what to do about it, and exit" },
  color: { type: "boolean", describe: "colour the output (default: when stdout is a terminal; NO_COLOR / FORCE_COLOR honoured)" },
  "no-color": { type: "boolean", describe: "never colour the output" },
  help: { type: "boolean", short: "h", describe: "show this help" },
  version: { type: "boolean", describe: "print the version" },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

export const EXAMPLES: readonly [string, string][] = [
  ["$0", "show the migration of ./flake.nix as a diff (nothing is written)"],
  ["$0 ./flake.nix --write", "migrate ./flake.nix in place"],
  ["$0 --check flake.nix", "list files that still need migrating (exit 1 if any)"],
  ["$0 --check -z . | xargs -0 -r $0 --write --", "migrate what --check lists (NUL-separated: any file name)"],
  ["$0 .", "walk the repository (respecting .gitignore) and show every migration"],
  ["$0 . --format github", "annotations and a step summary in a GitHub Actions job"],
  ["$0 --host myhost flake.nix", "name the new nixosConfiguration"],
  ["$0 - --stdin-filepath flake.nix < flake.nix", "read stdin, print the migrated text"],
  ["$0 --verify --write .", "migrate, but write only flakes whose images still evaluate (needs nix)"],
  ["$0 --list-formats", "print the format -> image variant table"],
  ["$0 --explain image-option-moved", "what a finding's rule means and what to do"],
];

export const USAGE =
  "$0 [paths..]\n\nMigrate Nix flakes from nixos-generators to nixpkgs' image builder (config.system.build.images).\n" +
  "Paths are files or directories (default: ./flake.nix); directories are walked, respecting .gitignore\n" +
  "(`nixgen-migrate .` migrates a whole repository: flakes, module files, scripts, CI files, Markdown).\n" +
  "Without --write it prints a unified diff and changes nothing.";

export const EPILOG =
  "Exit codes: 0 nothing to do or all written; 1 changes needed or something could not be migrated; 2 usage, parse or I/O error.";
