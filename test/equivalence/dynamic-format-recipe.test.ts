// The recipe a dynamic-format finding gives works when pasted: applied as
// written (replace the function, drop `format`, append the variant lookup
// after the call), the flake evaluates to the same images as nixosGenerate
// built, for a renamed format and for one whose variant has its name.
import { beforeAll, describe, expect, it } from "vitest";
import { init, migrateFiles } from "../../src/index.js";
import { checkEquivalence, requireNixFlakes } from "./harness.js";

const flake = (format: string) => `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = { url = "github:nix-community/nixos-generators"; inputs.nixpkgs.follows = "nixpkgs"; };
  outputs = { self, nixpkgs, nixos-generators }: {
    packages.x86_64-linux.image = nixos-generators.nixosGenerate {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
      format = import ./format.nix;
    };
  };
}
`;

/** Applies the finding's recipe to the flake text, the way its words say. */
function applyRecipe(text: string, message: string): string {
  const m = /replace `([^`]+)` by `([^`]+)`, drop the `format` argument and add `([^`]+)` after the call's closing brace/.exec(message);
  if (!m) throw new Error(`no recipe in: ${message}`);
  const [, fn, by, after] = m;
  let out = text.replace(fn!, by!).replace(/\n\s*format = [^\n]*;/, "");
  // the call's closing brace is the one before the `;` that ends `packages.….image = …`
  const close = out.indexOf("    };\n  };\n}");
  out = out.slice(0, close) + "    }" + after + ";\n  };\n}\n";
  return out;
}

beforeAll(async () => {
  await init();
});

describe("dynamic-format recipe", () => {
  it.each(["qcow", "vmware"])("pasted as written, builds the same %s image", async (format) => {
    requireNixFlakes();
    const files = new Map([
      ["flake.nix", flake(format)],
      ["format.nix", `"${format}"\n`],
      ["configuration.nix", "{ ... }: { networking.hostName = \"box\"; }\n"],
    ]);
    const host = { read: (p: string) => files.get(p.replace(/^\.\//, "")) };
    const r = migrateFiles(["flake.nix"], host, {});
    const finding = r.findings.find((f) => f.rule === "dynamic-format");
    expect(finding, "the format is not known statically").toBeDefined();
    const pasted = new Map(files);
    pasted.set("flake.nix", applyRecipe(files.get("flake.nix")!, finding!.message));
    const report = await checkEquivalence(files, pasted);
    expect(report.problems).toEqual([]);
  }, 120_000);
});
