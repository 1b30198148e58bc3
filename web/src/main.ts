// The playground page: form -> migrate() -> findings, diff, migrated file.
// Everything runs here; the only requests are the page's own files.
import exampleFlake from "../../examples/flake.nix?raw";
import { loadParser, migrate, isValidHostName, unifiedDiff, formatFinding, decodeText, type Finding, type MigrateOptions, type MigrateResult } from "./core.js";
import { parseUnifiedDiff, renderSideBySide, renderUnified, type DiffRow } from "./diff-view.js";
import { Editor } from "./editor.js";
import { decodeFragment, encodeFragment, hasSharedState, type SharedState } from "./share.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const form = $<HTMLFormElement>("form");
const pathInput = $<HTMLInputElement>("path");
const hostInput = $<HTMLInputElement>("host");
const hostError = $("host-error");
const parityInput = $<HTMLInputElement>("parity");
const allowOldInput = $<HTMLInputElement>("allow-old");
const editor = new Editor($<HTMLTextAreaElement>("input"), $("editor"));
const runButton = $<HTMLButtonElement>("run");
const fileInput = $<HTMLInputElement>("file");
const status = $("status");
const syntaxBox = $("syntax-error");
const findingsList = $("findings");
const findingsCount = $("findings-count");
const noFindings = $("no-findings");
const diffBox = $("diff");
const copyButton = $<HTMLButtonElement>("copy");
const downloadButton = $<HTMLButtonElement>("download");
const patchButton = $<HTMLButtonElement>("download-patch");
const copyStatus = $("copy-status");
const shareBox = $("share-box");
const shareUrl = $<HTMLInputElement>("share-url");
const shareStatus = $("share-status");

editor.textarea.placeholder = "{\n  inputs.nixos-generators.url = \"github:nix-community/nixos-generators\";\n  …\n}";

interface Shown {
  path: string;
  input: string;
  result: MigrateResult;
  diff: string;
  rows: DiffRow[];
}
let shown: Shown | null = null;

const parserReady = loadParser().then(
  () => {
    if (!shown) setStatus("Ready. Paste a flake and press Migrate.");
  },
  (e: unknown) => {
    setStatus(`The Nix parser could not be loaded: ${(e as Error).message}. Reload the page to try again.`, "error");
    throw e;
  },
);

function setStatus(text: string, tone: "info" | "error" | "ok" = "info"): void {
  status.textContent = text;
  status.dataset.tone = tone;
}

function currentPath(): string {
  return pathInput.value.trim() || "flake.nix";
}

function currentOptions(): MigrateOptions | null {
  const host = hostInput.value.trim();
  if (host && !isValidHostName(host)) {
    hostError.textContent = `"${host}" is not a valid Nix attribute name: use letters, digits, _ ' and -, not starting with a digit.`;
    hostError.hidden = false;
    hostInput.setAttribute("aria-invalid", "true");
    return null;
  }
  hostError.hidden = true;
  hostInput.removeAttribute("aria-invalid");
  return {
    path: currentPath(),
    ...(host ? { host } : {}),
    parity: parityInput.checked,
    allowOldNixpkgs: allowOldInput.checked,
  };
}

