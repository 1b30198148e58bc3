// @ts-check
// The leftover audit: after `nixgen-migrate --write .`, which references to
// nixos-generators are still in the files the tool looks at, and does the dry
// run point at each of them?
//
// A reference is a line holding `nixosGenerate`, the generators flake input (by
// the name `nixos-generators` or the name a flake gave it), the `nixos-generate`
// command (not NixOS's own `nixos-generate-config`), `formatConfigs`,
// `config.formats` / `.formats.<format>` reads, or nixos-generators' own format
// options `formatAttr` / `fileExtension` and definitions of its `formats`
// option (Nix files only). It is *pointed at*
// when the dry run has a finding (any severity) whose line range holds that
// line, or when its file carries an error or warning finding (which says why
// the file was left as it is). A flake.lock line is pointed at when the lock
// itself carries an error or warning (not pruned: run `nix flake lock`), or the
// flake.nix beside it has a finding on a line that declares the kept input (or
// an error/warning). Everything else is a *silent leftover*.
//
// Only references in code count: a mention in a comment, in Markdown prose
// (outside fenced or indented code blocks), in a YAML step name, in a message
// a script prints (`echo "…"`) or in a Nix
// `description = "…"` is reported
// separately (`context` "comment" / "prose"), the way the tool itself treats
// them as text, not commands.
//
// Pure functions over texts and the dry run's JSON: no file system, so that a
// test can pin the rules with literal inputs.

/**
 * @typedef {{ rule: string, severity: string, message?: string, line: number, endLine?: number }} Finding
 * @typedef {{ path: string, findings: Finding[], refused?: string | null, error?: string | null }} FileReport
 * @typedef {"nixosGenerate" | "input" | "command" | "formatConfigs" | "formats" | "formatOption"} ReferenceKind
 * @typedef {"code" | "comment" | "prose"} Context
 * @typedef {{ file: string, line: number, text: string, kinds: ReferenceKind[], context: Context }} Reference
 * @typedef {{ reference: Reference, pointedBy: string | null }} Verdict
 */

/** nixos-generators' format names (its formats/ directory, 1.8), for `.formats.<f>` reads. */
export const GENERATOR_FORMATS = [
  "amazon", "azure", "cloudstack", "do", "docker", "gce", "hyperv", "install-iso", "install-iso-hyperv",
  "iso", "kexec", "kexec-bundle", "kubevirt", "linode", "lxc", "lxc-metadata", "openstack", "proxmox",
  "proxmox-lxc", "qcow", "qcow-efi", "raw", "raw-efi", "sd-aarch64", "sd-aarch64-installer", "sd-x86_64",
  "vagrant-virtualbox", "virtualbox", "vm", "vm-bootloader", "vm-nogui", "vmware",
];

const SHELL_NAMES = new Set(["makefile", "gnumakefile", "justfile", ".justfile"]);

/**
 * Which kind of file the audit reads, or null: the file kinds of repository
 * mode (`*.nix`, `flake.lock`, shell scripts, Makefiles, justfiles, YAML,
 * Markdown, and extension-less files that start with a shell shebang).
 * @param {string} path forward slashes
 * @param {string} [text] needed to decide extension-less files
 * @returns {"nix" | "lock" | "script" | "makefile" | "justfile" | "yaml" | "markdown" | null}
 */
