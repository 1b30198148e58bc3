#!/usr/bin/env node
// Time against the number of nixosGenerate calls in one flake: the whole
// pipeline (parse, every pass, re-parses) on a flake with SMALL and with
// LARGE calls, each size in its own process, and the time of each pass.
// Goal: LARGE/SMALL = 8 calls at most 12x the time (linear is 8x).
//
//   npm run build && node bench/many-calls.mjs [--small 2000] [--large 16000] [--shape shared|distinct|both] [--runs 3]
//
// Shapes: `shared`: 20 hosts x 10 formats (calls share configurations);
// `distinct`: every call its own module, so its own configuration.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { machine, median } from "./lib/measure.mjs";

const FORMATS = ["iso", "qcow", "vmware", "amazon", "proxmox", "raw-efi", "install-iso", "gce", "do", "kexec"];

/** A flake with `calls` nixosGenerate calls in packages.x86_64-linux. */
export function manyCallsFlake(calls, shape) {
  let body = "";
  for (let i = 0; i < calls; i++) {
    const f = FORMATS[i % FORMATS.length];
    const host = shape === "distinct" ? i : i % 20;
    body +=
      `      host${host}-${f}-${i} = nixos-generators.nixosGenerate {\n` +
      `        system = "x86_64-linux";\n        modules = [ ./hosts/host${host}.nix ];\n        format = "${f}";\n      };\n`;
  }
  return (
    `{\n  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";\n  inputs.nixos-generators = {\n` +
    `    url = "github:nix-community/nixos-generators";\n    inputs.nixpkgs.follows = "nixpkgs";\n  };\n` +
    `  outputs = { self, nixpkgs, nixos-generators, ... }: {\n    packages.x86_64-linux = {\n${body}    };\n  };\n}\n`
  );
}

/** One measurement in this process: the pipeline's time and each pass's. */
async function child(calls, shape) {
  const { init } = await import("../dist/src/index.js");
  const { migrateProject } = await import("../dist/src/engine.js");
  const { TRANSFORMS } = await import("../dist/transforms/index.js");
  await init();
  const passes = {};
  const timed = TRANSFORMS.map((p) => ({
    ...p,
    run(ctx) {
      const s = performance.now();
      try {
        return p.run(ctx);
      } finally {
        passes[p.id] = (passes[p.id] ?? 0) + performance.now() - s;
      }
    },
  }));
  // warm the JIT on a small flake first (not measured)
  const warm = manyCallsFlake(200, shape);
  migrateProject(["flake.nix"], { read: (p) => (p === "flake.nix" ? warm : undefined) }, {}, timed);
  for (const k of Object.keys(passes)) delete passes[k];
  const flake = manyCallsFlake(calls, shape);
  const s = performance.now();
  const r = migrateProject(["flake.nix"], { read: (p) => (p === "flake.nix" ? flake : undefined) }, {}, timed);
  const total = performance.now() - s;
  const migrated = r.findings.filter((f) => f.rule === "migrated-call").length;
  if (migrated !== calls) throw new Error(`${migrated} of ${calls} calls migrated`);
  process.stdout.write(JSON.stringify({ total, passes }) + "\n");
}

async function main() {
  const { values } = parseArgs({
    options: {
      small: { type: "string", default: "2000" },
      large: { type: "string", default: "16000" },
      shape: { type: "string", default: "both" },
      runs: { type: "string", default: "3" },
      child: { type: "string" },
    },
  });
  if (values.child) return child(Number(values.child), values.shape);
  const self = fileURLToPath(import.meta.url);
  const sizes = [Number(values.small), Number(values.large)];
  const shapes = values.shape === "both" ? ["shared", "distinct"] : [values.shape];
  console.log(`many-calls: ${sizes.join(" vs ")} nixosGenerate calls in one flake; ${values.runs} runs each (median); goal: at most 12x (linear: ${sizes[1] / sizes[0]}x)`);
  console.log(`machine: ${machine()}`);
  for (const shape of shapes) {
    const samples = sizes.map(() => []);
    for (let run = 0; run < Number(values.runs); run++) {
      sizes.forEach((n, i) => {
        const r = spawnSync(process.execPath, [self, "--child", String(n), "--shape", shape], { encoding: "utf8", maxBuffer: 1 << 26 });
        if (r.status !== 0) throw new Error(r.stderr);
        samples[i].push(JSON.parse(r.stdout));
      });
    }
    const med = (i, pick) => median(samples[i].map(pick));
    const [a, b] = [med(0, (x) => x.total), med(1, (x) => x.total)];
    console.log(`\n${shape}: ${sizes[0]} calls ${(a / 1000).toFixed(2)} s, ${sizes[1]} calls ${(b / 1000).toFixed(2)} s: ${(b / a).toFixed(1)}x`);
    for (const id of Object.keys(samples[0][0].passes)) {
      const [pa, pb] = [med(0, (x) => x.passes[id] ?? 0), med(1, (x) => x.passes[id] ?? 0)];
      console.log(`  ${id.padEnd(24)} ${pa.toFixed(0).padStart(7)} ms ${pb.toFixed(0).padStart(7)} ms  ${(pb / Math.max(pa, 1)).toFixed(1)}x`);
    }
    const rest = (i) => med(i, (x) => x.total - Object.values(x.passes).reduce((s, v) => s + v, 0));
    console.log(`  ${"parse, apply, re-parse".padEnd(24)} ${rest(0).toFixed(0).padStart(7)} ms ${rest(1).toFixed(0).padStart(7)} ms  ${(rest(1) / rest(0)).toFixed(1)}x`);
  }
}

await main();
