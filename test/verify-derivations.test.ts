// --verify's reading of Nix: `nix show-derivation` (2.8) and `nix derivation
// show` (2.15+, and the version-4 JSON of 2.33+), the first difference of two
// derivation graphs in words, the system inside an image, Nix's first error line.
import { describe, expect, it } from "vitest";
import { DerivationCache, describeDifference, drvName, findSystem, firstDifferences, parseShow, type Derivation } from "../src/verify/derivations.js";
import { firstErrorLine, isFetchError, runNix, type NixSettings } from "../src/verify/nix.js";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockedRef, pinsOf } from "../src/verify/inputs.js";

const H = (c: string) => c.repeat(32);
const P = (c: string, name: string) => `/nix/store/${H(c)}-${name}.drv`;

describe("parseShow", () => {
  const env = { name: "nixos-image-vmware", out: `/nix/store/${H("z")}-nixos-image-vmware`, kernelParams: "quiet" };
  it("reads Nix 2.8's show-derivation (full paths, inputDrvs as lists)", () => {
    const json = JSON.stringify({
      [P("a", "nixos-image-vmware")]: { outputs: { out: { path: env.out } }, inputSrcs: [`/nix/store/${H("s")}-builder.sh`], inputDrvs: { [P("b", "nixos-system-lab")]: ["out"] }, system: "x86_64-linux", builder: "/bin/sh", args: ["-e"], env },
    });
    const d = parseShow(json).get(P("a", "nixos-image-vmware"))!;
    expect(d.name).toBe("nixos-image-vmware");
    expect([...d.inputs]).toEqual([["nixos-system-lab", [P("b", "nixos-system-lab")]]]);
    expect(d.inputSrcs).toEqual([`/nix/store/${H("s")}-builder.sh`]);
    expect(d.outputs).toEqual(["out"]);
  });

  it("reads 2.18's inputDrvs objects and the version-4 JSON (base names, inputs.drvs / inputs.srcs, wrapped in derivations)", () => {
    const v3 = JSON.stringify({ [P("a", "x")]: { outputs: { out: {} }, inputSrcs: [], inputDrvs: { [P("b", "y")]: { outputs: ["out"], dynamicOutputs: {} } }, builder: "/bin/sh", args: [], env: { name: "x" } } });
    expect([...parseShow(v3).get(P("a", "x"))!.inputs.keys()]).toEqual(["y"]);
    const v4 = JSON.stringify({
      version: 4,
      derivations: { [`${H("a")}-x.drv`]: { name: "x", version: 4, outputs: { out: {} }, inputs: { srcs: [`${H("s")}-src`], drvs: { [`${H("b")}-y.drv`]: ["out"] } }, builder: "/bin/sh", args: [], env: { name: "x" } } },
    });
    const d = parseShow(v4).get(P("a", "x"))!;
    expect([...d.inputs]).toEqual([["y", [P("b", "y")]]]);
    expect(d.inputSrcs).toEqual([`/nix/store/${H("s")}-src`]);
  });
});

/** A store of fake derivations for the graph walks. */
function store(drvs: Record<string, Partial<Derivation> & { inputs?: Map<string, string[]> }>): DerivationCache {
  const full = new Map(
    Object.entries(drvs).map(([p, d]) => [p, { name: drvName(p), env: {}, inputs: new Map(), inputSrcs: [], builder: "/bin/sh", args: [], outputs: ["out"], ...d } as Derivation]),
  );
  return new DerivationCache(async (paths) => new Map(paths.filter((p) => full.has(p)).map((p) => [p, full.get(p)!])));
}

describe("structured attributes", () => {
  it("are unfolded from __json (and newer Nix's structuredAttrs), so that a difference has its attribute's name", () => {
    const json = (attrs: object) => JSON.stringify({ [P("a", "iso")]: { outputs: { out: {} }, inputSrcs: [], inputDrvs: {}, builder: "/bin/sh", args: [], env: { __json: JSON.stringify(attrs), out: "/x" } } });
    const d = parseShow(json({ name: "iso", makeEfiBootable: true, contents: [{ source: "a" }] })).get(P("a", "iso"))!;
    expect(d.env).toEqual({ out: "/x", name: "iso", makeEfiBootable: "true", contents: '[{"source":"a"}]' });
    const v4 = JSON.stringify({ version: 4, derivations: { [`${H("a")}-iso.drv`]: { name: "iso", outputs: { out: {} }, inputs: { srcs: [], drvs: {} }, builder: "/bin/sh", args: [], env: {}, structuredAttrs: { makeUsbBootable: false } } } });
    expect(parseShow(v4).get(P("a", "iso"))!.env).toEqual({ makeUsbBootable: "false" });
  });
});

