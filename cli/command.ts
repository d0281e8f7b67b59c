/** @module The command tree: each noun is a {@link Command} with subcommands; dispatch and `--help` live here. */
import { parseArgs, type FlagSpec, type ParsedArgs } from "./args";
import { UsageError } from "./errors";

/** What a command's `run` receives. */
export interface RunContext extends ParsedArgs {
  /** The raw arguments after the command path (raw calls parse them themselves). */
  rest: string[];
  out(text: string): void;
}

/** A node of the command tree: a group (`subcommands`) or a leaf (`run`). */
export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  /** Argument synopsis after the command path, e.g. `<name> <url> [description]`. */
  usage?: string;
  /** Longer help text shown by `--help`. */
  details?: string;
  flags?: FlagSpec[];
  subcommands?: Command[];
  /** Receives the raw arguments untouched (no flag parsing except a leading --help). */
  rawArgs?: boolean;
  run?(ctx: RunContext): Promise<void>;
}

/** Flags every command accepts. */
export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: "env", short: "e", value: true, description: "environment to use instead of the selected one" },
  { name: "app-host", short: "a", value: true, description: "app host of the token to use (default: the user's selected one)" },
  { name: "help", short: "h", value: false, description: "show help for the command" },
];

/** Finds the command for `argv` under `root`, then parses its flags and runs it (or prints help). */
export async function dispatch(root: Command, argv: string[], out: (text: string) => void): Promise<void> {
  let command = root;
  const path: string[] = [root.name];
  let i = 0;
  while (command.subcommands && i < argv.length && !argv[i]!.startsWith("-")) {
    const next = command.subcommands.find((c) => c.name === argv[i] || c.aliases?.includes(argv[i]!));
    if (!next) throw new UsageError(`unknown command "${argv[i]}" for "${path.join(" ")}"`, path.join(" "));
    command = next;
    path.push(next.name);
    i++;
  }
  const rest = argv.slice(i);
  const name = path.join(" ");
  if (command.rawArgs) {
    if (rest.length === 0 || rest[0] === "--help" || rest[0] === "-h") return out(help(command, name));
    return command.run!({ positionals: [], flags: {}, rest, out });
  }
  const parsed = parseArgs(rest, [...(command.flags ?? []), ...GLOBAL_FLAGS], name);
  if (parsed.flags.help || !command.run) {
    if (!parsed.flags.help && rest.length > 0) throw new UsageError(`unknown command "${rest[0]}" for "${name}"`, name);
    if (!parsed.flags.help && command !== root) throw new UsageError(`"${name}" needs a subcommand (${command.subcommands!.map((c) => c.name).join(", ")})`, name);
    return out(help(command, name));
  }
  return command.run({ ...parsed, rest, out });
}

/** The `--help` text of a command. */
export function help(command: Command, name: string): string {
  const lines = [command.summary, "", `Usage: ${name}${command.subcommands ? " <command>" : ""}${command.usage ? ` ${command.usage}` : ""}`];
  if (command.aliases?.length) lines.push(`Aliases: ${[command.name, ...command.aliases].join(", ")}`);
  if (command.details) lines.push("", command.details);
  if (command.subcommands) {
    lines.push("", "Commands:");
    const width = Math.max(...command.subcommands.map((c) => c.name.length));
    for (const c of command.subcommands) lines.push(`  ${c.name.padEnd(width + 2)}${c.summary}`);
  }
  const flags = command.rawArgs ? [] : [...(command.flags ?? []), ...GLOBAL_FLAGS];
  if (flags.length) {
    lines.push("", "Flags:");
    const label = (f: FlagSpec) => `${f.short ? `-${f.short}, ` : "    "}--${f.name}${f.value ? " <value>" : ""}`;
    const width = Math.max(...flags.map((f) => label(f).length));
    for (const f of flags) lines.push(`  ${label(f).padEnd(width + 2)}${f.description}`);
  }
  if (command.subcommands) lines.push("", `Run "${name} <command> --help" for more about a command.`);
  return lines.join("\n");
}

/** The `--json` switch shared by listings. */
export const JSON_FLAG: FlagSpec = { name: "json", value: false, description: "print the result as JSON" };

/** Throws a usage error unless exactly `min`..`max` positionals were given. */
export function expectArgs(ctx: RunContext, min: number, max: number, usage: string): void {
  const n = ctx.positionals.length;
  if (n < min || n > max) throw new UsageError(`expected ${usage}, got ${n === 0 ? "nothing" : ctx.positionals.join(" ")}`);
}
