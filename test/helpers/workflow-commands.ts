// What the GitHub Actions runner does with a step's output, line by line
// (actions/runner: ActionCommandManager.TryProcessCommand, ActionCommand.TryParseV2
// and TryParse): the line is read as `::name props::data` after trimming its
// start, else as `##[name props]data` anywhere in it; only registered command
// names count (case-insensitively); `::stop-commands::<token>` turns every
// command off until `::<token>::` (or `##[<token>]`). Lines end at \r\n, \n or \r.
// Used to check that nothing a flake holds reaches the runner as a command.

export interface WorkflowCommand {
  readonly name: string;
  readonly properties: Record<string, string>;
  readonly data: string;
  /** 0-based line of the output. */
  readonly line: number;
}

/** The runner's commands (its command extensions, and stop-commands). */
const REGISTERED = ["add-mask", "add-path", "set-env", "set-output", "save-state", "debug", "notice", "warning", "error", "group", "endgroup", "echo", "add-matcher", "remove-matcher", "stop-commands"];

const unescape = (s: string, pairs: [string, string][]) => pairs.reduce((t, [from, to]) => t.split(from).join(to), s);
const DATA: [string, string][] = [["%0D", "\r"], ["%0A", "\n"], ["%25", "%"]];
const PROPERTY: [string, string][] = [["%0D", "\r"], ["%0A", "\n"], ["%3A", ":"], ["%2C", ","], ["%25", "%"]];
const LEGACY: [string, string][] = [["%3B", ";"], ["%0D", "\r"], ["%0A", "\n"], ["%5D", "]"], ["%25", "%"]];

function parseV2(line: string, registered: Set<string>): Omit<WorkflowCommand, "line"> | null {
  const m = line.trimStart();
  if (!m.startsWith("::")) return null;
  const end = m.indexOf("::", 2);
  if (end < 0) return null;
  const info = m.slice(2, end);
  const space = info.indexOf(" ");
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return null;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const p of info.slice(space + 1).trim().split(",").filter(Boolean)) {
      const eq = p.indexOf("=");
      if (eq > 0 && eq < p.length - 1) properties[p.slice(0, eq)] = unescape(p.slice(eq + 1), PROPERTY);
    }
  }
  return { name, properties, data: unescape(m.slice(end + 2), DATA) };
}

function parseLegacy(line: string, registered: Set<string>): Omit<WorkflowCommand, "line"> | null {
  const at = line.indexOf("##[");
  if (at < 0) return null;
  const rb = line.indexOf("]", at);
  if (rb < 0) return null;
  const info = line.slice(at + 3, rb);
  const space = info.indexOf(" ");
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return null;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const p of info.slice(space + 1).split(";").filter(Boolean)) {
      const eq = p.indexOf("=");
      if (eq > 0 && eq < p.length - 1) properties[p.slice(0, eq)] = unescape(p.slice(eq + 1), LEGACY);
    }
  }
  return { name, properties, data: unescape(line.slice(rb + 1), LEGACY) };
}

/** The commands the runner would carry out for this output (stop-commands and its resume token included). */
export function workflowCommands(output: string): WorkflowCommand[] {
  const registered = new Set(REGISTERED);
  let stopToken: string | null = null;
  const out: WorkflowCommand[] = [];
  output.split(/\r\n|\n|\r/).forEach((line, i) => {
    if (!line) return;
    const c = parseV2(line, registered) ?? parseLegacy(line, registered);
    if (!c) return;
    if (stopToken !== null) {
      if (c.name.toLowerCase() !== stopToken.toLowerCase()) return;
      registered.delete(stopToken.toLowerCase());
      stopToken = null;
      out.push({ ...c, line: i });
      return;
    }
    if (c.name.toLowerCase() === "stop-commands") {
      stopToken = c.data;
      registered.add(stopToken.toLowerCase());
    }
    out.push({ ...c, line: i });
  });
  return out;
}