export function auditKind(path, text) {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const lower = base.toLowerCase();
  if (lower.endsWith(".nix")) return "nix";
  if (base === "flake.lock") return "lock";
  if (lower.endsWith(".sh") || lower.endsWith(".bash")) return "script";
  if (lower === "makefile" || lower === "gnumakefile" || lower.endsWith(".mk")) return "makefile";
  if (lower === "justfile" || lower === ".justfile" || lower.endsWith(".just")) return "justfile";
  if (lower.endsWith(".yml") || lower.endsWith(".yaml")) return "yaml";
  if (lower.endsWith(".md") || lower.endsWith(".markdown")) return "markdown";
  if (!base.includes(".") && base !== "" && !SHELL_NAMES.has(lower) && text !== undefined) {
    const first = text.replace(/^\ufeff/, "").split("\n", 1)[0] ?? "";
    if (/^#!.*\b(?:ba|da|z)?sh\b/.test(first) || /^#!.*nix-shell\b/.test(first)) return "script";
  }
  return null;
}

/** Attribute names inside an input declaration, never an input's name. */
const INPUT_ATTRIBUTES = new Set(["inputs", "url", "flake", "follows", "type", "owner", "repo", "ref", "rev", "dir", "narHash", "host"]);

const escape = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The names a flake gives the nixos-generators input: every input whose URL
 * points at a nixos-generators repository (forks included), read from the
 * flake.nix text (`name.url = "…"`, `name = { url = "…"; … }`,
 * `inputs.name.url = "…"`). `nixos-generators` itself is always a name.
 * @param {string} flakeText
 * @returns {string[]}
 */
export function generatorInputNames(flakeText) {
  const names = new Set(["nixos-generators"]);
  const url = String.raw`"(?:github:|git\+https://github\.com/|https://github\.com/|gitlab:|git\+ssh://[^"]*?)[^"/]+/nixos-generators[^"]*"`;
  const id = String.raw`([A-Za-z_][\w'-]*)`;
  for (const re of [
    new RegExp(String.raw`(?:^|[\s;{])(?:inputs\.)?${id}\.url\s*=\s*${url}`, "gm"),
    new RegExp(String.raw`(?:^|[\s;{])(?:inputs\.)?${id}\s*=\s*\{[^{}]*?\burl\s*=\s*${url}`, "gm"),
  ]) {
    for (const m of flakeText.matchAll(re)) if (m[1] && !INPUT_ATTRIBUTES.has(m[1])) names.add(m[1]);
  }
  return [...names];
}

/**
 * @param {string[]} inputNames
 * @returns {{ kind: ReferenceKind, re: RegExp, nixOnly?: boolean }[]}
 */
function patterns(inputNames) {
  const formats = GENERATOR_FORMATS.map(escape).join("|");
  /** @type {{ kind: ReferenceKind, re: RegExp, nixOnly?: boolean }[]} */
  const out = [
    { kind: "nixosGenerate", re: /\bnixosGenerate\b/ },
    { kind: "input", re: /(?<![\w'-])nixos-generators(?![\w'-])/ },
    // the command; not nixos-generate-config, not the project name nixos-generators
    { kind: "command", re: /(?<![\w'-])nixos-generate(?![\w'-])/ },
    { kind: "formatConfigs", re: /\bformatConfigs\b/ },
    {
      kind: "formats",
      // config.formats (all-formats' option), or <x>.formats.<one of its formats> / .formats.${…};
      // pkgs.formats.json and friends are nixpkgs' settings formats, not this
      re: new RegExp(String.raw`\bconfig\.formats\b|(?<!\b(?:pkgs|final|prev|super))\.formats\.(?:(?:${formats})(?![\w'-])|"(?:${formats})"|\$\{)`),
    },
    { kind: "formatOption", re: /(?<![\w'.-])(?:config\.)?(?:formatAttr|fileExtension)\b/, nixOnly: true },
    // a definition of all-formats' own `formats` option (custom outputs): `formats = lib.mkForce { … }`, `formats.<f> = …`
    {
      kind: "formats",
      re: new RegExp(String.raw`^\s*formats(?:\s*=\s*(?:lib\.(?:modules\.)?)?mk(?:Force|Override|Default)\b|\.(?:${formats})\s*=)`),
      nixOnly: true,
    },
  ];
  for (const name of inputNames) {
    if (name === "nixos-generators") continue;
    // a renamed input: `generators`, `inputs.generators`; never `lib.generators` (nixpkgs' lib)
    out.push({ kind: "input", re: new RegExp(String.raw`(?:(?<![\w'.-])|(?<=\binputs\.))${escape(name)}(?![\w'-])`), nixOnly: true });
  }
  return out;
}

/**
 * Per line of a file: is it code, a comment, or prose? Line based, as the tool's
 * own region finder: `#` comments (outside Nix strings), Nix block comments,
 * Markdown text outside fenced and indented code blocks, YAML `name:` values.
 * @param {string} kind
 * @param {string[]} lines
 * @returns {(line: number, column: number) => Context} 0-based line, column of the match
 */
/**
 * Is the column inside a message a shell line prints (`echo "nixos-generate is
 * gone"`) or a commit message (`git commit -m "…"`)? Text, not a command it runs.
 * @param {string} l
 * @param {number} column
 */
function isPrinted(l, column) {
  const printed = /(?:^|[;&|]\s*|\s)(?:(?:echo|printf)\s+(?:-[a-zA-Z]+\s+)*|(?:-m|--message)[\s=])(["'])/.exec(l);
  if (!printed) return false;
  const open = printed.index + printed[0].length;
  const close = l.indexOf(printed[1] ?? '"', open);
  return column >= open && (close < 0 || column < close);
}

function contextOf(kind, lines) {
  if (kind === "markdown") {
    /** @type {boolean[]} */
    const code = [];
    let fence = /** @type {string | null} */ (null);
    // a fence whose language is neither Nix nor a shell holds another language's code (JavaScript …)
    let fenceIsOurs = true;
    let prevBlank = true;
    let inIndented = false;
    // in a list item, text indented by 4 is a paragraph of the item, not an indented code block
    let inList = false;
    for (const l of lines) {
      const m = /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)/.exec(l);
      if (fence) {
        code.push(fenceIsOurs);
        if (m && m[1] && m[1][0] === fence[0] && m[1].length >= fence.length && l.trim() === m[1]) fence = null;
        continue;
      }
      if (m && m[1]) {
        fence = m[1];
        fenceIsOurs = !m[2] || /^(nix|sh|bash|zsh|fish|shell|console|shell-session|shellsession|text|yaml|yml|make|makefile|just|dockerfile)$/i.test(m[2]);
        code.push(false);
        inIndented = false;
        prevBlank = false;
        continue;
      }
      if (/^\s{0,3}(?:[-*+]|\d+[.)])\s+\S/.test(l)) inList = true;
      else if (l.trim() !== "" && !/^\s/.test(l)) inList = false;
      const indented = /^(?: {4}|\t)/.test(l) && l.trim() !== "" && !(inList && !/^(?: {7}|\t\t)/.test(l));
      inIndented = indented && (inIndented || prevBlank);
      code.push(inIndented);
      prevBlank = l.trim() === "";
      if (!prevBlank && !indented) inIndented = false;
    }
    return (line, column) => {
      if (!code[line]) return "prose";
      // in a code block, `#` after a blank starts a shell comment (a Nix one too)
      const hash = /(?:^|\s)#/.exec(lines[line] ?? "");
      if (hash && column >= hash.index) return "comment";
      return isPrinted(lines[line] ?? "", column) ? "prose" : "code";
    };
  }
  if (kind === "nix") {
    // block comments and strings tracked across lines; `#` comments per line
    /** @type {Array<Array<[number, number]>>} */
    const commentSpans = [];
    let inBlock = false;
    let inIndentedString = false;
    for (const l of lines) {
      /** @type {Array<[number, number]>} */
      const spans = [];
      let i = 0;
      let inString = false;
      let blockStart = inBlock ? 0 : -1;
      while (i < l.length) {
        if (inBlock) {
          const end = l.indexOf("*/", i);
          if (end < 0) { i = l.length; break; }
          spans.push([blockStart, end + 2]);
          inBlock = false;
          i = end + 2;
          continue;
        }
        if (inIndentedString) {
          const end = l.indexOf("''", i);
          if (end < 0) { i = l.length; break; }
          if (l[end + 2] === "'" || l[end + 2] === "$" || l[end + 2] === "\\") { i = end + 3; continue; }
          inIndentedString = false;
          i = end + 2;
          continue;
        }
        const c = l[i];
        if (inString) {
          if (c === "\\") { i += 2; continue; }
          if (c === '"') inString = false;
          i++;
          continue;
        }
        if (c === '"') { inString = true; i++; continue; }
        if (c === "'" && l[i + 1] === "'") { inIndentedString = true; i += 2; continue; }
        if (c === "#") { spans.push([i, l.length]); break; }
        if (c === "/" && l[i + 1] === "*") { inBlock = true; blockStart = i; i += 2; continue; }
        i++;
      }
      if (inBlock) spans.push([blockStart, l.length]);
      commentSpans.push(spans);
    }
    return (line, column) => {
      if ((commentSpans[line] ?? []).some(([s, e]) => column >= s && column < e)) return "comment";
      // a flake's or an option's description is text about the code
      if (/^\s*description\s*=\s*"/.test(lines[line] ?? "")) return "prose";
      return "code";
    };
  }
  if (kind === "lock") return () => "code";
  // YAML: a block scalar (`key: |`) under a key that is not a script (a release body, a description) is text
  /** @type {boolean[]} */
  const yamlText = [];
  if (kind === "yaml") {
    let block = /** @type {{ indent: number, text: boolean } | null} */ (null);
    for (const l of lines) {
      const indent = l.length - l.trimStart().length;
      if (block && (l.trim() === "" || indent > block.indent)) {
        yamlText.push(block.text);
        continue;
      }
      block = null;
      const m = /^(\s*)(?:-\s+)?([\w.-]+)\s*:\s*[|>][-+]?\d*\s*(?:#.*)?$/.exec(l);
      if (m) block = { indent: (m[1] ?? "").length, text: !/^(run|script|before_script|after_script|command|commands|entrypoint|shell|args|cmd)$/.test(m[2] ?? "") };
      yamlText.push(false);
    }
  }
  // shell, Makefile, justfile, YAML: `#` starts a comment at a line start or after a blank
  return (line, column) => {
    const l = lines[line] ?? "";
    if (yamlText[line]) return "prose";
    const hash = /(?:^|\s)#/.exec(l);
    if (hash && column >= hash.index) return "comment";
    if (kind === "yaml" && /^\s*-?\s*(?:name|description)\s*:/.test(l)) return "prose";
    return isPrinted(l, column) ? "prose" : "code";
  };
}

/**
 * The references in one file. flake.lock: one reference per root input that
 * locks a nixos-generators repository (the line mapping the input to its node).
 * @param {string} path
 * @param {string} text
 * @param {string[]} [inputNames] names of the generators input (see generatorInputNames)
 * @returns {Reference[]}
 */
export function findReferences(path, text, inputNames = ["nixos-generators"]) {
  const kind = auditKind(path, text);
  if (!kind) return [];
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  if (kind === "lock") return lockReferences(path, text, lines);
  const context = contextOf(kind, lines);
  /** @type {Reference[]} */
  const out = [];
  const pats = patterns(inputNames).filter((p) => kind === "nix" || !p.nixOnly);
  lines.forEach((l, i) => {
    /** @type {ReferenceKind[]} */
    const kinds = [];
    let ctx = /** @type {Context | null} */ (null);
    for (const p of pats) {
      const m = p.re.exec(l);
      if (!m) continue;
      if (!kinds.includes(p.kind)) kinds.push(p.kind);
      const c = context(i, m.index);
      // a line is code when any of its matches is
      if (ctx === null || c === "code") ctx = c;
    }
    if (kinds.length && ctx) out.push({ file: path, line: i + 1, text: l.trim().slice(0, 200), kinds, context: ctx });
  });
  return out;
}

/**
 * @param {string} path
 * @param {string} text
 * @param {string[]} lines
 * @returns {Reference[]}
 */
function lockReferences(path, text, lines) {
  /** @type {any} */
  let lock;
  try {
    lock = JSON.parse(text);
  } catch {
    return [];
  }
  const nodes = lock?.nodes ?? {};
  const rootInputs = nodes[lock?.root ?? "root"]?.inputs ?? {};
  /** @type {Reference[]} */
  const out = [];
  for (const [name, target] of Object.entries(rootInputs)) {
    if (typeof target !== "string") continue;
    const node = nodes[target];
    const repo = node?.original?.repo ?? node?.locked?.repo ?? node?.original?.url ?? node?.original?.id ?? "";
    if (!/nixos-generators/.test(String(repo)) && name !== "nixos-generators") continue;
    const re = new RegExp(String.raw`^\s*"${escape(name)}"\s*:\s*"${escape(target)}"`);
    const rootStart = lines.findIndex((l) => /^\s*"root"\s*:\s*\{/.test(l));
    const idx = lines.findIndex((l, i) => i > rootStart && re.test(l));
    if (idx >= 0) out.push({ file: path, line: idx + 1, text: lines[idx]?.trim() ?? "", kinds: ["input"], context: "code" });
  }
  return out;
}

/**
 * Lines of a flake.nix that declare the generators input (`name = {`, `name.url`,
 * `inputs.name…`), 1-based.
 * @param {string} flakeText
 * @param {string[]} inputNames
 * @returns {number[]}
 */
export function inputDeclarationLines(flakeText, inputNames) {
  const out = [];
  const lines = flakeText.split("\n");
  const names = inputNames.map(escape).join("|");
  const re = new RegExp(String.raw`^\s*(?:inputs\.)?(?:${names})(?:\.[\w.-]+)?\s*=`);
  const url = /nixos-generators/;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? "";
    if (re.test(l) || (/\burl\s*=/.test(l) && url.test(l))) out.push(i + 1);
  }
  return out;
}

const EXPLAINS = new Set(["error", "warning"]);

/**
 * Sorts references into pointed-at and silent.
 * @param {Reference[]} references
 * @param {FileReport[]} report the dry run's `--format json` array
 * @param {{ flakeTexts?: Map<string, string>, inputNames?: string[] }} [options]
 *   flakeTexts: flake.nix texts by path (to judge flake.lock lines)
 * @returns {Verdict[]}
 */
export function classify(references, report, options = {}) {
  const byPath = new Map(report.map((f) => [f.path, f]));
  const inputNames = options.inputNames ?? ["nixos-generators"];
  /** @param {FileReport | undefined} f */
  const explained = (f) => (f ? f.findings.some((x) => EXPLAINS.has(x.severity)) : false);
  /** @param {FileReport | undefined} f @param {number} line */
  const onLine = (f, line) => (f ? f.findings.find((x) => x.line <= line && line <= (x.endLine ?? x.line)) : undefined);
  // a copy of nixos-generators the run skipped, with its one note (vendored-generators)
  const vendored = report.flatMap((f) => f.findings.filter((x) => x.rule === "vendored-generators").map(() => f.path.replace(/nixos-generate\.nix$/, "")));
  return references.map((reference) => {
    const copy = vendored.find((dir) => reference.file.startsWith(dir));
    if (copy !== undefined) return { reference, pointedBy: `vendored copy: ${copy}` };
    const f = byPath.get(reference.file);
    if (reference.file === "flake.lock" || reference.file.endsWith("/flake.lock")) {
      const flakePath = reference.file.replace(/flake\.lock$/, "flake.nix");
      const flake = byPath.get(flakePath);
      const text = options.flakeTexts?.get(flakePath);
      // the lock's own warning (not pruned: run `nix flake lock`), or the flake's
      if (explained(f)) return { reference, pointedBy: `file: ${firstExplaining(f)}` };
      if (explained(flake)) return { reference, pointedBy: `${flakePath}: ${firstExplaining(flake)}` };
      if (flake && text !== undefined) {
        for (const line of inputDeclarationLines(text, inputNames)) {
          const hit = onLine(flake, line);
          if (hit) return { reference, pointedBy: `${flakePath}:${line} ${hit.rule}` };
        }
      }
      return { reference, pointedBy: null };
    }
    const hit = onLine(f, reference.line);
    if (hit) return { reference, pointedBy: `${hit.rule}` };
    if (explained(f)) return { reference, pointedBy: `file: ${firstExplaining(f)}` };
    return { reference, pointedBy: null };
  });
}

/** @param {FileReport | undefined} f */
function firstExplaining(f) {
  const x = f?.findings.find((y) => EXPLAINS.has(y.severity));
  return x ? `${x.severity} ${x.rule}` : "";
}

/**
 * The whole audit over the files of a run.
 * @param {{ path: string, text: string }[]} files the files the tool looks at, after the run
 * @param {FileReport[]} report the dry run's JSON
 * @returns {{ references: Reference[], silent: Reference[], pointed: Verdict[], nonCode: Reference[], inputNames: string[] }}
 */
export function audit(files, report) {
  const flakeTexts = new Map(files.filter((f) => f.path === "flake.nix" || f.path.endsWith("/flake.nix")).map((f) => [f.path, f.text]));
  const names = new Set(["nixos-generators"]);
  for (const text of flakeTexts.values()) for (const n of generatorInputNames(text)) names.add(n);
  const inputNames = [...names];
  const references = files.flatMap((f) => findReferences(f.path, f.text, inputNames));
  const code = references.filter((r) => r.context === "code");
  const verdicts = classify(code, report, { flakeTexts, inputNames });
  return {
    references,
    silent: verdicts.filter((v) => v.pointedBy === null).map((v) => v.reference),
    pointed: verdicts.filter((v) => v.pointedBy !== null),
    nonCode: references.filter((r) => r.context !== "code"),
    inputNames,
  };
}
