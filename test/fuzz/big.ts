// Big inputs: 100k-deep nesting of every kind of expression (no stack
// overflow, nothing quadratic) and 10 MB files.
import type { Outcome } from "./properties.js";

export interface BigCase {
  readonly name: string;
  readonly text: string;
  /** The outcome the case must have (a migration must still happen 100k levels down). */
  readonly expect?: Outcome;
  /** Through nix-instantiate --parse too? (Nix's parser stack stops at 10,000 levels.) */
  readonly oracle: boolean;
}

const D = 100_000;
const MB10 = 10 * 1024 * 1024;

const flake = (body: string) => `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators.url = "github:nix-community/nixos-generators";
  outputs = { self, nixpkgs, nixos-generators, ... }: ${body};
}
`;
const call = `nixos-generators.nixosGenerate { system = "x86_64-linux"; modules = [ ./c.nix ]; format = "qcow"; }`;
const r = (s: string, n = D) => s.repeat(n);

/** `quick`: the few that `npm test` runs; `all`: every one (`npm run fuzz`). */
export function bigCases(which: "quick" | "all"): BigCase[] {
  const quick: BigCase[] = [
    { name: "100k nested lists (not a flake)", text: r("[") + r("]"), expect: "unchanged", oracle: false },
    { name: "10 MB comment in a flake", text: flake(`{ packages.x86_64-linux.x = ${call}; }`) + "# " + "x".repeat(MB10) + "\n", expect: "migrated", oracle: true },
  ];
  if (which === "quick") return quick;
  const bindings: string[] = [];
  for (let i = 0, len = 0; len < MB10; i++) {
    const b = `      b${i} = "${i} ü ${"y".repeat(i % 2000)}";\n`;
    bindings.push(b);
    len += b.length;
  }
  return [
    ...quick,
    { name: "100k nested parentheses around a call", text: flake(`{ packages.x86_64-linux.x = ${r("(")}${call}${r(")")}; }`), expect: "migrated", oracle: false },
    // in a list, `f { … }` is two elements: nixosGenerate used as a value is refused
    { name: "100k nested lists around a call", text: flake(`{ packages.x86_64-linux.x = ${r("[")}${call}${r("]")}; }`), expect: "refused", oracle: false },
    { name: "100k nested attribute sets around a call", text: flake(`{ packages.x86_64-linux = ${r("{a=")}${call}${r(";}")}; }`), expect: "migrated", oracle: false },
    { name: "100k nested lets around a call", text: flake(`{ packages.x86_64-linux.x = ${r("let a = 1; in ")}${call}; }`), expect: "migrated", oracle: false },
    { name: "100k withs around a call", text: flake(`{ packages.x86_64-linux.x = ${r("with nixos-generators; ")}nixosGenerate { system = "x86_64-linux"; format = "iso"; }; }`), expect: "migrated", oracle: false },
    { name: "100k nested withs of free names", text: flake(`{ packages.x86_64-linux.x = ${r("with a; ")}${call}; }`), oracle: false },
    { name: "100k lambdas around a call", text: flake(`{ packages.x86_64-linux.x = ${r("x: ")}${call}; }`), oracle: false },
    { name: "100k applications around a call", text: flake(`{ packages.x86_64-linux.x = ${r("f ")}(${call}); }`), oracle: false },
    { name: "100k // around the outputs", text: flake(`${r("{ } // ")}{ packages.x86_64-linux.x = ${call}; }`), oracle: false },
    { name: "100k nested ifs in format", text: flake(`{ packages.x86_64-linux.x = nixos-generators.nixosGenerate { system = "x86_64-linux"; format = ${r("if true then ")}"iso"${r(' else "qcow"')}; }; }`), oracle: false },
    { name: "100k nested interpolations", text: flake(`{ packages.x86_64-linux.x = ${call}; s = ${r('"${')}"x"${r('}"')}; }`), oracle: false },
    { name: "100k-long ++ chain in modules", text: flake(`{ packages.x86_64-linux.x = nixos-generators.nixosGenerate { system = "x86_64-linux"; modules = ${r("[ ./a.nix ] ++ ")}[ ]; format = "install-iso-hyperv"; }; }`), oracle: false },
    { name: "100k-long alias chain to the input", text: flake(`let ${Array.from({ length: D }, (_, i) => `a${i} = ${i ? `a${i - 1}` : "nixos-generators"};`).join(" ")} in { packages.x86_64-linux.x = a${D - 1}.nixosGenerate { system = "x86_64-linux"; format = "iso"; }; }`), oracle: true },
    { name: "100k-long + chain in specialArgs", text: flake(`{ packages.x86_64-linux.x = nixos-generators.nixosGenerate { system = "x86_64-linux"; specialArgs.n = ${r("1 + ")}1; format = "iso"; }; }`), expect: "migrated", oracle: false },
    { name: "10 MB of bindings (long strings) in a flake", text: flake(`{\n${bindings.join("")}      packages.x86_64-linux.x = ${call};\n    }`), expect: "migrated", oracle: true },
  ];
}
