// In-process cost of parse + transform + re-parse + diff on a generated flake
// with 100 nixosGenerate calls (goal < 150 ms), after one warm-up run.
//   node bench/in-process.mjs [calls=100]
import { init, migrate } from "../dist/bundle/index.js";
import { unifiedDiff } from "../dist/src/report/diff.js";

const calls = Number(process.argv[2] ?? 100);
const formats = ["iso", "qcow", "vmware", "amazon", "proxmox", "raw-efi", "install-iso", "gce", "do", "kexec"];
let body = "";
for (let i = 0; i < calls; i++) {
  body += `      host${i % 20}-${formats[i % formats.length]}-${i} = nixos-generators.nixosGenerate {\n` +
    `        system = "x86_64-linux";\n        modules = [ ./hosts/host${i % 20}.nix ];\n        format = "${formats[i % formats.length]}";\n      };\n`;
}
const flake = `{\n  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";\n  inputs.nixos-generators = {\n    url = "github:nix-community/nixos-generators";\n    inputs.nixpkgs.follows = "nixpkgs";\n  };\n  outputs = { self, nixpkgs, nixos-generators, ... }: {\n    packages.x86_64-linux = {\n${body}    };\n  };\n}\n`;

const t0 = performance.now();
await init();
const t1 = performance.now();
const run = () => {
  const s = performance.now();
  const r = migrate(flake, { path: "flake.nix" });
  const d = unifiedDiff("flake.nix", flake, r.output);
  return { ms: performance.now() - s, changed: r.changed, diffLines: d.split("\n").length, findings: r.findings.length };
};
const first = run();
const times = [];
for (let i = 0; i < 10; i++) times.push(run().ms);
times.sort((a, b) => a - b);
console.log(`flake: ${calls} calls, ${flake.length} bytes; parser init ${(t1 - t0).toFixed(1)} ms`);
console.log(`first run (cold JIT) ${first.ms.toFixed(1)} ms; changed=${first.changed}, ${first.findings} findings, ${first.diffLines} diff lines`);
console.log(`warm runs: median ${times[5].toFixed(1)} ms, min ${times[0].toFixed(1)} ms  (goal < 150 ms)`);
