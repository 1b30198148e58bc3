// Evaluation-equivalence proof (issue 5 item 1, issue 8 "Proof"): every
// fixture under fixtures/ that holds a flake, and every case under
// test/equivalence/cases/, is migrated with the library and both flakes are
// evaluated with nix against the stubs in ./stubs. Each nixos-generators image
// must become images.<FORMATS[format].variant> of a configuration with the
// same system, specialArgs, pkgs, module files and option definitions, the
// migrated flake must evaluate (including the module-system check that
// variant-only options are not set in a base configuration), and every other
// output must stay equal. See harness.ts.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init } from "../../src/index.js";
import type { MigrateOptions } from "../../src/types.js";
import { loadFixtures, readTree, runProject } from "../helpers/fixtures.js";
import { checkEquivalence, pool, requireNixFlakes, type EquivalenceReport } from "./harness.js";

interface Case {
  readonly name: string;
  readonly inputs: Map<string, string>;
  readonly primary: string[];
  readonly options: MigrateOptions;
  /** The tool reports an error finding for it: an input that does not evaluate is then accepted. */
  readonly refused: boolean;
}

const CASES_DIR = join(import.meta.dirname, "cases");
/** Cases evaluated at once; each runs its two nix evals side by side, which already fills two cores (EQUIVALENCE_JOBS overrides). */
const JOBS = Number(process.env.EQUIVALENCE_JOBS) || 1;

/**
 * Known transform bugs: the migrated flake does not evaluate or is not
 * equivalent. The test expects these to FAIL (it.fails), so a fix shows up as
 * "unexpectedly passed" and the entry must then be removed.
 */
const KNOWN_FAILURES: Record<string, string> = {};

/**
 * Repairs: inputs that do not evaluate with real nixpkgs either (measured, docs/realnix-parity.md
 * "OLD evaluates: no"), with the error they must fail with here. The migrated flake must evaluate and
 * is compared with the input evaluated without the module-system check (harness: brokenInput).
 */
const BROKEN_INPUTS: Record<string, { error: string; why: string }> = {
  "fixtures/image-only-options/hand-migrated-rec": {
    error: "The option 'image.efiSupport' does not exist",
    why: "a hand migration that left isoImage.edition and image.efiSupport in the base configuration",
  },
  "fixtures/image-only-options/renamed-virtualbox": {
    error: "The option 'virtualbox.vmFileName' does not exist",
    why: "virtualbox.vmFileName was removed in 25.05 (the alias nixpkgs declares is virtualisation.virtualbox.vmFileName)",
  },
  "fixtures/image-only-options/computed-variant": {
    error: "The option 'isoImage' does not exist",
    why: "a hand migration that left isoImage.volumeID in the base configuration and picks variants by a computed name",
  },
};

/**
 * Differences that are the point of the migration, asserted exactly: the case passes only when the
 * problems are exactly these (one more, one fewer or a changed value fails it).
 */
const EXPECTED_DIFFERENCES: Record<string, { problems: string[]; why: string }> = {
  "fixtures/image-only-options/nothing-to-move": {
    problems: ['packages.x86_64-linux.qcow: definition added: {"conds":[],"order":null,"path":"boot.growPartition","prio":100,"value":true}'],
    why: "the user's own image.modules.qemu was inert under nixos-generators (its qcow image is not images.qemu) and takes effect once the image is images.qemu",
  },
};

/** Cases that cannot be checked here, with the reason (a stub gap or an input that cannot evaluate at all; not a tool bug). */
const SKIPPED: Record<string, string> = {
  "fixtures/image-only-options/direct-import-unbuilt-variant":
    "the input imports proxmox-image.nix directly, which switches system.build.images off on 25.05, and builds images.qemu: it cannot evaluate, and the tool only warns (it cannot know whether the import or the image is what the user meant)",
  "fixtures/image-only-options/inherit-image-option":
    "the input inherits isoImage into the base configuration, which cannot evaluate; the tool cannot split an inherited set and only warns, so the output cannot evaluate either",
  "fixtures/nixos-generate-call/brace-touches-next-token":
    "the calls' results are subtracted from and applied to what touches their closing brace (`}-0`, `}''ok''`): that is the only way a name can follow it, and an image can be neither, so neither side evaluates; the fixture pins the text (the reference must not run on into the next token, which made it another attribute)",
  "fixtures/generators-modules/module-file-keeps-conventional-name":
    "images.nix imports inputs.nixos-generators… while this flake calls the input gen: the input fails on that attribute before any module is evaluated (with or without the module-system check), so there is nothing to compare; the fixture pins what the migration does with such a module (the fuzz found a second run changing it)",
};

