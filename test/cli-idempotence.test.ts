// Idempotence through the real bin on every fixture: `--write` on a copy of
// each fixture's input tree writes what the fixture expects, and a second run
// has nothing to do (no file changes, no diff; exit 1 only for error findings,
// which stay). One process per set of options, all fixtures with those options
// at once (each fixture in its own directory with a `.git`, as its own repository).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lstatSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cli, tempProject } from "./helpers/cli.js";
import { loadFixtures, type Fixture } from "./helpers/fixtures.js";

const fixtures = loadFixtures();
let root: string;
let cleanup: () => void;

const dirOf = (fx: Fixture) => `fx/${fx.name}`;

function flags(fx: Fixture): string[] {
  const o = fx.options as { host?: string; parity?: boolean; allowOldNixpkgs?: boolean };
  return [...(o.host ? ["--host", o.host] : []), ...(o.parity ? ["--parity"] : []), ...(o.allowOldNixpkgs ? ["--allow-old-nixpkgs"] : [])];
}

/** Fixtures grouped by their command-line flags. */
const groups = new Map<string, Fixture[]>();
for (const fx of fixtures) {
  const key = flags(fx).join(" ");
  groups.set(key, [...(groups.get(key) ?? []), fx]);
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const n of readdirSync(join(root, rel)).sort()) {
      const p = rel ? `${rel}/${n}` : n;
      const st = lstatSync(join(root, p));
      if (st.isDirectory()) walk(p);
      else out.set(p, `${(st.mode & 0o7777).toString(8)} ${readFileSync(join(root, p), "utf8")}`);
    }
  };
  walk(dir);
  return out;
}

beforeAll(() => {
  const files: Record<string, string> = {};
  for (const fx of fixtures) for (const [p, text] of fx.inputs) files[`${dirOf(fx)}/${p}`] = text;
  ({ dir: root, cleanup } = tempProject(files));
  for (const fx of fixtures) mkdirSync(join(root, dirOf(fx), ".git"), { recursive: true });
});
afterAll(() => cleanup?.());

describe.each([...groups].map(([key, fxs]) => [key || "(no flags)", fxs] as const))("fixtures run with %s", (key, fxs) => {
  const args = key === "(no flags)" ? [] : key.split(" ");
  const paths = fxs.flatMap((fx) => fx.primary.map((p) => `${dirOf(fx)}/${p}`));

  it(`--write writes what the ${fxs.length} fixtures expect, and a second run has nothing to do`, () => {
    const first = cli(["--write", ...args, ...paths], { cwd: root });
    expect(first.stderr).not.toMatch(/internal error|RangeError|TypeError/);
    // 2 only for a fixture that is refused for a syntax error
    const refused = fxs.filter((fx) => /^\S+:\d+:\d+ error syntax-error /m.test(fx.expectedFindings ?? ""));
    expect(first.code).toBe(refused.length ? 2 : fxs.some((fx) => / error /.test(fx.expectedFindings ?? "")) ? 1 : 0);

    for (const fx of fxs) {
      for (const [p, input] of fx.inputs) {
        const text = readFileSync(join(root, dirOf(fx), p), "utf8");
        expect(text, `${fx.name}: ${p}`).toBe(fx.expected.get(p) ?? input);
      }
    }

    const written = snapshot("fx");
    const second = cli(["--write", ...args, ...paths], { cwd: root });
    expect(snapshot("fx")).toEqual(written);
    const errorsLeft = /^\S+:\d+:\d+ error /m.test(second.stdout + second.stderr);
    expect(second.code).toBe(refused.length ? 2 : errorsLeft ? 1 : 0);
    expect(second.stderr).toMatch(/^0 files migrated, /m);

    const dry = cli([...args, ...paths], { cwd: root });
    expect(dry.stdout).not.toMatch(/^(---|\+\+\+) /m);
    expect(dry.stderr).toMatch(/^0 files to migrate, /m);
    expect(snapshot("fx")).toEqual(written);
  });
});