/** Runs the migration and shows it. Returns the milliseconds from the call to the rendered result. */
async function run(): Promise<number | null> {
  const t0 = performance.now();
  const options = currentOptions();
  if (!options) {
    hostInput.focus();
    return null;
  }
  try {
    await parserReady;
  } catch {
    return null;
  }
  const input = editor.text;
  let result: MigrateResult;
  try {
    result = migrate(input, options);
  } catch (e) {
    setStatus(`Internal error: ${(e as Error).message}. Please report it with the file.`, "error");
    return null;
  }
  const path = options.path!;
  const diff = result.changed ? unifiedDiff(path, input, result.output) : "";
  shown = { path, input, result, diff, rows: parseUnifiedDiff(diff) };
  render(shown);
  const ms = performance.now() - t0;
  document.body.dataset.lastRunMs = ms.toFixed(1);
  status.dataset.ms = ms.toFixed(1);
  status.append(` (${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms)`, ".");
  return ms;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function render(s: Shown): void {
  const { result } = s;
  const counts = { error: 0, warning: 0, note: 0 };
  for (const f of result.findings) counts[f.severity]++;
  const sev = [counts.error && plural(counts.error, "error"), counts.warning && plural(counts.warning, "warning"), counts.note && plural(counts.note, "note")].filter(Boolean).join(", ");

  // syntax error / refusal
  const refused = result.refused;
  if (refused?.kind === "syntax") {
    syntaxBox.replaceChildren(
      Object.assign(document.createElement("strong"), { textContent: `Syntax error at line ${refused.at.line}, column ${refused.at.column}` }),
      `: ${refused.message}. The file was not migrated. `,
      jumpButton("Show it in the input", refused.at.line, refused.at.column),
    );
    syntaxBox.dataset.line = String(refused.at.line);
    syntaxBox.hidden = false;
    editor.setErrorLine(refused.at.line);
    editor.reveal(refused.at.line, refused.at.column);
    setStatus(`Not migrated: syntax error at line ${refused.at.line}, column ${refused.at.column}`, "error");
  } else {
    syntaxBox.hidden = true;
    syntaxBox.replaceChildren();
    delete syntaxBox.dataset.line;
    editor.setErrorLine(null);
    if (refused) setStatus(`Not migrated: ${refused.message}`, "error");
    else if (result.changed) setStatus(`${s.path} migrated${sev ? `: ${sev}` : ""}`, counts.error ? "error" : "ok");
    else setStatus(`Nothing to migrate in ${s.path}${sev ? `: ${sev}` : ""}`, counts.error ? "error" : "info");
  }

  // findings
  findingsList.replaceChildren(...result.findings.map((f) => findingItem(f, s.path)));
  findingsCount.textContent = result.findings.length ? `(${result.findings.length})` : "";
  noFindings.hidden = result.findings.length > 0;

  renderDiff();
  copyButton.disabled = downloadButton.disabled = !!refused;
  patchButton.disabled = !s.diff;
  copyStatus.textContent = "";
}

function jumpButton(label: string, line: number, column: number): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "link";
  b.textContent = label;
  b.addEventListener("click", () => jumpTo(line, column));
  return b;
}

/** `file:line:col severity rule message`, as the CLI prints it; the position jumps to the line. */
function findingItem(f: Finding, path: string): HTMLLIElement {
  const li = document.createElement("li");
  li.className = `finding sev-${f.severity}`;
  li.dataset.rule = f.rule;
  li.dataset.line = String(f.start.line);
  const where = `${f.path}:${f.start.line}:${f.start.column}`;
  let loc: HTMLElement;
  if (f.path === path) {
    loc = jumpButton(where, f.start.line, f.start.column);
    loc.classList.add("loc");
    loc.setAttribute("aria-label", `${where}: show line ${f.start.line}`);
  } else {
    loc = Object.assign(document.createElement("span"), { className: "loc", textContent: where });
  }
  const sev = Object.assign(document.createElement("span"), { className: "sev", textContent: f.severity });
  const rule = Object.assign(document.createElement("code"), { className: "rule", textContent: f.rule });
  const msg = Object.assign(document.createElement("span"), { className: "msg", textContent: f.message });
  li.append(loc, " ", sev, " ", rule, " ", msg);
  li.title = formatFinding(f);
  return li;
}

function layout(): "unified" | "split" {
  return (form.ownerDocument.querySelector<HTMLInputElement>('input[name="layout"]:checked')?.value as "unified" | "split") ?? "unified";
}

function renderDiff(): void {
  if (!shown) return;
  if (!shown.diff) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = shown.result.refused ? "No changes: the file was not migrated." : "No changes.";
    diffBox.replaceChildren(p);
    return;
  }
  const table = layout() === "split" ? renderSideBySide(shown.rows, `a/${shown.path}`, `b/${shown.path}`) : renderUnified(shown.rows);
  diffBox.replaceChildren(table);
}

