// @ts-check
// Evaluating a tree's root flake before and after migration with a realnix-style
// evaluation script (`SCRIPT OLD_DIR NEW_DIR`, JSON lines on stdout:
//   {"side":…,"inputs":[…],"unsupported":[…],"packages":[{system,name}…]}   per side
//   {"side":…,"output":…,"ok":true|false,"drvPath":…,"toplevel":…,"error":…}  per output and side
//   {"compare":…,"old_ok":…,"new_ok":…,"image_drv_equal":…,"toplevel_equal":…,"probe_diff":…,"drv_diff":…}
// ) and judging the result.
//
// `extendKit(kitDir)` builds, in a temporary directory, a copy of such a kit
// (eval.sh, realeval.nix, drvdiff.sh from the directory given) whose
// realeval.nix also
//   - takes extra flake inputs from the environment: REALEVAL_INPUTS is a JSON
//     object `{ name: "/abs/dir" | "@nixpkgs" | "@nixos-generators" }`; a dir
//     is a flake tree whose own inputs are taken from the same map (nixpkgs,
//     nixpkgs-lib and nixlib get the kit's nixpkgs);
//   - evaluates every `nixosConfigurations.<host>` too, as the pseudo-output
//     `packages.nixosConfigurations.<host>` (its system.build.toplevel), so
//     that a configuration the migration broke shows up even when no package
//     builds an image from it;
//   - evaluates only the outputs of the systems REALEVAL_SYSTEMS names (an
//     extended regular expression, e.g. `x86_64-linux|nixosConfigurations`),
//     and stops after REALEVAL_MAX_OUTPUTS outputs (eval.sh; default: all).
// The patch is textual; when the kit's files do not have the expected shape,
// extendKit throws rather than evaluating something else.
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * @param {string} text
 * @param {string} find
 * @param {string} replace
 * @param {string} file
 */
function patch(text, find, replace, file) {
  if (!text.includes(find)) throw new Error(`${file}: expected text not found (${JSON.stringify(find.slice(0, 60))}); the kit changed shape`);
  return text.replace(find, replace);
}

const EXTRA_INPUTS = `  # extra inputs (REALEVAL_INPUTS, added by the real-repos harness)
  extraSpec = let e = builtins.getEnv "REALEVAL_INPUTS"; in if e == "" then { } else builtins.fromJSON e;
  pinnedByName = { "@nixpkgs" = nixpkgs; "@nixos-generators" = generators; };
  extraFlake = name: spec:
    if pinnedByName ? \${spec} then pinnedByName.\${spec}
    else
      let
        src = builtins.path { path = /. + spec; name = "source"; };
        f = import (src + "/flake.nix");
        names = lib.unique (builtins.attrNames (f.inputs or { })
          ++ builtins.filter (n: n != "self") (builtins.attrNames (builtins.functionArgs f.outputs)));
        ins = lib.genAttrs names (n:
          if builtins.elem n [ "nixpkgs" "nixpkgs-lib" "nixlib" ] then nixpkgs
          else if extra ? \${n} then extra.\${n}
          else throw "realeval: input '\${n}' of input '\${name}' is not supplied");
      in
      callFlake { outPath = src; } ins;
  extra = builtins.mapAttrs extraFlake extraSpec;
  known = [ "nixpkgs" "nixos-generators" ] ++ builtins.attrNames extraSpec;`;

const CONFIGURATIONS = `  flakeOutputs = callFlake { outPath = selfSrc; } inputs;
  # nixosConfigurations as pseudo-packages (added by the real-repos harness)
  flake = flakeOutputs // {
    packages = (flakeOutputs.packages or { }) // lib.optionalAttrs (flakeOutputs ? nixosConfigurations) {
      nixosConfigurations = builtins.mapAttrs
        (_: c: c.config.system.build.toplevel // { passthru = { inherit (c) config; }; })
        flakeOutputs.nixosConfigurations;
    };
  };`;

/**
 * @param {string} kitDir a directory holding eval.sh, realeval.nix (and drvdiff.sh)
 * @returns {string} the path of the extended eval.sh
 */
export function extendKit(kitDir) {
  const out = mkdtempSync(join(tmpdir(), "realeval-kit-"));
  for (const f of readdirSync(kitDir)) {
    if (f === "realeval.nix" || f === "eval.sh") continue;
    const src = join(kitDir, f);
    try {
      copyFileSync(src, join(out, f));
    } catch {
      // directories and unreadable files are not part of the interface
    }
  }
  let nix = readFileSync(join(kitDir, "realeval.nix"), "utf8");
  nix = patch(nix, '  known = [ "nixpkgs" "nixos-generators" ];', EXTRA_INPUTS, "realeval.nix");
  nix = patch(
    nix,
    '{ nixos-generators = generators; };',
    "{ nixos-generators = generators; }\n    // lib.filterAttrs (n: _: builtins.elem n inputNames) extra;",
    "realeval.nix",
  );
  nix = patch(nix, "  flake = callFlake { outPath = selfSrc; } inputs;", CONFIGURATIONS, "realeval.nix");
  writeFileSync(join(out, "realeval.nix"), nix);
  let sh = readFileSync(join(kitDir, "eval.sh"), "utf8");
  sh = patch(
    sh,
    '| sort -u >"$TMP/outputs"',
    '| sort -u | grep -E "^(${REALEVAL_SYSTEMS:-[^ ]+}) " | head -n "${REALEVAL_MAX_OUTPUTS:-100000}" >"$TMP/outputs"',
    "eval.sh",
  );
  writeFileSync(join(out, "eval.sh"), sh);
  chmodSync(join(out, "eval.sh"), 0o755);
  if (existsSync(join(out, "drvdiff.sh"))) chmodSync(join(out, "drvdiff.sh"), 0o755);
  return join(out, "eval.sh");
}

