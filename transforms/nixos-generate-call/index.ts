/**
 * nixos-generate-call: `nixos-generators.nixosGenerate { format = "qcow"; … }`
 * becomes an image of a NixOS configuration:
 *
 *   nixosConfigurations.<host> = nixpkgs.lib.nixosSystem { … };      (once per distinct configuration)
 *   qcow = self.nixosConfigurations.<host>.config.system.build.images.qemu;
 *
 * or, when the arguments use variables of the call's surroundings (e.g.
 * `system` from `forAllSystems (system: …)`), in place:
 *
 *   qcow = (nixpkgs.lib.nixosSystem { … }).config.system.build.images.qemu;
 *
 * In module and library files that reach the input through `inputs`, calls
 * are always rewritten in place (there is no nixosConfigurations there).
 * Formats without an upstream variant are left alone and reported with a
 * recipe. Removing the input once nothing uses it is a later pass
 * (unused-generators-input).
 *
 * The phases hand data to each other: find (find.ts) -> classify
 * (classify.ts) -> place (place.ts, group.ts) -> rewrite (inline.ts,
 * hoist.ts, arguments.ts, format-binding.ts) -> notes (notes.ts).
 */
import type { Rule } from "../nixos-generate-call.meta.js";
import type { PassOutput, Transform } from "../../src/types.js";
import { generatorsView } from "../../src/nix/generators.js";
import { configurationTarget } from "../../src/nix/outputs.js";
import { classifyCall, customModuleKeys, type CustomKey, type PendingCustomModule } from "./classify.js";
import { findCalls } from "./find.js";
import { unusedFormatBindings } from "./format-binding.js";
import { nixpkgsFormalEdit } from "./formals.js";
import { rewriteHoisted } from "./hoist.js";
import { rewriteInline } from "./inline.js";
import { append, arg, callFile, emptyOutput, finding, lineOf, variantLabel, type Call, type CallFile, type Output } from "./model.js";
import { diskSizeNotes, forkNote } from "./generators-revision.js";
import { notes } from "./notes.js";
import { placeCalls } from "./place.js";
import { meta } from "../nixos-generate-call.meta.js";
import { nixpkgsAt } from "./references.js";

const NO_OUTPUT: PassOutput<Rule> = { edits: [], findings: [] };

export const nixosGenerateCall: Transform<typeof meta.rules> = {
  id: "nixos-generate-call",
  ...meta,
  appliesTo: (path) => path.endsWith(".nix"),
  needles: ["nixosGenerate"],
  input: "nix",
  run(ctx) {
    // flake.nix, or any module/library file that reaches the input through `inputs`
    const view = generatorsView(ctx.text, ctx.file!.root, ctx.path, ctx.project);
    if (!view || (view.flake && !view.flake.outputs)) return NO_OUTPUT;
    const file = callFile(ctx, view);
    const out = migrate(file);
    return {
      edits: [...(out.edits.length ? [{ path: ctx.path, edits: out.edits }] : []), ...out.otherFiles],
      findings: out.findings,
    };
  },
};

export default nixosGenerateCall;

function migrate(file: CallFile): Output {
  const out = emptyOutput();
  const found = findCalls(file);
  append(out, found);
  const calls = found.calls;
  if (calls.length === 0) return out;
  const np = file.nixpkgs;
  if (!np) {
    for (const c of calls) out.findings.push(finding(c.node, "unmigratable-call", "no nixpkgs input found: add `inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-25.05\";` and run again"));
    return out;
  }
  const migratable = classify(file, calls, np.name, out);
  const target = file.outputs ? configurationTarget(file.src, file.outputs.body) : null;
  const placed = placeCalls(file, migratable, target, np.name);
  append(out, placed);

  for (const call of placed.inline) append(out, rewriteInline(file, call, np.name));
  if (placed.hoisted.length) append(out, rewriteHoisted(file, placed.hoisted, target!, np.name));
  out.edits.push(...unusedFormatBindings(file, placed.inline, out.edits));
  if (placed.inline.length || placed.hoisted.length) {
    const formal = nixpkgsFormalEdit(file, np.name);
    if (formal) out.edits.push(formal);
  }
  if (migratable.length) out.findings.push(...notes(file, migratable, np), ...diskSizeNotes(file, migratable));
  const fork = forkNote(file);
  if (fork) out.findings.push(fork);
  return out;
}

/**
 * The calls that can be migrated; the others are reported (into `out`), with
 * the edits that migrate the custom format modules of the ones that can.
 */
function classify(file: CallFile, calls: readonly Call[], np: string, out: Output): Call[] {
  const results = calls.map((call) => {
    const c = classifyCall(file, call, np);
    out.findings.push(...c.findings);
    let ok = c.ok;
    if (ok && nixpkgsAt(file, np, call.node) === null && !arg(call, "nixosSystem")) {
      out.findings.push(finding(call.node, "unmigratable-call",
        `nixosGenerate here cannot reach nixpkgs: this file has no \`inputs\` (or \`${np}\`) argument. Pass the flake's inputs to it (e.g. \`specialArgs = { inherit inputs; };\` and \`{ inputs, ... }:\`), then run again; ` +
        `by hand: \`(inputs.${np}.lib.nixosSystem { system = …; modules = …; }).config.system.build.images.${variantLabel(call)}\``));
      ok = false;
    }
    return { call, ok, pending: c.pending };
  });
  const blocked = keepSharedCustomModules(file, results, out);
  // each shared module is migrated once, by the first call that uses it
  const done = new Set<CustomKey>();
  for (const r of results) {
    if (!r.ok) continue;
    for (const p of r.pending) {
      if (p.key !== null && (blocked.has(p.key) || done.has(p.key))) continue;
      if (p.key !== null) done.add(p.key);
      if (!p.edits.length) continue;
      if (p.path) out.otherFiles.push({ path: p.path, edits: p.edits });
      else out.edits.push(...p.edits);
    }
  }
  return results.filter((r) => r.ok).map((r) => r.call);
}

/**
 * A custom format module that a call left as it is still uses (by its file or
 * its named set) keeps formatAttr, so it is not migrated, and the calls whose
 * format is that module stay too (reported). Returns the modules that stay.
 */
function keepSharedCustomModules(file: CallFile, results: { call: Call; ok: boolean; pending: PendingCustomModule[] }[], out: Output): Map<CustomKey, Call> {
  const blocked = new Map<CustomKey, Call>();
  for (;;) {
    for (const r of results) if (!r.ok) for (const k of customModuleKeys(file, r.call)) if (!blocked.has(k)) blocked.set(k, r.call);
    const stays = results.filter((r) => r.ok && r.call.infos.some((i) => r.pending.some((p) => p.name === i.format && p.key !== null && blocked.has(p.key))));
    if (!stays.length) return blocked;
    for (const r of stays) {
      r.ok = false;
      const p = r.pending.find((x) => r.call.infos.some((i) => i.format === x.name) && x.key !== null && blocked.has(x.key))!;
      const user = blocked.get(p.key!)!;
      out.findings.push(finding(arg(r.call, "format")!.entry, "custom-format",
        `custom format "${p.name}" is also used by the nixosGenerate call at line ${lineOf(file, user.node)}, which is not migrated and needs the module's formatAttr: ` +
        "migrate that call first (or give this one its own copy of the module), then run again"));
    }
  }
}
