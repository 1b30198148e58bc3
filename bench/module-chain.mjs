// The module walk on a chain of N module files (flake -> m0 -> m1 -> …), each
// setting an option that exists only in the proxmox image variant: every file
// must be migrated, and the time should grow linearly with N.
//   node bench/module-chain.mjs [N …]   (default 500 1500 5000; npm run build first)
import { init, migrateFiles } from "../dist/bundle/index.js";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
await init();

function project(n) {
  const files = new Map([["flake.nix", `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.pve = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./m/m0.nix ]; };
    packages.x86_64-linux.pve = self.nixosConfigurations.pve.config.system.build.images.proxmox;
  };
}
`]]);
  for (let i = 0; i < n; i++) {
    const imports = i + 1 < n ? `  imports = [ ./m${i + 1}.nix ];\n` : "";
    files.set(`m/m${i}.nix`, `{\n${imports}  proxmox.qemuConf.cores = ${i};\n}\n`);
  }
  return files;
}

for (const n of sizes.length ? sizes : [500, 1500, 5000]) {
  const files = project(n);
  const host = { read: (p) => files.get(p), isDirectory: () => false, inside: (p) => !p.startsWith("../") };
  const t = performance.now();
  const r = migrateFiles(["flake.nix"], host, {});
  const ms = performance.now() - t;
  const migrated = r.files.filter((f) => f.changed && f.path.startsWith("m/")).length;
  const notFollowed = r.findings.filter((f) => f.rule === "module-not-followed").length;
  console.log(`${String(n).padStart(6)} files: ${ms.toFixed(0).padStart(6)} ms, ${(ms / n).toFixed(2)} ms/file, ${migrated} migrated, ${notFollowed} not followed`);
}
