// Phase 5: what the user should know about the migrated calls.
import type { Rule } from "../nixos-generate-call.meta.js";
import type { RawFinding } from "../../src/types.js";
import { attrKey } from "../../src/nix/ast.js";
import { behaviourNote } from "../../src/formats.js";
import { finding, type Call, type CallFile } from "./model.js";

export function migratedNote(call: Call, ref: string): RawFinding<Rule> {
  const fmts = [...new Set(call.infos.map((i) => i.format))].map((format) => {
    const variants = call.infos.filter((i) => i.format === format).map((i) => i.variant);
    if (call.bySystem.has(format)) return `${format} (now ${variants[0]} on x86_64-linux, ${variants[1]} elsewhere)`;
    return variants[0] === format ? format : `${format} (now ${variants[0]})`;
  }).join(", ");
  return { rule: "migrated-call", message: `nixosGenerate (format ${fmts}) -> ${ref}`, start: call.node.start, end: call.node.end };
}

export function notes(file: CallFile, calls: readonly Call[], np: { name: string; followed: boolean }): RawFinding<Rule>[] {
  const findings: RawFinding<Rule>[] = [];
  const first = calls[0]!;
  findings.push(finding(first.node, "output-paths",
    "image file names and paths change: upstream images are `$out/<image.filePath>` (e.g. nixos-image-<label>-<system>.<ext>, iso/… for ISOs); " +
    "scripts that glob result/*.qcow2 and the like should use `<image>.passthru.filePath`"));
  if (!np.followed && file.view.input) {
    const def = [...file.view.input.definitions][0] ?? first.node;
    findings.push(finding(def, "nixpkgs-source-changed",
      `nixos-generators had no \`inputs.nixpkgs.follows\`, so images were built from its own pinned nixpkgs; they are now built from your \`${np.name}\` input, so package versions and module defaults may change`));
  }
  const seen = new Set<string>();
  for (const c of calls) {
    for (const info of c.infos) {
      // once per format and file: the same difference for every call would only be noise
      const key = `${info.format}>${info.variant}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (info.newerThan2505) {
        findings.push(finding(c.node, "variant-needs-newer-nixpkgs", `the ${info.variant} variant exists only in nixpkgs newer than 25.05; check with \`nix eval .#nixosConfigurations.${c.host ? attrKey(c.host) : "<host>"}.config.system.build.images --apply builtins.attrNames\``));
      }
      const note = behaviourNote(info, file.release, file.parity);
      if (note) {
        const restore = info.parityModule && !file.parity ? "; run with --parity to keep nixos-generators' behaviour" : "";
        const left = file.parity && info.parityModule ? " (what --parity cannot restore)" : "";
        findings.push(finding(c.node, "behaviour-change", `${info.format} -> ${info.variant}${left}: ${note}${restore}`));
      }
    }
  }
  return findings;
}
