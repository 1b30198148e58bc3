// Time of `nixgen-migrate --verify` (a dry run) on the bundled example
// (examples/flake.nix: 2 images) and on a flake with 10 images of one
// configuration. Each run evaluates both sides with nix; prints wall time,
// CPU seconds (nixgen-migrate and its nix processes) and the peak RSS of the
// largest process, per run, and what --verify said.
//   node bench/verify.mjs [runs=3] [-- NIX FLAGS…]
// Without NIX FLAGS the inputs are the equivalence suite's stubs (offline; it
// measures the tool and Nix's start, not NixOS). For real nixpkgs give them, e.g.
//   node bench/verify.mjs 1 -- --offline --override-input nixpkgs path:/nix/store/…-source \
//     --override-input nixos-generators path:/nix/store/…-source --override-input nixos-generators/nixlib path:/nix/store/…-source
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtBin, median, timeOnce } from "./lib/measure.mjs";

const root = new URL("..", import.meta.url).pathname;
const sep = process.argv.indexOf("--");
const runs = Number(process.argv[2] !== "--" && process.argv[2] ? process.argv[2] : 3);
const stubs = join(root, "test", "equivalence", "stubs");
const nixFlags =
  sep >= 0
    ? process.argv.slice(sep + 1)
    : ["--offline", "--override-input", "nixpkgs", `path:${join(stubs, "nixpkgs")}`, "--override-input", "nixos-generators", `path:${join(stubs, "nixos-generators")}`];

const TEN = ["vmware", "virtualbox", "hyperv", "qcow", "qcow-efi", "raw", "raw-efi", "iso", "proxmox", "amazon"];
const tenImages = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = {
    url = "github:nix-community/nixos-generators";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux = {
${TEN.map((f) => `      ${f} = nixos-generators.nixosGenerate { system = "x86_64-linux"; modules = [ ./configuration.nix ]; format = "${f}"; };`).join("\n")}
    };
  };
}
`;

function project(files) {
  const dir = mkdtempSync(join(tmpdir(), "nixgen-bench-verify-"));
  cpSync(join(root, "examples"), dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const bin = builtBin();
const cases = [
  ["examples/flake.nix (2 images)", project({})],
  [`10 images (${TEN.join(", ")})`, project({ "flake.nix": tenImages })],
];
for (const [label, dir] of cases) {
  const walls = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = timeOnce(process.execPath, [bin, "--verify", "--format", "json", ...nixFlags, "flake.nix"], { cwd: dir });
    if (last.code !== 0 && last.code !== 1) throw new Error(`exit ${last.code}: ${last.stderr}`);
    walls.push(last.wall);
    console.log(`${label}: run ${i + 1}: ${last.wall.toFixed(1)} s wall, ${last.cpu.toFixed(1)} s CPU, ${last.rssMB.toFixed(0)} MB peak (largest process)`);
  }
  const verify = JSON.parse(last.stdout).find((f) => f.verify)?.verify;
  const counts = {};
  for (const o of verify?.outputs ?? []) counts[o.image ?? `${o.before.state}/${o.after.state}`] = (counts[o.image ?? `${o.before.state}/${o.after.state}`] ?? 0) + 1;
  console.log(`${label}: median ${median(walls).toFixed(1)} s over ${runs} run(s); --verify: ${verify?.status ?? "nothing"} (${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(", ")}; Nix ${verify?.nix ?? "?"}, ${verify?.seconds ?? "?"} s in the verify stage)`);
  rmSync(dir, { recursive: true, force: true });
}
