/**
 * nixos-generate-cli: `nixos-generate` command lines in shell scripts,
 * Makefiles, justfiles, CI YAML and Markdown code blocks become
 * `nixos-rebuild build-image --image-variant <variant>` (facts G "CLI"):
 *
 *   nixos-generate -f qcow --flake .#h        -> nixos-rebuild build-image --image-variant qemu --flake .#h
 *   nixos-generate -f iso -c /etc/c.nix       -> NIXOS_CONFIG=/etc/c.nix nixos-rebuild build-image --image-variant iso --no-flake
 *   nixos-generate --run --flake .#h          -> nixos-rebuild build-vm --flake .#h && ./result/bin/run-*-vm
 *   nixos-generate --list                     -> nixos-rebuild build-image
 *   nix run github:nix-community/nixos-generators -- -f iso …
 *                                             -> nix run nixpkgs#nixos-rebuild -- build-image --image-variant iso …
 *
 * A command is rewritten completely or not at all: when one of its flags has
 * no nixos-rebuild counterpart (`-o`, `--system`, `--disk-size` and
 * `--special-arg` outside flake mode, `--format-path`), its format has no
 * variant, or its arguments are not known statically, it is left as it is
 * and an error names the exact replacement. Flags that had no effect in
 * nixos-generate (`-c`, `--disk-size`, `--system` next to `--flake`) are
 * dropped with a warning. Only the words that change are edited, so quoting,
 * line continuations and layout stay.
 *
 * Mentions that are not command lines: comments and `echo`/`printf`
 * arguments are prose and left alone silently; anything else (`sh -c "…"`,
 * `command -v nixos-generate`, here-documents, `nix-shell -p
 * nixos-generators`, Makefile variables, other YAML keys) is left alone with
 * a warning, because it may still run or install nixos-generate.
 */
import { meta } from "./nixos-generate-cli.meta.js";
import type { TextEdit } from "../src/edits.js";
import { applyEdits } from "../src/edits.js";
import { FORMATS, lookupFormat, type FormatInfo } from "../src/formats.js";
import type { PassContext, PassOutput, RawFinding, Transform } from "../src/types.js";
import { tokenize, type Range, type Word } from "../src/shell/tokenize.js";
import { assignmentName, commentsOf, heredocsOf, simpleCommands, type SimpleCommand } from "../src/shell/commands.js";
import { fileKind, hasShellShebang, regionsOf, type Chunk, type Regions } from "../src/shell/regions.js";
import { LineIndex } from "../src/text.js";
import { compareRelease } from "../src/nix/flake.js";

const NO_OUTPUT: PassOutput = { edits: [], findings: [] };
const NAME = "nixos-generate";
/**
 * Both names: the command and the project/package (`nixos-generators` does not contain `nixos-generate`).
 * NixOS's own `nixos-generate-config` (every install guide runs it) is another command.
 */
