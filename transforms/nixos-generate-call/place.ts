// Phase 3: where each migrated configuration goes. A call moves to the
// flake's `nixosConfigurations` when everything its arguments use means the
// same at the top of the outputs; otherwise the configuration is built in place.
import type { Rule } from "../nixos-generate-call.meta.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import type { OutputSet } from "../../src/nix/outputs.js";
import { freeVariables, resolveName, type Definition } from "../../src/nix/scope.js";
import { conflictingFormats } from "./image-modules.js";
import { finding, lineOf, variantLabel, type Call, type CallFile } from "./model.js";
import { nixosSystemText, selfExpr } from "./references.js";

export interface Placement {
  readonly hoisted: Call[];
  readonly inline: Call[];
  readonly findings: RawFinding<Rule>[];
}

export function placeCalls(file: CallFile, calls: readonly Call[], target: OutputSet | null, np: string): Placement {
  const hoisted: Call[] = [];
  const inline: Call[] = [];
  const findings: RawFinding<Rule>[] = [];
  for (const call of calls) {
    const perFormat = perFormatModules(file, call);
    const why = !file.outputs
      ? "this file is not a flake (it has no nixosConfigurations to add to)"
      : !target
        ? "the flake's outputs are not an attribute set"
        : (perFormat ?? notHoistable(file, call, target));
    if (why) {
      inline.push(call);
      const share = perFormat ? "add one `nixosConfigurations` entry per set of image modules" : "move it to `nixosConfigurations`";
      findings.push(finding(call.node, "inline-configuration", `${why}, so the configuration is built in place: \`(${nixosSystemText(file, call, np, call.node)} { … }).config.system.build.images.${variantLabel(call)}\`. To share it, ${share} by hand`));
    } else hoisted.push(call);
  }
  return { hoisted, inline, findings };
}

/**
 * Formats of the call that build one variant with different image modules: one
 * configuration cannot hold both, so each use builds its own with its format's.
 */
function perFormatModules(file: CallFile, call: Call): string | null {
  const c = conflictingFormats(call, file);
  if (!c) return null;
  return `the formats ${c.a.format} and ${c.b.format} of this call build the same variant (${c.a.variant}) with different image modules ` +
    `(\`image.modules.${c.a.variant}\` is chosen by the format, so that every use keeps its own)`;
}

/** Why the call cannot move to the top-level outputs (null when it can). */
function notHoistable(file: CallFile, call: Call, target: OutputSet): string | null {
  const src = file.src;
  const probe = target.set.children.find((c) => c.type === "binding_set") ?? target.set;
  const exprs: SyntaxNode[] = [];
  const names = new Map<string, SyntaxNode[]>();
  for (const a of call.argEntries) {
    if (a.key === "format") continue;
    if (a.kind === "binding" && a.value) exprs.push(a.value);
    else if (a.kind === "inherit-from" && a.value) exprs.push(a.value);
    else if (a.kind === "inherit") names.set(a.key, [a.entry]);
  }
  for (const e of exprs) for (const [k, v] of freeVariables(src, e)) names.set(k, [...(names.get(k) ?? []), ...v]);
  for (const [name, refs] of names) {
    const here = resolveName(src, refs[0]!, name);
    const there = resolveName(src, probe, name);
    if (!sameDefinition(here.definition, there.definition)) return `\`${name}\` (line ${lineOf(file, refs[0]!)}) is defined around the call, not at the top of the outputs`;
    if (!here.definition && here.withCount !== there.withCount) return `\`${name}\` (line ${lineOf(file, refs[0]!)}) may come from a \`with\` around the call`;
  }
  const selfName = selfExpr(file);
  if (selfName === "self") {
    const r = resolveName(src, call.node, "self");
    const formal = file.outputs!.formalNames.has("self");
    const ok = formal ? r.definition?.kind === "formal" && r.definition.scope === file.outputs!.fn : r.definition === null;
    if (!ok) return "`self` is redefined around the call";
  }
  if (selfName === null) return "the outputs function has no `self` and no way to add it";
  return null;
}

function sameDefinition(a: Definition | null, b: Definition | null): boolean {
  if (!a || !b) return a === b;
  return a.kind === b.kind && a.scope === b.scope && a.name === b.name;
}