describe("the first difference", () => {
  it("a changed system: the image differs only by its input, the system's own kernelParams say why", async () => {
    const s1 = P("1", "nixos-system-lab-25.05");
    const s2 = P("2", "nixos-system-lab-25.05");
    const etc = P("e", "etc");
    const cache = store({
      [P("a", "img")]: { env: { name: "img", system: `/nix/store/${H("1")}-nixos-system-lab-25.05` }, inputs: new Map([["nixos-system-lab-25.05", [s1]]]) },
      [P("b", "img")]: { env: { name: "img", system: `/nix/store/${H("2")}-nixos-system-lab-25.05` }, inputs: new Map([["nixos-system-lab-25.05", [s2]]]) },
      [s1]: { env: { name: "nixos-system-lab-25.05", kernelParams: "quiet loglevel=4" }, inputs: new Map([["etc", [etc]]]) },
      [s2]: { env: { name: "nixos-system-lab-25.05", kernelParams: "quiet loglevel=4 console=ttyS0" }, inputs: new Map([["etc", [etc]]]) },
    });
    expect(await findSystem(P("a", "img"), cache)).toBe(s1);
    const diffs = await firstDifferences(P("a", "img"), P("b", "img"), cache);
    expect(diffs.map(describeDifference)).toEqual(["nixos-system-lab-25.05: kernelParams +console=ttyS0"]);
  });

  it("a list attribute of a structured-attributes derivation: its elements; a new name is said once", async () => {
    const cache = store({
      [P("a", "nixos-system-lab-26.11")]: { env: { name: "nixos-system-lab-26.11", kernelParams: '["console=ttyS0","root=fstab","loglevel=4"]' } },
      [P("b", "nixos-system-lab-qcow2-26.11")]: { env: { name: "nixos-system-lab-qcow2-26.11", kernelParams: '["root=fstab","loglevel=4"]' } },
    });
    const [d] = await firstDifferences(P("a", "nixos-system-lab-26.11"), P("b", "nixos-system-lab-qcow2-26.11"), cache);
    expect(describeDifference(d!)).toBe("nixos-system-lab-26.11 -> nixos-system-lab-qcow2-26.11: kernelParams -console=ttyS0");
  });

  it("the name only: the file name changed", async () => {
    const cache = store({
      [P("a", "nixos-vmware")]: { env: { name: "nixos-vmware", out: `/nix/store/${H("x")}-nixos-vmware` } },
      [P("b", "nixos-image-vmware-x86_64-linux")]: { env: { name: "nixos-image-vmware-x86_64-linux", out: `/nix/store/${H("y")}-nixos-image-vmware-x86_64-linux` } },
    });
    const [d] = await firstDifferences(P("a", "nixos-vmware"), P("b", "nixos-image-vmware-x86_64-linux"), cache);
    expect(describeDifference(d!)).toBe("name only: the file name changed (nixos-vmware -> nixos-image-vmware-x86_64-linux)");
  });

  it("a different input, and a long value shown where it starts to differ", async () => {
    const script = (x: string) => `#!/bin/sh\nset -e\n${x}\nexit 0\n`;
    const cache = store({
      [P("a", "img")]: { env: { name: "img", buildCommand: script("mkfs.ext4 -L nixos $img") }, inputs: new Map([["qemu-guest.nix", [P("q", "qemu-guest.nix")]]]) },
      [P("b", "img")]: { env: { name: "img", buildCommand: script("mkfs.ext4 -L root $img") }, inputs: new Map() },
    });
    const [d] = await firstDifferences(P("a", "img"), P("b", "img"), cache);
    expect(describeDifference(d!)).toBe("img: buildCommand +mkfs.ext4 -L root $img -mkfs.ext4 -L nixos $img; a different input (-qemu-guest.nix)");
  });
});

