// A minimal JSON Schema validator (the keywords the schemas below use:
// type, required, properties, additionalProperties (false), items, enum,
// const, minimum, minItems, pattern, anyOf) and the part of the SARIF 2.1.0
// schema that GitHub code scanning (github/codeql-action/upload-sarif)
// relies on: https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning

export interface Schema {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean" | "null";
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: false;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  minItems?: number;
  pattern?: string;
  anyOf?: Schema[];
}

export function validate(value: unknown, schema: Schema, path = "$"): string[] {
  const errors: string[] = [];
  const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);
  if (schema.anyOf) {
    const all = schema.anyOf.map((s) => validate(value, s, path));
    if (!all.some((e) => e.length === 0)) errors.push(`${path}: matches none of anyOf (${all.map((e) => e[0]).join(" | ")})`);
  }
  if (schema.type) {
    const t = typeOf(value);
    const ok = t === schema.type || (schema.type === "number" && t === "integer");
    if (!ok) return [...errors, `${path}: expected ${schema.type}, got ${t}`];
  }
  if (schema.const !== undefined && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (schema.minimum !== undefined && typeof value === "number" && value < schema.minimum) errors.push(`${path}: ${value} < ${schema.minimum}`);
  if (schema.pattern && typeof value === "string" && !new RegExp(schema.pattern, "u").test(value)) errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items) value.forEach((v, i) => errors.push(...validate(v, schema.items!, `${path}[${i}]`)));
  } else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in o)) errors.push(`${path}: missing ${r}`);
    for (const [k, v] of Object.entries(o)) {
      const s = schema.properties?.[k];
      if (s) errors.push(...validate(v, s, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`);
    }
  }
  return errors;
}

const message: Schema = { type: "object", required: ["text"], properties: { text: { type: "string", pattern: "\\S" } } };
const region: Schema = {
  type: "object",
  required: ["startLine"],
  properties: {
    startLine: { type: "integer", minimum: 1 },
    startColumn: { type: "integer", minimum: 1 },
    endLine: { type: "integer", minimum: 1 },
    endColumn: { type: "integer", minimum: 1 },
  },
};
const location: Schema = {
  type: "object",
  required: ["physicalLocation"],
  properties: {
    physicalLocation: {
      type: "object",
      required: ["artifactLocation", "region"],
      properties: {
        // relative URI: no scheme, no leading slash, no backslashes
        artifactLocation: { type: "object", required: ["uri"], properties: { uri: { type: "string", pattern: "^(?![a-zA-Z][a-zA-Z0-9+.-]*:)(?!/)[^\\\\\\s]+$" }, uriBaseId: { type: "string" } } },
        region,
      },
    },
  },
};
const level: Schema = { enum: ["none", "note", "warning", "error"] };

export const SARIF_SUBSET: Schema = {
  type: "object",
  required: ["version", "runs", "$schema"],
  properties: {
    $schema: { type: "string", pattern: "sarif-2\\.1\\.0" },
    version: { const: "2.1.0" },
    runs: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["tool", "results"],
        properties: {
          tool: {
            type: "object",
            required: ["driver"],
            properties: {
              driver: {
                type: "object",
                required: ["name", "version", "informationUri", "rules"],
                properties: {
                  name: { type: "string" },
                  version: { type: "string" },
                  semanticVersion: { type: "string", pattern: "^\\d+\\.\\d+\\.\\d+" },
                  informationUri: { type: "string", pattern: "^https://" },
                  rules: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["id", "shortDescription", "defaultConfiguration"],
                      properties: {
                        id: { type: "string", pattern: "^[a-z][a-z0-9-]*$" },
                        name: { type: "string" },
                        shortDescription: message,
                        defaultConfiguration: { type: "object", required: ["level"], properties: { level } },
                      },
                    },
                  },
                },
              },
            },
          },
          columnKind: { enum: ["utf16CodeUnits", "unicodeCodePoints"] },
          results: {
            type: "array",
            items: {
              type: "object",
              required: ["ruleId", "level", "message", "locations"],
              properties: {
                ruleId: { type: "string" },
                ruleIndex: { type: "integer", minimum: 0 },
                level,
                message,
                locations: { type: "array", minItems: 1, items: location },
              },
            },
          },
        },
      },
    },
  },
};