/** Highlights a line of the input in the editor and in the diff (when the diff shows it). */
function jumpTo(line: number, column: number): void {
  editor.reveal(line, column);
  for (const old of diffBox.querySelectorAll(".highlight")) old.classList.remove("highlight");
  const row = diffBox.querySelector<HTMLElement>(`tr[data-old-line="${line}"]`);
  if (row) {
    row.classList.add("highlight");
    const box = diffBox.getBoundingClientRect();
    const r = row.getBoundingClientRect();
    diffBox.scrollTop += r.top - box.top - (diffBox.clientHeight - r.height) / 2;
  }
  const target = matchMedia("(min-width: 1000px)").matches || !row ? editor.textarea : row;
  target.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1) || "flake.nix";
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function copyText(text: string, done: string, box: HTMLElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    box.textContent = done;
    return true;
  } catch {
    box.textContent = "The browser did not allow copying; select the text and copy it yourself.";
    return false;
  }
}

// --- loading files -----------------------------------------------------------

async function loadFile(file: File): Promise<void> {
  let text: string;
  try {
    text = decodeText(file.name, new Uint8Array(await file.arrayBuffer()));
  } catch (e) {
    setStatus(`${file.name} ${(e as Error).message}.`, "error");
    return;
  }
  pathInput.value = file.name;
  editor.text = text;
  await run();
}

function state(): SharedState {
  return { text: editor.text, path: currentPath(), host: hostInput.value.trim(), parity: parityInput.checked, allowOldNixpkgs: allowOldInput.checked };
}

async function restoreFromFragment(): Promise<void> {
  if (!hasSharedState(location.hash)) return;
  let s: SharedState;
  try {
    s = await decodeFragment(location.hash);
  } catch (e) {
    setStatus(`Cannot open this link: ${(e as Error).message}.`, "error");
    return;
  }
  editor.text = s.text;
  pathInput.value = s.path;
  hostInput.value = s.host;
  parityInput.checked = s.parity;
  allowOldInput.checked = s.allowOldNixpkgs;
  await run();
}

// --- events --------------------------------------------------------------------

form.addEventListener("submit", (e) => {
  e.preventDefault();
  void run();
});
editor.textarea.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    void run();
  }
});
for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="layout"]')) radio.addEventListener("change", renderDiff);
for (const input of [parityInput, allowOldInput]) input.addEventListener("change", () => shown && void run());

$("open").addEventListener("click", () => fileInput.click());
fileInput.addEventListener("change", () => {
  const f = fileInput.files?.[0];
  if (f) void loadFile(f);
  fileInput.value = "";
});
$("example").addEventListener("click", () => {
  pathInput.value = "flake.nix";
  editor.text = exampleFlake;
  void run();
});

const dropZone = $("editor");
dropZone.addEventListener("dragover", (e) => {
  if (!e.dataTransfer?.types.includes("Files")) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = "copy";
  dropZone.classList.add("dragging");
});
dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dragging"));
dropZone.addEventListener("drop", (e) => {
  const f = e.dataTransfer?.files?.[0];
  dropZone.classList.remove("dragging");
  if (!f) return;
  e.preventDefault();
  void loadFile(f);
});

copyButton.addEventListener("click", () => shown && void copyText(shown.result.output, `Copied the migrated ${basename(shown.path)}.`, copyStatus));
downloadButton.addEventListener("click", () => shown && download(basename(shown.path), shown.result.output));
patchButton.addEventListener("click", () => shown?.diff && download(`${basename(shown.path)}.patch`, shown.diff));

$("share").addEventListener("click", async () => {
  const fragment = await encodeFragment(state());
  history.replaceState(null, "", fragment);
  shareUrl.value = location.href;
  shareBox.hidden = false;
  shareUrl.focus();
  shareUrl.select();
  const copied = await copyText(location.href, "Copied the link.", shareStatus);
  if (copied && location.href.length > 8000) shareStatus.textContent += " It is long: some chat tools cut links this long.";
});

window.addEventListener("hashchange", () => void restoreFromFragment());
// the skip link moves focus without replacing a share fragment in the address bar
document.querySelector(".skip")!.addEventListener("click", (e) => {
  e.preventDefault();
  const result = $("result");
  result.focus();
  result.scrollIntoView();
});

void restoreFromFragment();
