// Issue: one flake with N nixosGenerate calls took time quadratic in N (a
// rescan of the file, or of every other call, per call). Timing belongs in
// bench/many-calls.mjs; here the passes' work is counted instead: every read
// of a syntax-tree node's property is one unit, so the check is exact and
// does not depend on the machine's load. 8x the calls must cost at most ~10x
// the units (linear is 8x; a rescan of every call per call made it ~29x).
// Loops over plain data (strings, format tables) are not counted: those the
// bench sees.
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../src/index.js";
import { migrateProject } from "../src/engine.js";
import type { ParsedNix, SyntaxNode } from "../src/parse.js";
import type { PassContext, Transform } from "../src/types.js";
import { TRANSFORMS } from "../transforms/index.js";

const FORMATS = ["iso", "qcow", "vmware", "amazon", "proxmox", "raw-efi", "install-iso", "gce", "do", "kexec"];

/** The flake of bench/many-calls.mjs: `shared` 20 hosts x 10 formats, `distinct` one host per call. */
function manyCallsFlake(calls: number, shape: "shared" | "distinct"): string {
  let body = "";
  for (let i = 0; i < calls; i++) {
    const f = FORMATS[i % FORMATS.length]!;
    const host = shape === "distinct" ? i : i % 20;
    body += `      host${host}-${f}-${i} = nixos-generators.nixosGenerate {\n        system = "x86_64-linux";\n        modules = [ ./hosts/host${host}.nix ];\n        format = "${f}";\n      };\n`;
  }
  return `{\n  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";\n  inputs.nixos-generators = {\n    url = "github:nix-community/nixos-generators";\n    inputs.nixpkgs.follows = "nixpkgs";\n  };\n  outputs = { self, nixpkgs, nixos-generators, ... }: {\n    packages.x86_64-linux = {\n${body}    };\n  };\n}\n`;
}

/** A view of a tree whose every property read adds one to `units`; the same node is always the same proxy. */
function countingTree(root: SyntaxNode, counter: { units: number }): SyntaxNode {
  const proxies = new WeakMap<SyntaxNode, SyntaxNode>();
  const childLists = new WeakMap<SyntaxNode, SyntaxNode[]>();
  const wrap = (node: SyntaxNode): SyntaxNode => {
    let p = proxies.get(node);
    if (!p) {
      p = new Proxy(node, {
        get(target, key) {
          counter.units++;
          if (key === "parent") return target.parent ? wrap(target.parent) : null;
          if (key === "children") {
            let list = childLists.get(target);
            if (!list) childLists.set(target, (list = target.children.map(wrap)));
            return list;
          }
          return Reflect.get(target, key);
        },
      });
      proxies.set(node, p);
    }
    return p;
  };
  return wrap(root);
}

/** Work units of each pass on the flake with `calls` calls. */
function unitsPerPass(calls: number, shape: "shared" | "distinct"): Map<string, number> {
  const units = new Map<string, number>();
  const counted: Transform[] = TRANSFORMS.map((pass) => ({
    ...pass,
    run(ctx: PassContext) {
      const counter = { units: 0 };
      let file: ParsedNix | null = null;
      const view: PassContext = {
        ...ctx,
        get file() {
          if (!file && ctx.file) file = { ...ctx.file, root: countingTree(ctx.file.root, counter) };
          return file;
        },
      };
      try {
        return pass.run(view);
      } finally {
        units.set(pass.id, (units.get(pass.id) ?? 0) + counter.units);
      }
    },
  }));
  const flake = manyCallsFlake(calls, shape);
  const r = migrateProject(["flake.nix"], { read: (p) => (p === "flake.nix" ? flake : undefined) }, {}, counted);
  expect(r.findings.filter((f) => f.rule === "migrated-call")).toHaveLength(calls);
  return units;
}

beforeAll(async () => {
  await init();
});

describe.each(["shared", "distinct"] as const)("work against the number of calls (%s configurations)", (shape) => {
  it("8x the calls is at most 10x the work in every pass (linear: 8x)", () => {
    const small = unitsPerPass(150, shape);
    const large = unitsPerPass(1200, shape);
    const ratios = Object.fromEntries([...large].map(([id, u]) => [id, Math.round((u / Math.max(small.get(id) ?? 0, 1)) * 10) / 10]));
    // the call pass does work per call: the ratio is not 1 because nothing was counted
    expect(ratios["nixos-generate-call"]).toBeGreaterThan(6);
    for (const [id, ratio] of Object.entries(ratios)) expect(ratio, id).toBeLessThanOrEqual(10);
  }, 120_000);
});