const MENTION = /nixos-generat(?:e(?!-config)|ors)/g;
const mentions = (text: string, from = 0, to = text.length): Range[] => {
  const out: Range[] = [];
  MENTION.lastIndex = from;
  for (let m = MENTION.exec(text); m && m.index < to; m = MENTION.exec(text)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
};

export const nixosGenerateCli: Transform<typeof meta.rules> = {
  id: "nixos-generate-cli",
  ...meta,
  appliesTo: (path) => fileKind(path) !== null,
  // also finds `nixos-generators` (flake URLs, `nix run` of the CLI)
  needles: [NAME],
  input: "text",
  run(ctx) {
    const kind = fileKind(ctx.path);
    if (!kind) return NO_OUTPUT;
    if (kind === "maybe-script" && !hasShellShebang(ctx.text)) return NO_OUTPUT;
    return new CliMigration(ctx, regionsOf(kind, ctx.text)).run();
  },
};

export default nixosGenerateCli;

// ------------------------------------------------------------------ flags

interface FlagSpec {
  /** Canonical long name. */
  readonly name: string;
  readonly arity: number;
}

/** nixos-generate's options (facts D; NG:nixos-generate's `case`). Nothing else is accepted. */
const SPECS: Record<string, FlagSpec> = {
  "-c": { name: "--configuration", arity: 1 },
  "--configuration": { name: "--configuration", arity: 1 },
  "--flake": { name: "--flake", arity: 1 },
  "--cores": { name: "--cores", arity: 1 },
  "--disk-size": { name: "--disk-size", arity: 1 },
  "--special-arg": { name: "--special-arg", arity: 2 },
  "--option": { name: "--option", arity: 2 },
  "-f": { name: "--format", arity: 1 },
  "--format": { name: "--format", arity: 1 },
  "--format-path": { name: "--format-path", arity: 1 },
  "--help": { name: "--help", arity: 0 },
  "--list": { name: "--list", arity: 0 },
  "--run": { name: "--run", arity: 0 },
  "--show-trace": { name: "--show-trace", arity: 0 },
  "--system": { name: "--system", arity: 1 },
  "-I": { name: "-I", arity: 1 },
  "-o": { name: "--out-link", arity: 1 },
  "--out-link": { name: "--out-link", arity: 1 },
};

/** Flags nixos-rebuild takes unchanged (facts G "CLI"). */
const PASSTHROUGH = new Set(["--option", "--cores", "--show-trace", "-I"]);
/** Flags that may be given once (nixos-generate keeps the last; we do not guess which was meant). */
const SINGLE = new Set(["--configuration", "--flake", "--format", "--format-path", "--system", "--out-link", "--disk-size", "--cores", "--run", "--list", "--help"]);

interface Flag {
  readonly name: string;
  readonly word: Word;
  readonly values: Word[];
}

/** Wrappers whose command is the next word (without options). */
const WRAPPERS = new Set(["sudo", "doas", "exec", "time", "command", "nohup", "nice"]);

// ------------------------------------------------------------------ helpers

const GENERATORS_REPO =
  /^(?:github:nix-community\/nixos-generators|(?:git\+)?https:\/\/github\.com\/nix-community\/nixos-generators(?:\.git)?)(?:\/[^#?]*)?(?:\?[^#]*)?(?:#(?:nixos-generate|nixos-generators|default)?)?$/i;
const GENERATORS_PACKAGE = /^[^#\s]+#nixos-generators$/;

export function isGeneratorsRef(v: string): boolean {
  return GENERATORS_REPO.test(v) || GENERATORS_PACKAGE.test(v);
}

/** A NixOS release older than 25.05 named in a flake ref, channel or URL. */
function oldRelease(s: string): string | null {
  // not nixpkgsRelease(): that one wants the release to end the ref, and `…/nixos-24.05.tar.gz` is old too
  const m = /(?:nixos|nixpkgs|release)-(\d\d\.\d\d)/.exec(s);
  return m && compareRelease(m[1]!, "25.05") < 0 ? m[1]! : null;
}

/** The nixos-rebuild installable replacing a nixos-generators one. */
function rebuildRef(v: string): string {
  if (GENERATORS_PACKAGE.test(v) && !GENERATORS_REPO.test(v) && !oldRelease(v)) return v.slice(0, -"nixos-generators".length) + "nixos-rebuild";
  return "nixpkgs#nixos-rebuild";
}

const shq = (s: string) => (/^[A-Za-z0-9_@%+=:,./#~-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
const attrSegment = (a: string) => (/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(a) ? a : `"${a}"`);

/** One line for messages: continuations and folded line breaks become spaces. */
function oneLine(s: string): string {
  return s.replace(/[ \t]*\\\r?\n[ \t]*/g, " ").replace(/[ \t]*\r?\n[ \t]*/g, " ").trim();
}

function clip(s: string, n = 160): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

const within = (r: Range, o: number) => o >= r.start && o < r.end;

/** The `<host>` of a `--flake <uri>#<host>` value, or null when it names none. */
function flakeHost(ref: string): string | null {
  const hash = ref.indexOf("#");
  return hash >= 0 && hash < ref.length - 1 ? ref.slice(hash + 1) : null;
}

function variantRenames(): string {
  const renamed = FORMATS.filter((f) => f.variant && f.variant !== f.format).map((f) => `${f.format}->${f.variant}`);
  const none = FORMATS.filter((f) => !f.variant).map((f) => f.format);
  return `renamed: ${renamed.join(", ")}; no variant: ${none.join(", ")}; the other formats keep their names`;
}

// ------------------------------------------------------------------ migration

interface ChunkInfo {
  readonly chunk: Chunk;
  readonly commands: SimpleCommand[];
}

interface Invocation {
  readonly cmd: SimpleCommand;
  readonly kind: "direct" | "nix-run" | "nix-shell";
  /** The `nixos-generate` word (direct, nix-shell). */
  readonly cw: Word | null;
  /** The nixos-generators installable (nix-run, nix-shell). */
  readonly ref: Word | null;
  /** The `--` of `nix run … --`. */
  readonly sep: Word | null;
  /** Where a `NIXOS_CONFIG=` prefix goes. */
  readonly insertAt: number;
  /** The word before the command is a wrapper such as sudo: the prefix must be `env NIXOS_CONFIG=…`. */
  readonly needEnv: boolean;
  readonly wrapped: boolean;
  readonly assignments: Word[];
  readonly args: Word[];
  /** nixos-generate run from a path: report the rewrite instead of making it. */
  readonly suggestOnly?: boolean;
}

type Action = "build-image" | "build-vm" | "build-vm-with-bootloader";

class CliMigration {
  private readonly text: string;
  private readonly masked: string;
  private readonly edits: TextEdit[] = [];
  private readonly findings: RawFinding[] = [];
  /** Commands this pass recognised (rewritten or reported): mentions inside are accounted for. */
  private readonly handled: Range[] = [];
  private readonly lines: LineIndex;

  constructor(private readonly ctx: PassContext, private readonly regions: Regions) {
    this.text = ctx.text;
    this.masked = regions.masked;
    this.lines = new LineIndex(ctx.text);
  }

  run(): PassOutput {
    const infos: ChunkInfo[] = [];
    for (const chunk of this.regions.chunks) {
      const found = mentions(this.text, chunk.start, chunk.end);
      if (found.length === 0) continue;
      const script = tokenize(this.masked, chunk.start, chunk.end, chunk.options);
      const commands = simpleCommands(script);
      const info: ChunkInfo = { chunk, commands };
      infos.push(info);
      for (const cmd of commands) {
        const inv = this.recognize(cmd);
        if (inv) this.migrate(inv, info);
      }
      this.chunkMentions(info, found, commentsOf(script), heredocsOf(script));
    }
    this.outsideMentions();
    return { edits: this.edits.length ? [{ path: this.ctx.path, edits: this.edits }] : [], findings: this.findings };
  }

  private finding(rule: string, r: Range, message: string, severity?: RawFinding["severity"]) {
    this.findings.push({ rule, start: r.start, end: r.end, message, ...(severity ? { severity } : {}) });
  }

  private src(r: Range): string {
    return this.masked.slice(r.start, r.end);
  }

  /** A flag and its values as one line, for messages. */
  private flagText(f: Flag): string {
    return oneLine(this.src({ start: f.word.start, end: (f.values[f.values.length - 1] ?? f.word).end }));
  }

  // ---------------------------------------------------------------- recognition

  private recognize(cmd: SimpleCommand): Invocation | null {
    const words = cmd.words;
    let i = 0;
    const assignments: Word[] = [];
    while (i < words.length && assignmentName(this.masked, words[i]!) !== null) assignments.push(words[i++]!);
    let needEnv = false;
    let wrapped = false;
    for (;;) {
      const v = words[i]?.value;
      if (v === "env") {
        wrapped = true;
        i++;
        while (i < words.length && assignmentName(this.masked, words[i]!) !== null) assignments.push(words[i++]!);
        if (words[i]?.value?.startsWith("-")) return null; // options we do not interpret: reported as a mention
        needEnv = false;
        continue;
      }
      if (v !== undefined && v !== null && WRAPPERS.has(v)) {
        wrapped = true;
        i++;
        if (words[i]?.value?.startsWith("-")) return null; // options we do not interpret: reported as a mention
        needEnv = true;
        continue;
      }
      break;
    }
    const cw = words[i];
    if (!cw) return null;
    const v = cw.value;
    if (v === NAME || (v !== null && v.endsWith("/" + NAME))) {
      // a specific nixos-generate binary (a path): the rewrite is only suggested (nixos-rebuild is not at that path)
      return { cmd, kind: "direct", cw, ref: null, sep: null, insertAt: cw.start, needEnv, wrapped, assignments, args: words.slice(i + 1), suggestOnly: v !== NAME };
    }
    if (v === "nix" && words[i + 1]?.value === "run") {
      let r = -1;
      for (let k = i + 2; k < words.length; k++) {
        const wv = words[k]!.value;
        if (wv === "--") break;
        if (wv !== null && isGeneratorsRef(wv)) {
          r = k;
          break;
        }
      }
      if (r < 0) return null;
      const ref = words[r]!;
      const sepIndex = words.findIndex((w, k) => k > r && w.value === "--");
      if (sepIndex < 0) {
        this.handled.push(cmd);
        this.finding("cli-unmigratable", ref,
          words.length > r + 1
            ? `\`${clip(oneLine(this.src(cmd)))}\`: arguments after the installable without \`--\` go to nix, not to nixos-generate; write \`nix run nixpkgs#nixos-rebuild -- build-image --image-variant <variant> …\` by hand`
            : `\`${clip(oneLine(this.src(cmd)))}\` runs nixos-generate without arguments (it aborts with "missing format"); use \`nix run nixpkgs#nixos-rebuild -- build-image --image-variant <variant> …\``);
        return null;
      }
      return { cmd, kind: "nix-run", cw: null, ref, sep: words[sepIndex]!, insertAt: words[i]!.start, needEnv, wrapped, assignments, args: words.slice(sepIndex + 1) };
    }
    if (v === "nix" && words[i + 1]?.value === "shell") {
      const c = words.findIndex((w, k) => k > i + 1 && (w.value === "-c" || w.value === "--command"));
      if (c < 0 || words[c + 1]?.value !== NAME) return null;
      const ref = words.slice(i + 2, c).find((w) => w.value !== null && isGeneratorsRef(w.value));
      if (!ref) {
        this.handled.push(cmd);
        this.finding("cli-unmigratable", words[c + 1]!,
          `\`${clip(oneLine(this.src(cmd)))}\` runs nixos-generate from a nix shell that does not name nixos-generators; add nixpkgs#nixos-rebuild to the shell and run \`nixos-rebuild build-image --image-variant <variant> …\` by hand`);
        return null;
      }
      const inner = words[c + 1]!;
      return { cmd, kind: "nix-shell", cw: inner, ref, sep: null, insertAt: inner.start, needEnv: true, wrapped: true, assignments, args: words.slice(c + 2) };
    }
    return null;
  }

  // ---------------------------------------------------------------- one command

  private migrate(inv: Invocation, info: ChunkInfo) {
    const { cmd } = inv;
    this.handled.push(cmd);
    const blockers: RawFinding[] = [];
    const notes: RawFinding[] = [];
    const block = (rule: string, r: Range, message: string) => blockers.push({ rule, start: r.start, end: r.end, message });
    const note = (rule: string, r: Range, message: string, severity?: RawFinding["severity"]) =>
      notes.push({ rule, start: r.start, end: r.end, message, ...(severity ? { severity } : {}) });
    const before = clip(oneLine(this.src(cmd)));

    // -- parse the arguments like nixos-generate does
    const flags: Flag[] = [];
    const args = inv.args;
    for (let i = 0; i < args.length; i++) {
      const w = args[i]!;
      if (w.value === null) {
        block("cli-invalid-arguments", w,
          `\`${this.src(w)}\` in \`${before}\` is not a literal option, so it is not known which nixos-generate options it holds; rewrite the command by hand (nixos-rebuild build-image --image-variant <variant> …)`);
        break;
      }
      const spec = SPECS[w.value];
      if (!spec) {
        block("cli-invalid-arguments", w,
          `nixos-generate does not accept \`${w.value}\` (it aborts with "unknown option ${w.value}"); fix the command, then run again`);
        break;
      }
      if (i + spec.arity >= args.length) {
        block("cli-invalid-arguments", w, `\`${w.value}\` needs ${spec.arity === 1 ? "an argument" : `${spec.arity} arguments`}; nixos-generate fails here; fix the command, then run again`);
        break;
      }
      const values = args.slice(i + 1, i + 1 + spec.arity);
      flags.push({ name: spec.name, word: w, values });
      i += spec.arity;
      if ((spec.name === "--list" || spec.name === "--help") && i + 1 < args.length) {
        block("cli-invalid-arguments", args[i + 1]!, `nixos-generate ignores everything after \`${spec.name}\`; remove \`${oneLine(this.src({ start: args[i + 1]!.start, end: args[args.length - 1]!.end }))}\`, then run again`);
        break;
      }
    }
    if (blockers.length) return this.report(blockers);
    for (const name of SINGLE) {
      const fs = flags.filter((f) => f.name === name);
      if (fs.length > 1) block("cli-invalid-arguments", fs[1]!.word, `\`${name}\` is given ${fs.length} times (nixos-generate uses the last one); keep one, then run again`);
    }
    if (blockers.length) return this.report(blockers);

    const flag = (name: string) => flags.find((f) => f.name === name);
    const help = flag("--help");
    const list = flag("--list");
    const flake = flag("--flake");
    const config = flag("--configuration");
    const classic = !flake;

    const e: TextEdit[] = [];
    const replaceWord = (w: Word, value: string) => {
      if (w.quoted) e.push({ start: w.quoted.inner.start, end: w.quoted.inner.end, text: value });
      else e.push({ start: w.start, end: w.end, text: value });
    };
    const removed: Word[] = [];
    const remove = (f: Flag) => removed.push(f.word, ...f.values);

    // -- command word / installable
    const command = (action: string) => {
      if (inv.kind === "nix-run") {
        replaceWord(inv.ref!, rebuildRef(inv.ref!.value!));
        if (action) e.push({ start: inv.sep!.end, end: inv.sep!.end, text: " " + action });
      } else {
        if (inv.kind === "nix-shell") replaceWord(inv.ref!, rebuildRef(inv.ref!.value!));
        e.push({ start: inv.cw!.start, end: inv.cw!.end, text: action ? `nixos-rebuild ${action}` : "nixos-rebuild" });
      }
    };

    /** `-c <path>` without --flake: becomes `--no-flake`, the path a `NIXOS_CONFIG=` prefix. */
    const classicConfig = (f: Flag) => {
      // NIXOS_CONFIG needs an absolute path (<nixpkgs/nixos> imports the string)
      const w = f.values[0]!;
      const s = this.src(w);
      const make = info.chunk.options.make === true;
      const pwd = make ? "$$PWD" : "$PWD";
      let value: string;
      if (w.value !== null && (w.value.startsWith("/") || (w.value.startsWith("~") && !w.quoted && s.startsWith("~")))) value = s;
      else if (w.value !== null && !w.value.startsWith("~")) {
        const rest = s.startsWith("./") ? s.slice(2) : s;
        value = `${inv.needEnv ? `"${pwd}"` : pwd}/${rest}`;
      } else if (/^"?\$\{?(HOME|PWD)\b|^"?\$\(pwd\)|^"?\$\((CURDIR|HOME|PWD)\)|^~/.test(s)) value = s;
      else {
        value = s;
        note("cli-config-path", w, `NIXOS_CONFIG must be an absolute path (nixos-rebuild imports it as a string); make sure \`${s}\` is one, e.g. \`"${pwd}"/…\``);
      }
      e.push({ start: f.word.start, end: w.end, text: "--no-flake" });
      e.push({ start: inv.insertAt, end: inv.insertAt, text: `${inv.needEnv ? "env " : ""}NIXOS_CONFIG=${value} ` });
    };

    const oldNixpkgs = () => {
      if (!classic) return;
      const sources: { w: Word; text: string }[] = [];
      for (const f of flags) if (f.name === "-I" && f.values[0]!.value?.startsWith("nixpkgs=")) sources.push({ w: f.values[0]!, text: f.values[0]!.value! });
      for (const a of inv.assignments) if (assignmentName(this.masked, a) === "NIX_PATH" && a.value) sources.push({ w: a, text: a.value });
      for (const s of sources) {
        const rel = /nixpkgs=([^:]*(?::[^:]*)?)/.exec(s.text);
        const old = rel ? oldRelease(rel[1]!) : null;
        if (!old) continue;
        const msg = `\`${this.src(s.w)}\` builds with NixOS ${old}, which has no system.build.images or \`nixos-rebuild build-image\` (they came with 25.05)`;
        if (this.ctx.options.allowOldNixpkgs) note("cli-old-nixpkgs", s.w, msg + "; the command was rewritten anyway (--allow-old-nixpkgs)", "warning");
        else block("cli-old-nixpkgs", s.w, msg + "; point nixpkgs at nixos-25.05 or later and run again (or pass --allow-old-nixpkgs)");
      }
    };

    // -- --help and --list
    if (help) {
      command("");
      for (const f of flags) if (f !== help) remove(f);
      return this.commit(inv, info, e, removed, [{ rule: "migrated-cli", start: cmd.start, end: cmd.end, message: `${before} -> {after}: nixos-rebuild's manual page; the image builder is its build-image action with --image-variant <variant>` }], before);
    }
    if (list) {
      command("build-image");
      const kept = new Set(["--flake", "--configuration", ...PASSTHROUGH, "--list"]);
      for (const f of flags) {
        if (kept.has(f.name)) continue;
        remove(f);
        note("cli-dropped-flag", f.word, `\`${this.flagText(f)}\` was removed: nixos-generate --list ignored it`);
      }
      removed.push(list.word);
      if (config && classic) classicConfig(config);
      else if (config) remove(config);
      oldNixpkgs();
      if (blockers.length) return this.report(blockers);
      notes.unshift({ rule: "migrated-cli", start: cmd.start, end: cmd.end, message: `${before} -> {after}` });
      note("cli-list", list.word,
        "without --image-variant, nixos-rebuild build-image prints the image variants of the configuration " +
        `(${flake ? `of \`--flake ${this.src(flake.values[0]!)}\`` : config ? "given by NIXOS_CONFIG" : "/etc/nixos, or add --flake <flake>#<host>"}) instead of nixos-generators' formats, and exits with status 1; add \`|| true\` where the script needs success`);
      return this.commit(inv, info, e, removed, notes, before);
    }

    // -- the format
    const run = flag("--run");
    const fmtFlag = flags.filter((f) => f.name === "--format").pop();
    const formatPath = flag("--format-path");
    let format: string | null = null;
    let fromVariable: { name: string; assign: Word } | null = null;
    if (formatPath) {
      block("cli-unsupported-flag", formatPath.word,
        `\`--format-path ${this.src(formatPath.values[0]!)}\` has no nixos-rebuild flag: turn the format module into an image variant of the configuration, ` +
        `\`image.modules.<name> = import ${this.src(formatPath.values[0]!)};\`, setting \`system.build.image\` (e.g. \`= config.system.build.<formatAttr>\`) and \`image.extension\`/\`image.filePath\` ` +
        '(import "${modulesPath}/image/file-options.nix") and dropping `formatAttr`/`fileExtension`; then use `nixos-rebuild build-image --image-variant <name>`');
    } else if (fmtFlag) {
      const w = fmtFlag.values[0]!;
      if (w.value !== null) format = w.value;
      else {
        const resolved = w.param ? this.resolveVariable(w.param, w, info) : { reason: "" };
        if ("value" in resolved) {
          format = resolved.value;
          fromVariable = { name: w.param!, assign: resolved.assign };
        } else {
          const why = w.templates.length
            ? `it comes from \`${this.src(w)}\`, which is filled in outside the script (a template or make variable that can be overridden)`
            : w.param
              ? `it comes from \`${this.src(w)}\`${resolved.reason ? ` (${resolved.reason})` : ""}`
              : `it comes from \`${this.src(w)}\``;
          block("dynamic-format", w,
            `the format of \`${before}\` is not known statically: ${why}; nixos-rebuild needs the variant name instead (${variantRenames()}); rewrite the command and the values by hand`);
        }
      }
    } else if (run) format = "vm";
    else {
      block("cli-invalid-arguments", inv.cw ?? inv.sep!, `\`${before}\` gives no format (-f); nixos-generate aborts with "missing format"; add one, then run again`);
    }

    let action: Action | null = null;
    let fmt: FormatInfo | undefined;
    if (format !== null) {
      fmt = lookupFormat(format);
      const at = fmtFlag ? fmtFlag.values[0]! : run!.word;
      if (!fmt) {
        block("unknown-format", at, `"${format}" is not a nixos-generators format (nixos-generate aborts with "format file not found"); fix it, then run again`);
      } else if (fmt.variant) {
        if (run) block("cli-invalid-arguments", run.word, `--run starts a VM, but format ${format} builds no VM (nixos-generate fails looking for $out/bin); drop --run or use -f vm`);
        else if (fmt.variantModule) {
          block("cli-needs-configuration", at,
            `format ${format} is the ${fmt.variant} variant plus settings nixpkgs does not have: first add \`image.modules.${fmt.variant} = ${fmt.variantModule};\` to the configuration, ` +
            `then replace the command with \`nixos-rebuild build-image --image-variant ${fmt.variant} …\``);
        } else action = "build-image";
      } else if (format === "vm") action = "build-vm";
      else if (format === "vm-bootloader") action = "build-vm-with-bootloader";
      else block("unsupported-format", at, `format ${format} has no nixpkgs image variant, so \`${before}\` is left as it is: ${fmt.recipe}`);
    }

    // -- flags without a counterpart
    const outLink = flag("--out-link");
    const system = flag("--system");
    const diskSize = flag("--disk-size");
    const specialArg = flags.find((f) => f.name === "--special-arg");
    const variant = action === "build-image" ? fmt!.variant! : null;
    const targetAttr = action === "build-image" ? `config.system.build.images.${variant}` : action === "build-vm" ? "config.system.build.vm" : action ? "config.system.build.vmWithBootLoader" : "config.system.build.images.<variant>";
    if (outLink) {
      const p = this.src(outLink.values[0]!);
      const pass = flags.filter((f) => PASSTHROUGH.has(f.name)).map((f) => this.flagText(f));
      let replacement: string;
      if (flake) {
        const fv = flake.values[0]!.value;
        const uri = fv === null ? "<flake>" : fv.split("#")[0]!;
        const host = fv === null ? null : flakeHost(fv);
        const attr = host !== null ? attrSegment(host) : "<host>";
        replacement = `nix build ${shq(`${uri}#nixosConfigurations.${attr}.${targetAttr}`)} -o ${p}`;
      } else {
        const cfg = config ? `NIXOS_CONFIG=${this.src(config.values[0]!)} ` : "";
        replacement = `${cfg}nix-build '<nixpkgs/nixos>' -A ${targetAttr} -o ${p}`;
      }
      if (pass.length) replacement += " " + pass.join(" ");
      if (run) replacement += ` && ${p}/bin/run-*-vm`;
      block("cli-unsupported-flag", outLink.word,
        `\`-o ${p}\`: nixos-rebuild has no out-link option (it always makes ./result); replace the command with \`${replacement}\`` +
        `${flake && flakeHost(flake.values[0]!.value ?? "") === null ? " (nixos-generate used the hostname when the flake reference has no #<host>)" : ""}; ` +
        (action === "build-image" || !action
          ? `the image file is then ${p}/<image.filePath> (nixos-generate printed that file's path; ${flake ? "nix build prints nothing" : "nix-build prints the output directory"})`
          : `the VM script is then ${p}/bin/run-<host>-vm`));
    }
    if (system) {
      if (classic) {
        block("cli-unsupported-flag", system.word,
          `\`--system ${this.src(system.values[0]!)}\` has no nixos-rebuild flag: set \`nixpkgs.hostPlatform = "${system.values[0]!.value ?? "<system>"}";\` in the configuration${config ? ` (${this.src(config.values[0]!)})` : ""}, then remove the flag and run again`);
      } else {
        note("cli-dropped-flag", system.word,
          `\`--system ${this.src(system.values[0]!)}\` was removed: with --flake it only made nixos-generate look for packages.<system>.nixosConfigurations.<host> first; nixos-rebuild builds nixosConfigurations.<host>, whose platform is its own \`nixpkgs.hostPlatform\``);
      }
    }
    if (diskSize) {
      const v = diskSize.values[0]!.value;
      const nixValue = v !== null && /^[0-9]+$/.test(v) ? v : v !== null ? JSON.stringify(v) : "<size>";
      const setting = action === "build-vm" || action === "build-vm-with-bootloader" ? `virtualisation.vmVariant${action === "build-vm-with-bootloader" ? "WithBootLoader" : ""}.virtualisation.diskSize = ${nixValue};` : `virtualisation.diskSize = ${nixValue};`;
      if (classic) {
        block("cli-unsupported-flag", diskSize.word,
          `\`--disk-size ${this.src(diskSize.values[0]!)}\` has no nixos-rebuild flag: set \`${setting}\` in the configuration${config ? ` (${this.src(config.values[0]!)})` : ""}` +
          `${variant ? ` (inside \`image.modules.${variant} = { … };\` to change only this image)` : ""}, then remove the flag and run again`);
      } else {
        note("cli-dropped-flag", diskSize.word,
          `\`--disk-size ${this.src(diskSize.values[0]!)}\` was removed: nixos-generate ignored it with --flake; to set the size, add \`${setting}\` to the configuration`);
      }
    }
    if (specialArg) {
      block("cli-unsupported-flag", specialArg.word,
        `\`${this.flagText(specialArg)}\` has no nixos-rebuild flag; nixos-generate passed it as \`--argstr\` to its own nixos-generate.nix, which ignores arguments it does not declare, so it most likely had no effect: ` +
        `remove it, or give modules the value through \`specialArgs\` of the configuration's nixosSystem call; then run again`);
    }
    oldNixpkgs();

    // -- VMs: the path nixos-generate printed vs build-vm; --run
    const consumed = this.stdoutConsumed(cmd);
    if ((action === "build-vm" || action === "build-vm-with-bootloader") && consumed && !run) {
      block("cli-unmigratable", cmd,
        `\`${before}\`: its output is used, and nixos-rebuild ${action} does not print the path nixos-generate printed; rewrite by hand (the VM script is ./result/bin/run-<host>-vm after \`nixos-rebuild ${action} …\`)`);
    }
    // --run: `build && run`, in braces when an operator around it or trailing redirections would split the pair
    let wrap = false;
    const lastWord = cmd.words[cmd.words.length - 1]!;
    if (run && action) {
      if (cmd.redirects.some((r) => r.start < lastWord.end)) {
        block("cli-unmigratable", run.word, `\`${before}\`: --run becomes \`nixos-rebuild ${action} … && ./result/bin/run-*-vm\`, and redirections among the words cannot be kept for both; move them to the end of the command and run again`);
      } else if (inv.wrapped) {
        block("cli-unmigratable", run.word, `\`${before}\`: --run becomes \`nixos-rebuild ${action} … && ./result/bin/run-*-vm\`, and the wrapper would then apply to the build only; rewrite by hand`);
      }
      wrap = ["||", "|", "|&", "!"].includes(cmd.before) || ["|", "|&"].includes(cmd.after) || cmd.redirects.length > 0;
    }
    if (blockers.length) return this.report(blockers);

    // -- edits
    if (wrap) e.push({ start: cmd.start, end: cmd.start, text: "{ " });
    const noFlake = classic && !config;
    // `--no-flake` goes after the variant, or after the action
    const afterVariant = noFlake && action === "build-image" && fmtFlag !== undefined;
    command(action! + (noFlake && !afterVariant ? " --no-flake" : ""));
    if (fmtFlag) {
      if (action === "build-image") {
        replaceWord(fmtFlag.word, "--image-variant");
        const w = fmtFlag.values[0]!;
        if (!(fromVariable && variant === format)) replaceWord(w, variant!);
        if (afterVariant) e.push({ start: w.end, end: w.end, text: " --no-flake" });
      } else remove(fmtFlag);
    }
    if (config) {
      if (classic) classicConfig(config);
      else {
        remove(config);
        note("cli-dropped-flag", config.word, `\`${this.flagText(config)}\` was removed: nixos-generate ignored it with --flake`);
      }
    }
    if (run) remove(run);
    if (system && !classic) remove(system);
    if (diskSize && !classic) remove(diskSize);
    if (run) {
      // after the last word that stays (--run itself is removed)
      const gone = new Set(removed.map((w) => w.start));
      const anchor = [...cmd.words].reverse().find((w) => !gone.has(w.start))!;
      e.push({ start: anchor.end, end: anchor.end, text: " && ./result/bin/run-*-vm" });
      if (wrap) e.push({ start: anchor.end, end: anchor.end, text: "; }" });
    }

    // -- notes
    const tail: string[] = [];
    if (action === "build-image") tail.push("needs NixOS 25.05 or later in the configuration; leaves a ./result link");
    if (flake) {
      const fv = flake.values[0]!.value;
      const attr = (fv !== null ? flakeHost(fv) : null) ?? "<host>";
      tail.push(`nixos-rebuild builds nixosConfigurations.${attr} (nixos-generate looked at packages.<system>.nixosConfigurations.${attr} first)`);
    }
    if (fromVariable) {
      const line = this.lines.position(fromVariable.assign.start).line;
      tail.push(`the format comes from $${fromVariable.name} = ${format} (line ${line})${variant !== format ? `; the command now names the variant ${variant} itself` : ""}`);
    }
    if (inv.kind === "nix-run" || inv.kind === "nix-shell") {
      const old = oldRelease(inv.ref!.value!);
      tail.push(`nixos-rebuild now comes from ${rebuildRef(inv.ref!.value!)}${old ? ` (NixOS ${old} has no build-image)` : ""}`);
    }
    notes.unshift({ rule: "migrated-cli", start: cmd.start, end: cmd.end, message: `${before} -> {after}${tail.length ? "; " + tail.join("; ") : ""}` });
    if (fmt?.difference && fmt.variant) {
      note("behaviour-change", cmd, `${fmt.format} -> ${fmt.variant}: ${fmt.difference}${fmt.parityModule ? `; to keep nixos-generators' behaviour add \`image.modules.${fmt.variant} = ${fmt.parityModule};\` to the configuration` : ""}`);
    }
    if (fmt?.requiresSystem) {
      note("sd-card-system", cmd, `format ${fmt.format} maps to the sd-card variant, which picks its SD module from the configuration's platform: make sure the configuration targets ${fmt.requiresSystem} (\`nixpkgs.hostPlatform = "${fmt.requiresSystem}";\`)`);
    }
    if (fmt?.newerThan2505) {
      note("variant-needs-newer-nixpkgs", cmd, `the ${fmt.variant} variant exists only in nixpkgs newer than 25.05; check with \`nix eval .#nixosConfigurations.<host>.config.system.build.images --apply builtins.attrNames\``);
    }
    if (action === "build-vm" || action === "build-vm-with-bootloader") {
      note("behaviour-change", cmd,
        `${format} -> nixos-rebuild ${action}: nixos-generate gave the VM a 2048 MiB disk by default; add \`virtualisation.vmVariant${action === "build-vm-with-bootloader" ? "WithBootLoader" : ""}.virtualisation.diskSize = 2048;\` to the configuration to keep it` +
        `${action === "build-vm-with-bootloader" ? "; upstream also boots the VM with EFI when the configuration uses systemd-boot or efi.canTouchEfiVariables" : ""}` +
        `${run ? "; the VM is started from ./result, which nixos-generate --run did not create" : ""}`);
    }
    if (action === "build-image" && consumed) {
      note("output-paths", cmd,
        "the command's output is used: nixos-rebuild build-image also prints the image file's path (`<store path>/<image.filePath>`), but file names change " +
        "(nixos-image-<label>-<system>.<ext>, iso/… for ISOs); check what reads it");
    }
    if (noFlake && !inv.assignments.some((a) => assignmentName(this.masked, a) === "NIXOS_CONFIG") && !this.assignedBefore("NIXOS_CONFIG", cmd, info)) {
      note("cli-default-configuration", cmd,
        "nixos-generate without -c or --flake built $NIXOS_CONFIG, or nixos-generators' bundled demo configuration when that is unset; " +
        "`nixos-rebuild --no-flake` builds $NIXOS_CONFIG, else <nixos-config> from NIX_PATH, else /etc/nixos/configuration.nix: name the configuration with NIXOS_CONFIG=<absolute path> or --flake <flake>#<host>");
    }
    this.commit(inv, info, e, removed, notes, before);
  }

  /** Records the command's edits (after checking its container) and notes, `{after}` filled in. */
  private commit(inv: Invocation, info: ChunkInfo, edits: TextEdit[], removed: Word[], notes: RawFinding[], before: string) {
    const { cmd } = inv;
    const e = [...edits, ...this.removals(cmd, removed)];
    const lo = Math.min(cmd.start, ...e.map((x) => x.start));
    const hi = Math.max(cmd.end, ...e.map((x) => x.end));
    const shifted = e.map((x) => ({ start: x.start - lo, end: x.end - lo, text: x.text }));
    let after: string;
    try {
      after = oneLine(applyEdits(this.masked.slice(lo, hi), shifted));
    } catch (err) {
      throw new Error(`nixos-generate-cli: ${(err as Error).message} in \`${before}\``);
    }
    const chunk = info.chunk;
    if (chunk.validate) {
      const cs = e.map((x) => ({ start: x.start - chunk.start, end: x.end - chunk.start, text: x.text }));
      const newText = applyEdits(this.text.slice(chunk.start, chunk.end), cs);
      if (!chunk.validate(newText)) {
        this.finding("cli-unmigratable", cmd,
          `\`${before}\` would become \`${clip(after)}\`, which does not fit in this ${chunk.where} as it is written (a YAML plain or quoted scalar); write the script as a literal block scalar (\`|\`) and run again, or change it by hand`);
        return;
      }
    }
    if (inv.suggestOnly) {
      this.finding("cli-unmigratable", inv.cw!,
        `\`${before}\` runs nixos-generate from a path (${inv.cw!.value}), so it is left as it is; with nixos-rebuild on PATH (or \`nix run nixpkgs#nixos-rebuild -- …\`) it becomes \`${clip(after)}\``);
      return;
    }
    this.edits.push(...e);
    for (const n of notes) this.findings.push({ ...n, message: n.message.replace("{after}", () => clip(after)) });
  }

  /** The command stays as it is: its blockers are the findings. */
  private report(blockers: RawFinding[]) {
    this.findings.push(...blockers);
  }

  /**
   * Edits removing the given words of a command, run by run (consecutive
   * removed words go together), keeping the layout of continuation lines.
   */
  private removals(cmd: SimpleCommand, removed: Word[]): TextEdit[] {
    if (removed.length === 0) return [];
    const gone = new Set(removed.map((w) => w.start));
    const items: Range[] = [...cmd.words, ...cmd.redirects].sort((a, b) => a.start - b.start);
    const out: TextEdit[] = [];
    const t = this.masked;
    for (let i = 0; i < items.length; i++) {
      if (!gone.has(items[i]!.start)) continue;
      let j = i;
      while (j + 1 < items.length && gone.has(items[j + 1]!.start)) j++;
      const first = items[i]!;
      const last = items[j]!;
      const prev = items[i - 1];
      const next = items[j + 1];
      const prevEnd = prev ? prev.end : first.start;
      const nlBefore = t.slice(prevEnd, first.start).includes("\n");
      const nlAfter = next ? t.slice(last.end, next.start).includes("\n") : false;
      if (nlBefore && next && nlAfter) {
        // the words fill whole lines: remove the lines
        out.push({ start: t.lastIndexOf("\n", first.start - 1) + 1, end: t.lastIndexOf("\n", next.start - 1) + 1, text: "" });
      } else if (nlBefore && next) out.push({ start: first.start, end: next.start, text: "" });
      else out.push({ start: prevEnd, end: last.end, text: "" });
      i = j;
    }
    return out;
  }

  private stdoutConsumed(cmd: SimpleCommand): boolean {
    if (cmd.nested) return true;
    if (cmd.after === "|" || cmd.after === "|&") return true;
    return cmd.redirects.some((r) => (r.fd === null || r.fd === "1") && [">", ">>", ">|", "&>", "&>>"].includes(r.op));
  }

  /** `NAME=…` as an assignment of its own earlier in the chunk, or `export NAME=…` (not a prefix of one command). */
  private assignedBefore(name: string, cmd: SimpleCommand, info: ChunkInfo): boolean {
    return info.commands.some((c) => {
      if (c.start >= cmd.start || c.words.length === 0) return false;
      const standalone = c.words.every((w) => assignmentName(this.masked, w) !== null);
      const exported = c.words[0]!.value === "export";
      return (standalone || exported) && c.words.some((w) => assignmentName(this.masked, w) === name);
    });
  }

  /**
   * The literal value of `$NAME` when the script assigns it exactly once, at
   * top level, above the use, and nothing else can set it.
   */
  private resolveVariable(name: string, use: Word, info: ChunkInfo): { value: string; assign: Word } | { reason: string } {
    const chunkText = this.masked.slice(info.chunk.start, info.chunk.end);
    if (chunkText.includes("${" + name + ":=") || chunkText.includes("${" + name + "=")) return { reason: `$${name} is also set by \${${name}:=…}` };
    const assigns: { w: Word; cmd: SimpleCommand }[] = [];
    for (const c of info.commands) {
      for (const w of c.words) {
        if (assignmentName(this.masked, w) === name) assigns.push({ w, cmd: c });
        else if (w.value === name && w !== c.words[0]) return { reason: `$${name} is also set or changed by \`${clip(oneLine(this.src(c)), 60)}\`` };
      }
      if (c.words.length && c.words[0]!.value === name) {
        const loop = c.reserved.find((r) => r.value === "for" || r.value === "select");
        return { reason: loop ? `$${name} is also set by \`${clip(oneLine(this.src({ start: loop.start, end: c.end })), 60)}\`` : `$${name} is also used as a command name` };
      }
    }
    if (assigns.length === 0) return { reason: `$${name} is not assigned in this ${info.chunk.where}` };
    if (assigns.length > 1) return { reason: `$${name} is assigned ${assigns.length} times` };
    const { w, cmd } = assigns[0]!;
    const raw = this.masked.slice(w.start, w.end);
    const first = cmd.words[0]!;
    const standalone = cmd.words.every((x) => assignmentName(this.masked, x) !== null) || ((first.value === "export" || first.value === "readonly") && w !== first);
    if (w.start > use.start) return { reason: `$${name} is assigned only below its use` };
    if (cmd.nested || cmd.depth > 0 || !standalone || raw[name.length] !== "=") return { reason: `$${name} is assigned conditionally or for one command only` };
    if (w.value === null) return { reason: `$${name} is assigned from an expansion` };
    return { value: w.value.slice(name.length + 1), assign: w };
  }

  // ---------------------------------------------------------------- mentions

  private chunkMentions(info: ChunkInfo, found: Range[], comments: Range[], heredocs: Range[]) {
    const { chunk } = info;
    const reported = new Set<string>();
    for (const m of found) {
      const o = m.start;
      if (this.handled.some((r) => within(r, o))) continue;
      const comment = comments.find((r) => within(r, o));
      if (comment) {
        const key = `${comment.start}`;
        if (chunk.reportMentions && this.text.startsWith("#!", comment.start) && /nix-shell/.test(this.src(comment)) && !reported.has(key)) {
          reported.add(key);
          this.finding("cli-not-rewritten", comment, "the nix-shell shebang still provides nixos-generators; the rewritten commands need nixos-rebuild (`-p nixos-rebuild`)");
        }
        continue;
      }
      const heredoc = heredocs.find((r) => within(r, o));
      if (heredoc) {
        const key = `h${heredoc.start}`;
        if (chunk.reportMentions && !reported.has(key)) {
          reported.add(key);
          this.finding("cli-not-rewritten", m, "a here-document mentions nixos-generate; here-document text is not rewritten: if it is a script that runs nixos-generate, change it by hand");
        }
        continue;
      }
      // the innermost command around the mention
      let inner: SimpleCommand | null = null;
      for (const c of info.commands) if (within(c, o) && (!inner || c.end - c.start <= inner.end - inner.start)) inner = c;
      if (inner) {
        const word0 = inner.words.find((w) => assignmentName(this.masked, w) === null);
        if (word0 && (word0.value === "echo" || word0.value === "printf") && o >= word0.end) continue;
      }
      const r = inner ?? m;
      const key = `${r.start}`;
      if (!chunk.reportMentions || reported.has(key)) continue;
      reported.add(key);
      const word = inner ? [...inner.words, ...inner.redirects.flatMap((x) => (x.target ? [x.target] : []))].find((w) => within(w, o)) : undefined;
      this.finding("cli-not-rewritten", r, this.mentionMessage(inner ? oneLine(this.src(inner)) : NAME, word, chunk.where));
    }
  }

  private mentionMessage(snippet: string, word: Word | undefined, where: string): string {
    const v = word?.value;
    if (v && (isGeneratorsRef(v) || v === "nixos-generators" || /(^|\.)nixos-generators$/.test(v))) {
      return `\`${clip(snippet)}\` uses the nixos-generators package; the rewritten commands need nixos-rebuild instead (e.g. nixpkgs#nixos-rebuild); change it by hand`;
    }
    return `\`${clip(snippet)}\` mentions nixos-generate but is not a nixos-generate command line this tool rewrites (${where}); if it runs nixos-generate, change it by hand to \`nixos-rebuild build-image --image-variant <variant> …\``;
  }

  private outsideMentions() {
    const text = this.text;
    const reported = new Set<string>();
    for (const m of mentions(text)) {
      const o = m.start;
      if (this.regions.chunks.some((c) => within(c, o))) continue;
      if (this.regions.quiet.some((r) => within(r, o))) continue;
      const f = this.regions.foreign.find((r) => within(r, o));
      const r = f ?? m;
      const key = `${r.start}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const snippet = oneLine(text.slice(r.start, r.end));
      const word = /\S*nixos-generat(?:e|ors)\S*/.exec(text.slice(Math.max(r.start, text.lastIndexOf(" ", o) + 1), Math.min(r.end + 40, text.length)))?.[0];
      const pkg = word !== undefined && (isGeneratorsRef(word.replace(/^["']|["']$/g, "")) || /nixos-generators\b/.test(word));
      this.finding("cli-not-rewritten", r, pkg
        ? `\`${clip(snippet)}\` uses the nixos-generators package (${f?.where ?? "not a command line"}); the rewritten commands need nixos-rebuild instead (e.g. nixpkgs#nixos-rebuild); change it by hand`
        : `\`${clip(snippet)}\` mentions nixos-generate outside a command line this tool reads (${f?.where ?? "unknown context"}); if it runs nixos-generate, change it by hand to \`nixos-rebuild build-image --image-variant <variant> …\``);
    }
  }
}