/** Process groups of running evaluations (killed on interrupt). */
const running = new Set();

/** Kills every evaluation still running (its whole process group). */
export function killEvaluations() {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * Runs the evaluation script; resolves with its JSON lines (unparsable lines kept as text).
 * @param {string} script
 * @param {string} oldDir
 * @param {string} newDir
 * @param {{ inputs?: Record<string, string>, timeoutMs?: number, maxOutputs?: number, systems?: string, drvDiff?: boolean }} [options]
 * @returns {Promise<{ lines: any[], exit: number | null, stderr: string, seconds: number, timedOut: boolean }>}
 */
export function runEval(script, oldDir, newDir, options = {}) {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const env = { ...process.env, REALEVAL_DRVDIFF: options.drvDiff ? "1" : "0" };
    if (options.systems) env.REALEVAL_SYSTEMS = options.systems;
    if (options.inputs && Object.keys(options.inputs).length) env.REALEVAL_INPUTS = JSON.stringify(options.inputs);
    if (options.maxOutputs) env.REALEVAL_MAX_OUTPUTS = String(options.maxOutputs);
    const child = spawn(script, [oldDir, newDir], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    if (child.pid) running.add(child.pid);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, options.timeoutMs ?? 30 * 60_000);
    child.on("close", (exit) => {
      clearTimeout(timer);
      if (child.pid) running.delete(child.pid);
      const lines = stdout
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            return { text: l };
          }
        });
      resolvePromise({ lines, exit, stderr: stderr.slice(-4000), seconds: (Date.now() - started) / 1000, timedOut });
    });
  });
}

/**
 * @typedef {{ output: string, verdict: "same" | "image-differs" | "system-differs" | "fails-after" | "gone-after" | "new-output" | "new-output-fails" | "failed-before" | "unreachable-differs",
 *   oldError?: string, newError?: string, drvDiff?: unknown, probeDiff?: unknown }} OutputJudgement
 */

/**
 * The error of one side's line: the kit keeps the first `error` line, which on
 * Nix 2.8 is often a bare "error:" with the message on the lines after it.
 * @param {any} side
 */
function errorOf(side) {
  if (!side || side.ok !== false) return undefined;
  const first = String(side.error ?? "").replace(/^error:\s*/, "");
  const detail = (side.error_detail ?? []).filter((/** @type {string} */ l) => !/^(…|\.\.\.)|^at |^\|/.test(l.trim()));
  return first ? first : detail.slice(0, 3).join(" ");
}

/**
 * Judges each output. An output the migration adds (a nixosConfiguration it
 * created) that fails on its own is `new-output-fails`: `nix flake check`
 * evaluates it, so the flake no longer passes the check it passed before. A wrong rewrite is an output that evaluated before and
 * fails (or is gone) after, or whose system (toplevel) differs; an image that
 * differs with an identical system is a separate, lower class (often a
 * documented behaviour change of the variant).
 * @param {any[]} lines
 * @returns {{ outputs: OutputJudgement[], oldMeta: any, newMeta: any, wrong: OutputJudgement[], imageOnly: OutputJudgement[], addedFailing: OutputJudgement[] }}
 */
export function judge(lines) {
  const oldMeta = lines.find((l) => l.side === "old" && l.output === undefined) ?? null;
  const newMeta = lines.find((l) => l.side === "new" && l.output === undefined) ?? null;
  /** @type {Map<string, { old?: any, new?: any, cmp?: any }>} */
  const per = new Map();
  for (const l of lines) {
    const key = l.output ?? l.compare;
    if (!key) continue;
    const e = per.get(key) ?? {};
    if (l.compare) e.cmp = l;
    else if (l.side === "old") e.old = l;
    else if (l.side === "new") e.new = l;
    per.set(key, e);
  }
  /** @type {OutputJudgement[]} */
  const outputs = [];
  for (const [output, e] of per) {
    const base = { output, oldError: errorOf(e.old), newError: errorOf(e.new) };
    if (!e.old) {
      outputs.push({ ...base, verdict: e.new?.ok === false ? "new-output-fails" : "new-output" });
    } else if (!e.old.ok) {
      outputs.push({ ...base, verdict: "failed-before" });
    } else if (!e.new) {
      outputs.push({ ...base, verdict: "gone-after", newError: newMeta?.ok === false ? newMeta.error : "no such output after the migration" });
    } else if (!e.new.ok) {
      outputs.push({ ...base, verdict: "fails-after" });
    } else if (e.old.toplevel && e.new.toplevel && e.old.toplevel !== e.new.toplevel) {
      outputs.push({ ...base, verdict: "system-differs", drvDiff: e.cmp?.drv_diff, probeDiff: e.cmp?.probe_diff });
    } else if (e.old.drvPath !== e.new.drvPath) {
      const verdict = e.old.toplevel && e.new.toplevel ? "image-differs" : "unreachable-differs";
      outputs.push({ ...base, verdict, drvDiff: e.cmp?.drv_diff, probeDiff: e.cmp?.probe_diff });
    } else {
      outputs.push({ ...base, verdict: "same" });
    }
  }
  // a flake whose old side listed nothing because it failed as a whole
  const wrong = outputs.filter((o) => o.verdict === "fails-after" || o.verdict === "gone-after" || o.verdict === "system-differs");
  const imageOnly = outputs.filter((o) => o.verdict === "image-differs" || o.verdict === "unreachable-differs");
  const addedFailing = outputs.filter((o) => o.verdict === "new-output-fails");
  return { outputs, oldMeta, newMeta, wrong, imageOnly, addedFailing };
}
