/**
 * @module Reading YAML (or JSON, which is YAML) with errors that name the line. Bun.YAML parses (built in,
 * fast), but its SyntaxError carries no position; only then is the `yaml` package loaded to say where.
 */
import { CliError } from "./errors";

/** Parses `text` read from `path`; a syntax error names the file, line and column. */
export function parseYaml(text: string, path: string): unknown {
  try {
    return Bun.YAML.parse(text);
  } catch (err) {
    throw new CliError(`cannot parse ${path}: ${located(text, (err as Error).message)}`);
  }
}

/** The first error of the `yaml` package, with its line and column; Bun's message when that one parses. */
function located(text: string, fallback: string): string {
  // require, not import: only the error path pays for loading it, and callers stay synchronous.
  const { parseAllDocuments } = require("yaml") as typeof import("yaml");
  for (const doc of [parseAllDocuments(text)].flat()) {
    const first = "errors" in doc ? doc.errors[0] : undefined;
    const at = first?.linePos?.[0];
    if (first && at) return `line ${at.line}, column ${at.col}: ${first.message.split(" at line ")[0]}`;
  }
  return fallback.replace(/^YAML Parse error: /, "");
}
