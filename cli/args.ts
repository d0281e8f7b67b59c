/** @module A tiny argv parser: `--name=value`, `--name value`, `-n value`, boolean `--flag`, `--` ends flags. */
import { UsageError } from "./errors";

/** A flag a command accepts. */
export interface FlagSpec {
  name: string;
  short?: string;
  /** True when the flag takes a value (`--env local`); false for a switch (`--json`). */
  value: boolean;
  description: string;
}

/** Positionals in order; flags by long name (`true` for switches). */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | true>;
}

/** Parses `argv` against `specs`; unknown flags and missing values are {@link UsageError}s. */
export function parseArgs(argv: string[], specs: FlagSpec[], command: string): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      out.positionals.push(arg);
      continue;
    }
    const [rawName, inline] = splitOnce(arg.replace(/^--?/, ""), "=");
    const spec = arg.startsWith("--") ? specs.find((s) => s.name === rawName) : specs.find((s) => s.short === rawName);
    if (!spec) throw new UsageError(`unknown flag ${arg.split("=")[0]} for "${command}"`, command);
    if (!spec.value) {
      if (inline !== undefined) throw new UsageError(`flag --${spec.name} takes no value`, command);
      out.flags[spec.name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`flag --${spec.name} needs a value`, command);
    out.flags[spec.name] = value;
  }
  return out;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, undefined] : [s.slice(0, at), s.slice(at + 1)];
}