function loadCases(): Case[] {
  const out: Case[] = [];
  for (const fx of loadFixtures()) {
    // CLI lines, scripts, module-only fixtures (a single-file fixture is called flake.nix by default): nothing to evaluate
    if (!/\boutputs\b/.test(fx.inputs.get("flake.nix") ?? "")) continue;
    const refused = /^\S+ error /m.test(fx.expectedFindings ?? "");
    out.push({ name: `fixtures/${fx.name}`, inputs: fx.inputs, primary: fx.primary, options: fx.options, refused });
  }
  if (existsSync(CASES_DIR)) {
    for (const c of readdirSync(CASES_DIR).sort()) {
      const dir = join(CASES_DIR, c);
      if (!statSync(dir).isDirectory()) continue;
      const meta = existsSync(join(dir, "case.json")) ? JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) : {};
      out.push({ name: `cases/${c}`, inputs: readTree(dir, (n) => n === "case.json"), primary: meta.primary ?? ["flake.nix"], options: meta.options ?? {}, refused: !!meta.refused });
    }
  }
  return out;
}

/** EQUIVALENCE_ONLY=<regex>: evaluate and test only the cases whose name matches (for debugging). */
const ONLY = process.env.EQUIVALENCE_ONLY ? new RegExp(process.env.EQUIVALENCE_ONLY) : null;
const cases = loadCases().filter((c) => !ONLY || ONLY.test(c.name));
const reports = new Map<string, EquivalenceReport>();
let totalMs = 0;

let setupError: Error | null = null;

beforeAll(async () => {
  // no nix: every test below fails with this message (a throwing beforeAll would only mark them skipped)
  try {
    requireNixFlakes();
  } catch (e) {
    setupError = e as Error;
    return;
  }
  await init();
  const t0 = Date.now();
  const jobs = cases
    .filter((c) => !SKIPPED[c.name])
    .map((c) => async () => {
      const result = runProject(c.inputs, c.primary, c.options);
      const after = new Map(c.inputs);
      for (const f of result.files) if (f.changed) after.set(f.path, f.after);
      const report = await checkEquivalence(c.inputs, after, { parity: !!c.options.parity, allowOldNixpkgs: !!c.options.allowOldNixpkgs, brokenInput: BROKEN_INPUTS[c.name]?.error });
      reports.set(c.name, report);
      // EQUIVALENCE_DUMP=<dir>: the migrated files and both evaluations, for debugging
      const dump = process.env.EQUIVALENCE_DUMP;
      if (dump) {
        mkdirSync(dump, { recursive: true });
        const file = join(dump, c.name.replace(/[^\w.-]+/g, "_") + ".json");
        writeFileSync(file, JSON.stringify({ name: c.name, findings: result.findings, migrated: Object.fromEntries([...after].filter(([p]) => after.get(p) !== c.inputs.get(p))), ...report }, null, 1));
      }
    });
  await pool(JOBS, jobs);
  totalMs = Date.now() - t0;
}, 600_000);

afterAll(() => {
  if (!reports.size) return;
  const per = [...reports.values()].map((r) => r.ms);
  console.log(`equivalence: ${reports.size} cases in ${(totalMs / 1000).toFixed(1)} s (slowest case ${Math.max(...per)} ms, ${JOBS} at a time)`);
});

function verdict(c: Case): string[] {
  if (setupError) throw setupError;
  const r = reports.get(c.name);
  if (!r) throw new Error(`${c.name}: not evaluated (see beforeAll)`);
  // The tool reported an error (something it could not migrate, named by file:line:col): the input
  // may not evaluate with the stubs, and the output may not evaluate until the user acts on it.
  if (c.refused && (!r.before.ok || !r.after.ok)) return [];
  return r.problems;
}

describe("evaluation equivalence (nix + stubs)", () => {
  it("has nix with flakes (CI installs Debian's nix-bin)", () => {
    requireNixFlakes();
  });

  it("finds cases", () => {
    if (ONLY) return;
    expect(cases.some((c) => c.name.startsWith("cases/"))).toBe(true);
    // entries for fixtures may name fixtures other branches have not got yet
    for (const name of [...Object.keys(KNOWN_FAILURES), ...Object.keys(SKIPPED), ...Object.keys(EXPECTED_DIFFERENCES), ...Object.keys(BROKEN_INPUTS)].filter((n) => n.startsWith("cases/"))) {
      expect(cases.map((c) => c.name), `listed case ${name} does not exist`).toContain(name);
    }
  });

  for (const c of cases) {
    if (SKIPPED[c.name]) {
      it.skip(`${c.name} (skipped: ${SKIPPED[c.name]})`, () => {});
      continue;
    }
    const known = KNOWN_FAILURES[c.name];
    const expected = EXPECTED_DIFFERENCES[c.name];
    const broken = BROKEN_INPUTS[c.name];
    const title = known ? `${c.name} (known failure: ${known})`
      : expected ? `${c.name} (expected difference: ${expected.why})`
      : broken ? `${c.name} (repair of a broken input: ${broken.why})`
      : c.name;
    if (known) {
      it.fails(title, () => {
        if (setupError) return; // must still fail without nix: it.fails inverts, so pass here to be reported as failing
        expect(verdict(c)).toEqual([]);
      });
    } else {
      it(title, () => {
        expect(verdict(c)).toEqual(expected?.problems ?? []);
      });
    }
  }
});
