// What the flake's own nixos-generators did that the format table does not
// say: a fork may have other formats, and its revisions from February to
// October 2024 read `specialArgs.diskSize`, which no image variant reads.
import type { Rule } from "../nixos-generate-call.meta.js";
import { compareRelease, lockPathOf } from "../../src/nix/flake.js";
import type { SyntaxNode } from "../../src/parse.js";
import type { RawFinding } from "../../src/types.js";
import { attrpathKeys, entries, field, inheritedNames, stringValue, textOf, unparen } from "../../src/nix/ast.js";
import { resolveName, variableName } from "../../src/nix/scope.js";
import { arg, finding, type Call, type CallFile } from "./model.js";

const UPSTREAM = /^(?:github:|(?:git\+|tarball\+)?https:\/\/github\.com\/|git\+ssh:\/\/git@github\.com\/)nix-community\/nixos-generators(?:\.git)?(?:[/?#]|$)/i;
/** Flake references that resolve through the registry to upstream. */
const REGISTRY = /^(?:flake:)?nixos-generators(?:[/?#]|$)/;

/** The input is not upstream nixos-generators (a fork, a local copy): its formats may differ from the table. */
export function forkNote(file: CallFile): RawFinding<Rule> | null {
  const input = file.view.input;
  const url = input?.url;
  if (!file.flake || !input || !url || UPSTREAM.test(url) || REGISTRY.test(url)) return null;
  const at = [...input.definitions][0];
  if (!at) return null;
  const local = /^(?:path:|git\+file:|\.{0,2}\/)/.test(url);
  return finding(at, "generators-fork",
    `\`${input.name}\` is ${local ? "a local copy of nixos-generators" : "a fork of nixos-generators"} (\`${url}\`), not github:nix-community/nixos-generators: ` +
    "the calls were migrated with upstream's format -> variant table (`nixgen-migrate --list-formats`); compare its formats/ with that table " +
    "(a format it changed or added builds something else than the variant) before you trust the migrated images");
}

/** Commit times (flake.lock `lastModified`) of the first nixos-generators revisions that read and that ignored `specialArgs.diskSize`. */
const DISK_SIZE_READ_FROM = 1707725560; // 3b6bde6, 2024-02-12 (PR #292)
const DISK_SIZE_READ_UNTIL = 1730236742; // 28e53b9, 2024-10-29: virtualisation.diskSize instead

/** `specialArgs.diskSize` of migrated calls whose formats read it: which upstream option does that now. */
export function diskSizeNotes(file: CallFile, calls: readonly Call[]): RawFinding<Rule>[] {
  const release = file.release;
  const out: RawFinding<Rule>[] = [];
  // flake.lock is read only for a call that has the argument (reading it can refuse the flake)
  let locked: number | null | undefined;
  for (const call of calls) {
    const readers = call.infos.filter((i) => i.diskSizeOption);
    if (!readers.length) continue;
    const entry = diskSizeEntry(file, call);
    if (!entry) continue;
    const value = entry.value === null ? "diskSize" : diskSizeValue(file, entry.value);
    if (value === null) continue; // "auto": the variants' default too
    if (locked === undefined) locked = lockedTime(file);
    if (locked !== null && (locked < DISK_SIZE_READ_FROM || locked >= DISK_SIZE_READ_UNTIL)) return out;
    const settings = readers.map((i) => {
      const [before, old] = i.diskSizeOptionBefore ?? [];
      const option = before && release && compareRelease(release, before) < 0 ? old! : i.diskSizeOption!;
      const alt = before && !release ? ` (before nixpkgs ${before}: \`${old}\`)` : "";
      return `\`image.modules.${i.variant}.${option} = ${value};\`${alt}`;
    });
    const pinned = locked === null
      ? "; no flake.lock says which one this flake used"
      : `, and flake.lock pins one of them (${new Date(locked * 1000).toISOString().slice(0, 10)})`;
    out.push(finding(entry.node, "generators-special-arg",
      `nixos-generators' revisions from February to October 2024 read \`specialArgs.diskSize\` for ${readers.map((i) => i.format).join(" and ")}${pinned}. ` +
      `No image variant reads it: to keep that disk size, add ${settings.join(" and ")} (MiB) to the configuration's modules`));
  }
  return out;
}

/** `diskSize` in the call's literal specialArgs (also through a name, and `//`): its entry and value (null: `inherit diskSize;`). */
function diskSizeEntry(file: CallFile, call: Call): { node: SyntaxNode; value: SyntaxNode | null } | null {
  const a = arg(call, "specialArgs");
  if (!a || a.kind !== "binding" || !a.value) return null;
  const stack: SyntaxNode[] = [a.value];
  for (let guard = 0; stack.length && guard < 32; guard++) {
    let n = unparen(stack.pop()!);
    if (n.type === "variable_expression") {
      const d = resolveName(file.src, n, variableName(file.src, n)!).definition;
      if (d?.kind !== "binding" || !d.value) continue;
      n = unparen(d.value);
    }
    if (n.type === "binary_expression" && n.children.some((c) => c.field === "operator" && c.type === "//")) {
      stack.push(field(n, "left")!, field(n, "right")!);
      continue;
    }
    if (n.type !== "attrset_expression" && n.type !== "rec_attrset_expression") continue;
    for (const e of entries(n)) {
      if (e.type === "binding" && attrpathKeys(file.src, field(e, "attrpath"))?.join(".") === "diskSize") return { node: e, value: field(e, "expression") };
      if (e.type === "inherit" && inheritedNames(file.src, e).some((x) => x.name === "diskSize")) return { node: e, value: null };
    }
  }
  return null;
}

/** The value as `virtualisation.diskSize` takes it (an integer or "auto"): `"20480"` -> `20480`; null for "auto". */
function diskSizeValue(file: CallFile, value: SyntaxNode): string | null {
  const s = stringValue(file.src, value);
  if (s === "auto") return null;
  if (s !== null && /^\d+$/.test(s)) return String(Number(s));
  return textOf(file.src, value).replace(/\s+/g, " ");
}

/** `lastModified` of the nixos-generators input in flake.lock, or null. */
function lockedTime(file: CallFile): number | null {
  if (!file.flake || !file.view.input) return null;
  const text = file.ctx.project.read(lockPathOf(file.ctx.path));
  if (!text) return null;
  try {
    const lock = JSON.parse(text) as { root?: string; nodes?: Record<string, { inputs?: Record<string, unknown>; locked?: { lastModified?: unknown } }> };
    const key = lock.nodes?.[lock.root ?? "root"]?.inputs?.[file.view.input.name];
    const t = typeof key === "string" ? lock.nodes?.[key]?.locked?.lastModified : undefined;
    return typeof t === "number" ? t : null;
  } catch {
    return null;
  }
}
