#!/usr/bin/env node
// Developer tool, not CI: for every format with an upstream variant, a flake
// with one nixosGenerate call (OLD) and the tool's migration of it (NEW), with
// and without --parity, evaluated against real nixpkgs. Prints the Markdown
// table of docs/realnix-parity.md ("Every format").
//
//   npm run build && node scripts/realnix-formats.mjs --kit DIR [--system aarch64-linux] [format …]
//
// DIR is a real-nixpkgs evaluation kit: a directory with `eval.sh OLD_DIR NEW_DIR`
// that evaluates `packages.<system>.<name>` of two flake directories (inputs
// `nixpkgs` and `nixos-generators` bound to source trees you choose: a nixpkgs
// checkout, `nix flake prefetch github:NixOS/nixpkgs/<rev>`, a store path) and
// prints one JSON line per output with `compare`, `old_ok`, `new_ok`,
// `toplevel_equal` and `image_drv_equal`. REALNIX_KIT=DIR does the same as --kit.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FORMATS, init, migrate } from "../dist/bundle/index.js";

const { values, positionals } = parseArgs({ options: { kit: { type: "string" }, system: { type: "string" } }, allowPositionals: true });
const kit = values.kit ?? process.env.REALNIX_KIT;
if (!kit || !existsSync(join(kit, "eval.sh"))) {
  console.error("usage: node scripts/realnix-formats.mjs --kit DIR [--system SYSTEM] [format …] (DIR holds eval.sh; see the header of this script)");
  process.exit(2);
}
const evalSh = join(kit, "eval.sh");
const only = positionals;

const CONFIGURATION = `{ ... }: {
  networking.hostName = "probe";
  users.users.alice = { isNormalUser = true; initialPassword = "x"; };
  system.stateVersion = "25.05";
}
`;

const flake = (format, system) => `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.nixos-generators = {
    url = "github:nix-community/nixos-generators";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages.${system}.image = nixos-generators.nixosGenerate {
      system = "${system}";
      modules = [ ./configuration.nix ];
      format = "${format}";
    };
  };
}
`;

function evaluate(oldText, newText) {
  const root = mkdtempSync(join(tmpdir(), "nixgen-realnix-formats-"));
  for (const [side, text] of [["old", oldText], ["new", newText]]) {
    mkdirSync(join(root, side));
    writeFileSync(join(root, side, "flake.nix"), text);
    writeFileSync(join(root, side, "configuration.nix"), CONFIGURATION);
  }
  const r = spawnSync(evalSh, [join(root, "old"), join(root, "new")], { encoding: "utf8", env: { ...process.env, REALEVAL_DRVDIFF: "0" }, timeout: 900_000 });
  rmSync(root, { recursive: true, force: true });
  const lines = r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const cmp = lines.find((l) => l.compare);
  const newSide = lines.find((l) => l.side === "new" && l.output);
  return { old: cmp?.old_ok, new: cmp?.new_ok, system: cmp?.toplevel_equal, image: cmp?.image_drv_equal, error: newSide?.ok === false ? newSide.error : "" };
}

await init();
const yes = (b) => (b === undefined ? "–" : b ? "yes" : "**no**");
console.log("| format | variant | evaluates | system identical | image identical | evaluates (`--parity`) | system identical (`--parity`) | image identical (`--parity`) |");
console.log("|---|---|---|---|---|---|---|---|");
for (const f of FORMATS) {
  if (!f.variant || (only.length && !only.includes(f.format))) continue;
  // sd formats need their own platform; --system builds the others for another one (qcow -> qemu-efi off x86_64)
  const system = f.requiresSystem ?? values.system ?? "x86_64-linux";
  const before = flake(f.format, system);
  const cells = [];
  for (const parity of [false, true]) {
    const after = migrate(before, { path: "flake.nix", parity }).output;
    const r = evaluate(before, after);
    cells.push(yes(r.new), yes(r.system), yes(r.image));
    if (r.error) process.stderr.write(`${f.format}${parity ? " --parity" : ""}: ${r.error}\n`);
  }
  console.log(`| ${f.format} | ${f.variant} | ${cells.join(" | ")} |`);
}
