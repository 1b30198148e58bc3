// --format sarif: SARIF 2.1.0 for code scanning (github/codeql-action/upload-sarif).
// One run; the rules are src/rules.ts (plus the report's needs-migration);
// one result per finding, and per file that still needs migrating (dry run,
// --check). URIs are relative to the working directory (uriBaseId %SRCROOT%,
// which is what upload-sarif resolves against the checkout); columns count
// Unicode code points (columnKind) and end columns are exclusive.
import { RULES, VERIFY_RULES } from "../rules.js";
import { firstChangedLine, inertJson, needsMigrationMessage, NEEDS_MIGRATION, type ReportData, type ReportIo } from "./data.js";
import type { Severity } from "../types.js";
import { verifyProblems } from "./verify.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = { error: "error", warning: "warning", note: "note" };

/** URI of a relative path: forward slashes, each segment percent-encoded. */
function uri(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

export function sarifLog(data: ReportData): object {
  const rules = [
    ...Object.entries(RULES).map(([id, r]) => ({
      id,
      name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
      shortDescription: { text: r.summary },
      defaultConfiguration: { level: LEVEL[r.severity] },
    })),
    {
      id: NEEDS_MIGRATION.id,
      name: "NeedsMigration",
      shortDescription: { text: NEEDS_MIGRATION.summary },
      defaultConfiguration: { level: "warning" },
    },
    ...(data.verify
      ? Object.entries(VERIFY_RULES).map(([id, r]) => ({
          id,
          name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
          shortDescription: { text: r.summary },
          defaultConfiguration: { level: LEVEL[r.severity] },
        }))
      : []),
  ];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const location = (path: string, startLine: number, startColumn?: number, endLine?: number, endColumn?: number) => ({
    physicalLocation: {
      artifactLocation: { uri: uri(path), uriBaseId: "%SRCROOT%" },
      region: {
        startLine,
        ...(startColumn !== undefined ? { startColumn } : {}),
        ...(endLine !== undefined ? { endLine } : {}),
        ...(endColumn !== undefined ? { endColumn } : {}),
      },
    },
  });
  const results: object[] = [];
  if (data.mode !== "write") {
    for (const f of data.files) {
      if (!f.changed) continue;
      results.push({
        ruleId: NEEDS_MIGRATION.id,
        ruleIndex: ruleIndex.get(NEEDS_MIGRATION.id),
        level: "warning",
        message: { text: needsMigrationMessage(f.path) },
        locations: [location(f.path, firstChangedLine(f.before ?? "", f.after))],
      });
    }
  }
  for (const f of data.findings) {
    results.push({
      ruleId: f.rule,
      ...(ruleIndex.has(f.rule) ? { ruleIndex: ruleIndex.get(f.rule) } : {}),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [location(f.path, f.start.line, f.start.column, f.end.line, Math.max(f.end.column, f.end.line === f.start.line ? f.start.column : 1))],
    });
  }
  // --verify: a result per regression (an output that fails after migration), per other image, per flake not evaluated
  for (const p of data.verify ? verifyProblems(data.verify, data.written) : []) {
    results.push({ ruleId: p.rule, ruleIndex: ruleIndex.get(p.rule), level: LEVEL[VERIFY_RULES[p.rule].severity], message: { text: p.message }, locations: [location(p.file, p.line)] });
  }
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "nixgen-migrate",
            version: data.version(),
            semanticVersion: data.version(),
            informationUri: "https://www.npmjs.com/package/nixgen-migrate",
            rules,
          },
        },
        columnKind: "unicodeCodePoints",
        originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileUri(data.cwd) } },
        results,
        ...(data.errors.length
          ? {
              invocations: [
                {
                  executionSuccessful: false,
                  toolExecutionNotifications: data.errors.map((e) => ({
                    level: "error",
                    message: { text: `${e.path}: ${e.message}` },
                    locations: [location(e.path, 1)],
                  })),
                },
              ],
            }
          : {}),
      },
    ],
  };
}

function pathToFileUri(dir: string): string {
  const p = dir.replace(/\\/g, "/");
  const withSlash = p.endsWith("/") ? p : p + "/";
  return "file://" + (withSlash.startsWith("/") ? "" : "/") + withSlash.split("/").map(encodeURIComponent).join("/");
}

export function reportSarif(data: ReportData, io: ReportIo): void {
  io.stdout(inertJson(JSON.stringify(sarifLog(data), null, 2)) + "\n");
}
