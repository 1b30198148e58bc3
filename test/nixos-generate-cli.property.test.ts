// Random nixos-generate command lines in every supported file type (Nix strings too): the pass
// never fails internally, a second run changes nothing, and the text outside
// the command line is kept byte for byte.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { beforeAll } from "vitest";
import { migrate } from "../src/migrate.js";
import { init } from "../src/index.js";
import { parseNix } from "../src/parse.js";

beforeAll(async () => {
  await init();
});

const FLAGS: string[][] = [
  ["-f", "qcow"], ["-f", "iso"], ["--format", "'raw-efi'"], ["-f", '"vm"'], ["-f", "vm-bootloader"], ["-f", "docker"], ["-f", "$F"],
  ["--flake", ".#h"], ["--flake", '".#$H"'], ["-c", "./c.nix"], ["-c", "/etc/nixos/c.nix"], ["--configuration", '"$CFG"'],
  ["--run"], ["--list"], ["--show-trace"], ["--cores", "4"], ["--option", "sandbox", "true"], ["-I", "nixpkgs=channel:nixos-25.05"],
  ["-o", "out"], ["--system", "aarch64-linux"], ["--disk-size", "8192"], ["--special-arg", "k", "v"], ["--format-path", "./f.nix"],
  ["--bogus"],
];
const SEPARATORS = [" ", "  ", " \\\n  ", " \\\n\t"];
const PREFIXES = ["", "F=iso; ", "x || ", "out=$(", "sudo ", "NIX_PATH=nixpkgs=channel:nixos-25.05 ", "! ", "nix run github:nix-community/nixos-generators -- "];
const SUFFIXES = ["", " | tee log", " > log 2>&1", " &", "; echo done", " # comment"];

const command = fc
  .record({
    flags: fc.array(fc.constantFrom(...FLAGS), { maxLength: 5 }),
    seps: fc.array(fc.constantFrom(...SEPARATORS), { minLength: 12, maxLength: 12 }),
    prefix: fc.constantFrom(...PREFIXES),
    suffix: fc.constantFrom(...SUFFIXES),
  })
  .map(({ flags, seps, prefix, suffix }) => {
    const words = flags.flat();
    let text = prefix.startsWith("nix run") ? prefix.trimEnd() : prefix + "nixos-generate";
    words.forEach((w, i) => (text += seps[i % seps.length] + w));
    if (prefix === "out=$(") text += ")";
    return text + suffix;
  });

const wrap = (kind: string, cmd: string): { path: string; text: string; keep: [string, string] } => {
  const before = "# before \u00e9\u00f8 😀\n";
  const after = "\n# after\n";
  switch (kind) {
    case "sh":
      return { path: "build.sh", text: `${before}${cmd}${after}`, keep: [before, after] };
    case "make":
      return { path: "Makefile", text: `all:\n\t@${cmd.replace(/\$/g, "$$$$").replace(/\n/g, "\n\t")}\nx: ; :\n`, keep: ["all:\n\t@", "\nx: ; :\n"] };
    case "yaml":
      return { path: ".github/workflows/b.yml", text: `jobs:\n  b:\n    steps:\n      - run: |\n          ${cmd.replace(/\n/g, "\n          ")}\n      - run: echo ok\n`, keep: ["jobs:\n  b:\n    steps:\n      - run: |\n          ", "\n      - run: echo ok\n"] };
    case "docker":
      return { path: "Dockerfile", text: `FROM nixos/nix\nRUN ${cmd.replace(/\n/g, "\n  ")}\nCMD ["true"]\n`, keep: ["FROM nixos/nix\nRUN ", "\nCMD [\"true\"]\n"] };
    case "nix": {
      // an indented Nix string: `''` would end it, so the command's `''` is written `'''`
      const body = cmd.replace(/''/g, "'''").replace(/\$\{/g, "''${").replace(/\n/g, "\n    ");
      return { path: "scripts.nix", text: `{ pkgs, ... }: {\n  s = pkgs.writeShellScript "s" ''\n    ${body}\n  '';\n}\n`, keep: ["{ pkgs, ... }: {\n  s = pkgs.writeShellScript \"s\" ''\n    ", "\n  '';\n}\n"] };
    }
    case "nix-dq": {
      const body = cmd.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$\{/g, "\\${");
      return { path: "app.nix", text: `{ pkgs }: pkgs.writeShellScript "a" "${body}"\n`, keep: ['{ pkgs }: pkgs.writeShellScript "a" "', '"\n'] };
    }
    default:
      return { path: "README.md", text: `Text\n\n\`\`\`sh\n${cmd}\n\`\`\`\nmore\n`, keep: ["Text\n\n```sh\n", "\n```\nmore\n"] };
  }
};

describe("nixos-generate-cli on random command lines", () => {
  it("never fails, is idempotent and keeps the surrounding text", () => {
    fc.assert(
      fc.property(command, fc.constantFrom("sh", "make", "yaml", "md", "docker", "nix", "nix-dq"), (cmd, kind) => {
        const { path, text, keep } = wrap(kind, cmd);
        if (path.endsWith(".nix") && parseNix(text).error) return;
        const first = migrate(text, { path });
        expect(first.findings.filter((f) => f.rule === "internal-error")).toEqual([]);
        expect(first.output.startsWith(keep[0])).toBe(true);
        expect(first.output.endsWith(keep[1])).toBe(true);
        const second = migrate(first.output, { path });
        expect(second.changed).toBe(false);
        expect(second.findings.filter((f) => f.rule === "internal-error")).toEqual([]);
        if (first.changed) expect(first.output).not.toMatch(/(^|[\s;(|&])nixos-generate\s/m);
        if (first.changed && path.endsWith(".nix")) expect(parseNix(first.output).error).toBeNull();
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 1500), seed: Number(process.env.FC_SEED ?? 20250705) },
    );
  });
});
