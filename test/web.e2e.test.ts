// The playground (web/) end to end: build it, serve web/dist on 127.0.0.1, drive
// it in headless Chromium and check that it shows what the CLI prints for the
// same file, never talks to another host, and survives a share link round trip.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { BIN, tempProject } from "./helpers/cli.js";
import { ROOT, ensureBuilt, serveStatic, type StaticServer } from "./helpers/web.js";

const CHROMIUM = "/usr/bin/chromium";
const FIXTURE = join(ROOT, "fixtures", "nixos-generate-call", "readme-example");
const INPUT = readFileSync(join(FIXTURE, "input.nix"), "utf8");
const OUTPUT = readFileSync(join(FIXTURE, "output.nix"), "utf8");
const BROKEN = INPUT.replace('format = "vmware";', 'format = "vmware"');
const SCREENSHOT = join(ROOT, "test-output", "playground.png");
const FIRST_RESULT_BUDGET_MS = 500;
const SIZE_BUDGET = 1024 * 1024;

/** What the CLI prints for `text` as flake.nix: the diff and the finding lines, colour off. */
function cliOutput(text: string, flags: string[] = []): { diff: string; findings: string[]; code: number } {
  const { dir, cleanup } = tempProject({ "flake.nix": text });
  try {
    const r = spawnSync(process.execPath, [BIN, "--no-color", ...flags, "flake.nix"], { cwd: dir, encoding: "utf8" });
    const cut = r.stdout.search(/^flake\.nix:\d+:\d+ /m);
    const diff = cut < 0 ? r.stdout : r.stdout.slice(0, cut);
    const findings = (cut < 0 ? "" : r.stdout.slice(cut)).split("\n").filter(Boolean);
    return { diff, findings, code: r.status ?? -1 };
  } finally {
    cleanup();
  }
}

let server: StaticServer;
let browser: Browser;
let context: BrowserContext;
const requests: string[] = [];

/** The diff exactly as the unified view shows it (one table row per diff line). */
async function shownDiff(page: Page): Promise<string> {
  const lines = await page.$$eval(".diff-unified td.code", (tds) => tds.map((td) => td.textContent ?? ""));
  return lines.length ? lines.join("\n") + "\n" : "";
}

async function shownFindings(page: Page): Promise<string[]> {
  return page.$$eval("#findings li", (lis) => lis.map((li) => li.textContent ?? ""));
}

