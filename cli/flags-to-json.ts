/**
 * @module Raw-call flags to a JSON body, as 1Backend's `oo post/put`: `--a-b=1` → `{"a":{"b":1}}`
 * (keys split on `.` when they contain one, else on `-`), integers/decimals and true/false typed,
 * a repeated key becomes an array.
 */
import { UsageError } from "./errors";

type Json = string | number | boolean | Json[] | { [key: string]: Json };

/**
 * Builds the object for `args` (each `--key=value`).
 *
 * @example
 * flagsToJson(["--user-name=joe", "--user-age=30"]) // {user: {name: "joe", age: 30}}
 */
export function flagsToJson(args: string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const arg of args) {
    const match = /^--([^=]+)=(.*)$/s.exec(arg);
    if (!match) throw new UsageError(`invalid flag format: ${arg} (expected --key=value)`);
    const key = match[1]!;
    const parts = key.includes(".") ? key.split(".") : key.split("-");
    if (parts.some((p) => p === "")) throw new UsageError(`invalid flag name: --${key}`);
    insert(out, parts, typed(match[2]!));
  }
  return out;
}

/** `"30"` → 30, `"1.5"` → 1.5, `"true"` → true, anything else stays a string. */
export function typed(value: string): Json {
  if (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  if (/^-?\d+\.\d+$/.test(value)) return Number(value);
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  return value;
}

function insert(target: Record<string, Json>, parts: string[], value: Json): void {
  const [head, ...rest] = parts as [string, ...string[]];
  if (rest.length === 0) {
    const existing = target[head];
    target[head] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    return;
  }
  const child = target[head];
  if (child !== undefined && (typeof child !== "object" || Array.isArray(child))) {
    throw new UsageError(`flag --${parts.join("-")} conflicts with a value already given for "${head}"`);
  }
  const next = (child ?? {}) as Record<string, Json>;
  target[head] = next;
  insert(next, rest, value);
}
