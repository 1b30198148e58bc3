// Phase 4 (calls built in place): `nixosGenerate { … }` becomes
// `(<nixosSystem> { … }).config.system.build.images.<variant>`.
import type { Rule } from "../nixos-generate-call.meta.js";
import type { TextEdit } from "../../src/edits.js";
import type { RawFinding } from "../../src/types.js";
import { argumentEdits } from "./arguments.js";
import { callImageModules } from "./image-modules.js";
import { gapAfter, variantAccess, type Call, type CallFile } from "./model.js";
import { migratedNote } from "./notes.js";
import { nixosSystemText } from "./references.js";

export function rewriteInline(file: CallFile, call: Call, np: string): { edits: TextEdit[]; findings: RawFinding<Rule>[] } {
  const extras = callImageModules(call, file);
  const fn = nixosSystemText(file, call, np, call.node);
  const args = argumentEdits(file, call, extras, false);
  const edits: TextEdit[] = [
    { start: call.fn.start, end: call.fn.end, text: `(${fn}` },
    ...args.edits,
    { start: call.node.end, end: call.node.end, text: `).config.system.build.images${variantAccess(call, file.src)}${gapAfter(file, call.node)}` },
  ];
  return { edits, findings: [...args.findings, migratedNote(call, `(${fn} { … }).config.system.build.images${variantAccess(call, file.src)}`)] };
}