/** Presses Migrate and waits for the page to report the run; returns its own performance.now() timing. */
async function migrateNow(page: Page): Promise<number> {
  await page.evaluate(() => delete document.body.dataset.lastRunMs);
  await page.click("#run");
  await page.waitForFunction(() => document.body.dataset.lastRunMs !== undefined, undefined, { timeout: 10_000 });
  return Number(await page.evaluate(() => document.body.dataset.lastRunMs));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The playground test needs Chromium at ${CHROMIUM}, which is missing. ` +
        "Install Debian's package: `sudo apt-get install -y chromium` (.ci/run does this).",
    );
  }
  // the CLI to compare with, and the page, built from the current sources when stale
  ensureBuilt("build", "dist/bundle/cli.cjs", ["src", "transforms", "scripts/bundle.mjs", "package.json"]);
  ensureBuilt("build:web", "web/dist/index.html", ["web", "src", "transforms", "grammar", "examples", "package.json", "package-lock.json"]);
  server = await serveStatic(join(ROOT, "web", "dist"));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
  context.on("request", (r) => requests.push(r.url()));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("playground", () => {
  let page: Page;

  it("loads only its own files, and they are small", async () => {
    page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(server.origin + "/");
    await page.waitForFunction(() => /Ready/.test(document.getElementById("status")?.textContent ?? ""));
    expect(errors).toEqual([]);
    const files = server.sent.filter((s) => s.encoding !== "404");
    expect(files.map((f) => f.path).sort()).toEqual(
      expect.arrayContaining(["/", expect.stringMatching(/\/assets\/tree-sitter-nix-.*\.wasm$/), expect.stringMatching(/\/assets\/web-tree-sitter-.*\.wasm$/)]),
    );
    const total = files.reduce((a, f) => a + f.bytes, 0);
    console.log(`playground first load: ${files.length} requests, ${(total / 1024).toFixed(1)} kB transferred (gzip)\n` +
      files.map((f) => `  ${(f.bytes / 1024).toFixed(1).padStart(7)} kB ${f.encoding.padEnd(8)} ${f.path}`).join("\n"));
    expect(files.every((f) => f.encoding === "gzip")).toBe(true);
    expect(total).toBeLessThan(SIZE_BUDGET);
  });

  it("shows the same diff and findings as the CLI, fast", async () => {
    await page.fill("#input", INPUT);
    const ms = await migrateNow(page);
    console.log(`playground first result: ${ms.toFixed(1)} ms after pressing Migrate (budget ${FIRST_RESULT_BUDGET_MS} ms)`);
    expect(ms).toBeLessThan(FIRST_RESULT_BUDGET_MS);

    const cli = cliOutput(INPUT);
    expect(cli.diff).toMatch(/^diff --git a\/flake.nix b\/flake.nix\n/);
    expect(await shownDiff(page)).toBe(cli.diff);
    expect(await shownFindings(page)).toEqual(cli.findings);
    expect(await page.textContent("#status")).toMatch(/^flake\.nix migrated: 1 warning, 4 notes \(\d+(\.\d)? ms\)\.$/);

    // the migrated file, by clipboard and by download
    await page.click("#copy");
    await expect.poll(() => page.textContent("#copy-status")).toMatch(/Copied/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(OUTPUT);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    expect(download.suggestedFilename()).toBe("flake.nix");
    const saved = await download.path();
    expect(readFileSync(saved, "utf8")).toBe(OUTPUT);
  });

  it("passes --host and --parity like the CLI", async () => {
    await page.fill("#host", "lab");
    await page.check("#parity"); // re-runs on change
    await migrateNow(page);
    const cli = cliOutput(INPUT, ["--host", "lab", "--parity"]);
    expect(cli.diff).toContain("nixosConfigurations.lab");
    expect(await shownDiff(page)).toBe(cli.diff);
    expect(await shownFindings(page)).toEqual(cli.findings);

    await page.fill("#host", "1bad");
    await page.click("#run");
    await expect.poll(() => page.isVisible("#host-error")).toBe(true);
    expect(await page.getAttribute("#host", "aria-invalid")).toBe("true");
    await page.fill("#host", "");
    await page.uncheck("#parity");
    await migrateNow(page);
    expect(await shownDiff(page)).toBe(cliOutput(INPUT).diff);
  });

  it("side-by-side view and line links", async () => {
    await page.check('input[name="layout"][value="split"]');
    const split = await page.$$eval(".diff-split tbody tr", (trs) => trs.length);
    expect(split).toBeGreaterThan(5);
    const removed = await page.$$eval(".diff-split td.code.side-removed", (tds) => tds.map((t) => t.textContent));
    expect(removed).toContain('-    url = "github:nix-community/nixos-generators";');

    // clicking flake.nix:14:14 marks line 14 in the input and in the diff
    await page.click('#findings li[data-line="14"] .loc');
    expect(await page.textContent(".gutter .marked")).toBe("14");
    expect(await page.getAttribute(".diff tr.highlight", "data-old-line")).toBe("14");
    const caret = await page.$eval("#input", (t) => (t as HTMLTextAreaElement).selectionStart);
    expect(INPUT.slice(caret).startsWith("nixos-generators.nixosGenerate {\n        system")).toBe(true);
    await page.check('input[name="layout"][value="unified"]');

    // keyboard: Ctrl+Enter in the editor runs
    await page.evaluate(() => delete document.body.dataset.lastRunMs);
    await page.focus("#input");
    await page.keyboard.press("Control+Enter");
    await page.waitForFunction(() => document.body.dataset.lastRunMs !== undefined);
  });

  it("keeps working offline once loaded", async () => {
    await context.setOffline(true);
    try {
      await page.fill("#input", INPUT.replace('"qcow"', '"iso"'));
      await migrateNow(page);
      expect(await shownDiff(page)).toContain("+      qcow = self.nixosConfigurations.nixos.config.system.build.images.iso;");
    } finally {
      await context.setOffline(false);
    }
  });

  it("shows a syntax error at its line", async () => {
    await page.fill("#input", BROKEN);
    await migrateNow(page);
    const cli = cliOutput(BROKEN);
    expect(cli.code).toBe(2);
    expect(cli.findings).toHaveLength(1);
    const [, line, column] = /^flake\.nix:(\d+):(\d+) error syntax-error /.exec(cli.findings[0]!)!;
    expect(line).toBe("12");
    expect(await page.isVisible("#syntax-error")).toBe(true);
    expect(await page.textContent("#syntax-error")).toContain(`Syntax error at line ${line}, column ${column}: missing ";"`);
    expect(await page.getAttribute("#syntax-error", "data-line")).toBe(line);
    expect(await page.textContent(".gutter .error")).toBe(line);
    expect(await page.textContent(".gutter .marked")).toBe(line);
    expect(await shownFindings(page)).toEqual(cli.findings);
    expect(await page.isDisabled("#copy")).toBe(true);
    expect(await page.textContent("#diff")).toMatch(/not migrated/);
  });

  it("round-trips the input and options through a share link", async () => {
    const text = INPUT.replace("# for the lab", "# für das Labor ✓ 🧪");
    await page.fill("#input", text);
    await page.fill("#path", "hosts/flake.nix");
    await page.fill("#host", "lab");
    await page.check("#allow-old");
    await migrateNow(page);
    const diff = await shownDiff(page);
    const findings = await shownFindings(page);
    expect(diff).toContain("a/hosts/flake.nix");

    await page.click("#share");
    await expect.poll(() => page.inputValue("#share-url")).toMatch(/#s=[A-Za-z0-9_-]+$/);
    const url = await page.inputValue("#share-url");
    expect(page.url()).toBe(url);
    expect(url.startsWith(server.origin + "/#s=")).toBe(true);
    expect(url).not.toContain("github"); // compressed, not plain text
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    const fresh = await context.newPage();
    await fresh.goto(url);
    await fresh.waitForFunction(() => document.body.dataset.lastRunMs !== undefined);
    expect(await fresh.inputValue("#input")).toBe(text);
    expect(await fresh.inputValue("#path")).toBe("hosts/flake.nix");
    expect(await fresh.inputValue("#host")).toBe("lab");
    expect(await fresh.isChecked("#allow-old")).toBe(true);
    expect(await fresh.isChecked("#parity")).toBe(false);
    expect(await shownDiff(fresh)).toBe(diff);
    expect(await shownFindings(fresh)).toEqual(findings);

    // a damaged link says so instead of failing silently
    await fresh.goto(url.slice(0, -12) + "AAAA");
    await fresh.waitForFunction(() => /Cannot open this link/.test(document.getElementById("status")?.textContent ?? ""));
    await fresh.close();
  });

  it("fits a narrow screen, and saves a screenshot", async () => {
    mkdirSync(join(ROOT, "test-output"), { recursive: true });
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 375, height: 800 });
    await narrow.goto(server.origin + "/");
    // pressed right after the load event: the time includes waiting for the parser if it is still loading
    await narrow.click("#example");
    await narrow.waitForFunction(() => document.body.dataset.lastRunMs !== undefined);
    const cold = Number(await narrow.evaluate(() => document.body.dataset.lastRunMs));
    console.log(`playground result on a fresh page (button pressed at the load event): ${cold.toFixed(1)} ms`);
    const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await narrow.screenshot({ path: join(ROOT, "test-output", "playground-narrow.png"), fullPage: true });
    await narrow.close();

    const shot = await context.newPage();
    await shot.setViewportSize({ width: 1200, height: 760 });
    await shot.emulateMedia({ colorScheme: "light" });
    await shot.goto(server.origin + "/");
    await shot.click("#example");
    await shot.waitForFunction(() => document.body.dataset.lastRunMs !== undefined);
    // both panels from the top, with the first lines of the diff in view
    await shot.evaluate(() => window.scrollTo(0, document.querySelector("main")!.getBoundingClientRect().top + window.scrollY - 8));
    await shot.screenshot({ path: SCREENSHOT });
    console.log(`playground screenshot: ${SCREENSHOT}`);
    await shot.close();
  });

  it("made no request to any other host", () => {
    const foreign = requests.filter((u) => !u.startsWith(server.origin + "/") && !u.startsWith("blob:") && !u.startsWith("data:"));
    expect(foreign).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
  });
});