describe("Nix's errors", () => {
  it("the message's first line, from Nix 2.8 and from newer Nix (error: … trace … error: message)", () => {
    expect(firstErrorLine("warning: Git tree '/x' is dirty\nerror: The option `fileExtension' does not exist. Definition values:\n       - In `/nix/store/x-source/c.nix': \".vmdk\"\n(use '--show-trace' to show detailed location information)\n")).toBe(
      "The option `fileExtension' does not exist. Definition values:",
    );
    expect(firstErrorLine("error:\n       … while evaluating the attribute 'outputs'\n\n       … while calling a function\n\n       error: attribute 'no-such-variant' missing\n")).toBe("attribute 'no-such-variant' missing");
  });

  it("tells an input that cannot be fetched from an output that fails", () => {
    expect(isFetchError("error: unable to download 'https://api.github.com/repos/x/y/commits/HEAD': Couldn't resolve host name (6)")).toBe(true);
    expect(isFetchError("error: getting status of '/nonexistent': No such file or directory")).toBe(true);
    expect(isFetchError("error: The option `x' does not exist.")).toBe(false);
    expect(isFetchError("error: getting status of '/nix/store/j4dd323k73arfchs3998xjdr2ndiqnjl-source/configuration.nix': No such file or directory")).toBe(false);
  });
});

describe("a flake without flake.lock: the inputs the side before resolved pin the side after", () => {
  it("reads the target's direct inputs from the wrapper's lock (follows stay follows)", () => {
    const metadata = {
      locks: {
        root: "root",
        nodes: {
          root: { inputs: { target: "target" } },
          target: { inputs: { nixpkgs: "nixpkgs", "nixos-generators": "nixos-generators", utils: ["nixpkgs"] } },
          nixpkgs: { locked: { type: "github", owner: "NixOS", repo: "nixpkgs", rev: "7beb50e7ff79da548c79762c9130477208787e96", narHash: "sha256-Q/x=" } },
          "nixos-generators": { locked: { type: "path", path: "/nix/store/x-source", narHash: "sha256-A=", lastModified: 0 } },
        },
      },
    };
    expect(pinsOf(metadata)).toEqual([
      ["nixpkgs", "github:NixOS/nixpkgs/7beb50e7ff79da548c79762c9130477208787e96?narHash=sha256-Q%2Fx%3D"],
      ["nixos-generators", "path:/nix/store/x-source?narHash=sha256-A%3D"],
    ]);
    expect(lockedRef({ type: "git", url: "https://example.org/r.git", rev: "abc", ref: "main" })).toBe("git+https://example.org/r.git?rev=abc&ref=main");
    expect(lockedRef({ type: "indirect", id: "nixpkgs" })).toBe(null);
  });
});

describe("nix's garbage collector", () => {
  it("is off for Nix 2.8 (it crashes on large NixOS evaluations), on for newer Nix, and GC_DONT_GC=0 keeps it on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nixgen-gc-"));
    try {
      const nix = join(dir, "nix");
      writeFileSync(nix, '#!/bin/sh\necho "${GC_DONT_GC-unset}"\n');
      chmodSync(nix, 0o755);
      const settings = (env: NodeJS.ProcessEnv): NixSettings => ({ program: nix, overrides: [], offline: false, timeoutSeconds: 10, cwd: dir, env: { PATH: process.env.PATH, ...env } });
      const gc = async (version: string, env: NodeJS.ProcessEnv = {}) => (await runNix(settings(env), [], "test", version)).stdout.trim();
      expect(await gc("2.8.0")).toBe("1");
      expect(await gc("2.24.1")).toBe("unset");
      expect(await gc("2.8.0", { GC_DONT_GC: "0" })).toBe("unset");
      expect(await gc("2.8.0", { GC_DONT_GC: "1" })).toBe("1");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("-j auto", () => {
  it("runs one nix process at a time on Nix older than 2.9 (no garbage collector) and one per CPU on newer Nix", async () => {
    const { autoJobs } = await import("../src/verify/verify.js");
    expect(autoJobs("2.8.0", 8)).toBe(1);
    expect(autoJobs("2.8.1pre", 8)).toBe(1);
    expect(autoJobs("2.9.0", 8)).toBe(8);
    expect(autoJobs("2.24.10", 4)).toBe(4);
    expect(autoJobs("3.0", 2)).toBe(2);
  });
});

describe("--verify-batch auto", () => {
  it("evaluates all of a side's images in one process, but on Nix older than 2.9 one per 4 GB of memory (at least one)", async () => {
    const { autoBatch } = await import("../src/verify/verify.js");
    const GiB = 1024 ** 3;
    expect(autoBatch("2.8.0", 23 * GiB)).toBe(5);
    expect(autoBatch("2.8.0", 8 * GiB)).toBe(2);
    expect(autoBatch("2.8.0", 2 * GiB)).toBe(1);
    expect(autoBatch("2.9.0", 2 * GiB)).toBe(Infinity);
    expect(autoBatch("2.24.10", 64 * GiB)).toBe(Infinity);
  });
});
