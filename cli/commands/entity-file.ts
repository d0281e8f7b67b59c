/** @module Reading entity files for `save` commands: YAML or JSON, one object or a list. */
import { existsSync, readFileSync } from "node:fs";
import { CliError } from "../errors";
import { parseYaml } from "../yaml-file";

/** The objects in `path` (a single object becomes a one-element list). */
export function readEntities(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) throw new CliError(`file not found: ${path}`);
  const parsed = parseYaml(readFileSync(path, "utf8"), path); // JSON is YAML too
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.some((e) => typeof e !== "object" || e === null || Array.isArray(e))) {
    throw new CliError(`${path} must hold an object or a list of objects`);
  }
  return list as Record<string, unknown>[];
}
