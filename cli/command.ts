/**
 * @module The command tree as data (each noun a {@link Command} with subcommands) and its translation to
 * commander, which parses, validates arguments, suggests ("did you mean"), and prints help. Global flags
 * (`-e`, `-a`, `-o`/`--json`) are declared on the root and on every leaf, so they work before or after the
 * command path (`oo -e prod instance ls` = `oo instance ls -e prod`), as cobra's persistent flags do.
 */
import { Command as Commander, CommanderError, Option } from "commander";
import { UsageError } from "./errors";
import type { Format } from "./output";

/** A flag of a command, in commander's syntax: `"-l, --limit <n>"` takes a value, `"--all"` is a switch. */
export interface FlagSpec {
  flags: string;
  description: string;
  choices?: string[];
}

/** What a command's `run` receives. */
export interface RunContext {
  /** Declared arguments in order (variadic ones spread). */
  positionals: string[];
  /** Options by commander's camelCase name (`--app-host` → `appHost`), the leaf's over the root's. */
  flags: Record<string, string | boolean | undefined>;
  /** `-o json|yaml|table` (`--json` means json); table when neither is given. */
  format: Format;
  /** Arguments commander did not recognise, in order (raw calls read their `--field=value` here). */
  rest: string[];
  /** A result (stdout). */
  out(text: string): void;
  /** A status line such as "Logged in as …" (stderr, like gh: stdout stays the result for scripts). */
  note(text: string): void;
}

/** A node of the command tree: a group (`subcommands`) or a leaf (`run`). */
export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  /** Commander argument syntax, e.g. `<name> <url> [description]`. */
  args?: string;
  /** Shown instead of the generated usage line, when the arguments are not a simple list. */
  usage?: string;
  /** Longer help text. */
  details?: string;
  flags?: FlagSpec[];
  /** Prints a result: gets `-o json|yaml|table` and `--json`. */
  output?: boolean;
  /** Takes any further `--key=value` arguments (raw calls) instead of refusing them. */
  passThrough?: boolean;
  subcommands?: Command[];
  run?(ctx: RunContext): Promise<void>;
}

/** Flags every command accepts (cobra's persistent flags in 1Backend's `oo`). */
export const GLOBAL_FLAGS: FlagSpec[] = [
  { flags: "-e, --env <name>", description: "environment to use instead of the selected one" },
  { flags: "-a, --app-host <host>", description: "app host of the token to use (default: the user's selected one)" },
];

/** The output flags of commands that print a result. */
export const OUTPUT_FLAGS: FlagSpec[] = [
  { flags: "-o, --output <format>", description: "output format", choices: ["json", "yaml", "table"] },
  { flags: "--json", description: "same as -o json" },
];

/** How {@link buildProgram} prints, and the arguments after a `--` (raw calls take them all as fields). */
export interface ProgramIO {
  version: string;
  out(text: string): void;
  err(text: string): void;
  literal: string[];
}

/** Builds the commander program for `root`. */
export function buildProgram(root: Command, io: ProgramIO): Commander {
  const { version, out, err } = io;
  const program = new Commander(root.name)
    .description(root.summary)
    .version(version, "-v, --version", "print the version")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err, outputError: (text, write) => write(text.replace(/^error: /, "Error: ")) })
    .showSuggestionAfterError(true)
    .helpCommand(false)
    // The list shows each command's name and summary; its arguments are in its own help.
    .configureHelp({ subcommandTerm: (cmd) => cmd.name(), helpWidth: 100 });
  if (root.details) program.addHelpText("after", `\n${root.details}`);
  for (const f of [...GLOBAL_FLAGS, ...OUTPUT_FLAGS]) program.addOption(option(f));
  for (const child of root.subcommands ?? []) attach(program, child, io);
  program
    .command("help")
    .argument("[command...]", "the command to describe")
    .summary("Show help for a command: oo help instance ls")
    .action((path: string[]) => find(program, path).outputHelp());
  return program;
}

function attach(parent: Commander, spec: Command, io: ProgramIO): void {
  const { out, err, literal } = io;
  const cmd = parent.command(spec.name).summary(spec.summary).description(spec.details ? `${spec.summary}\n\n${spec.details}` : spec.summary);
  if (spec.aliases) cmd.aliases(spec.aliases);
  if (spec.usage) cmd.usage(spec.usage);
  if (spec.subcommands) {
    for (const child of spec.subcommands) attach(cmd, child, io);
    // A group run alone is a usage error (exit 2) that lists its commands.
    cmd.action(() => {
      throw new UsageError(`"${pathOf(cmd)}" needs a command: ${spec.subcommands!.map((c) => c.name).join(", ")}`, pathOf(cmd));
    });
    return;
  }
  if (spec.args) cmd.arguments(spec.args);
  for (const f of [...(spec.flags ?? []), ...GLOBAL_FLAGS, ...(spec.output ? OUTPUT_FLAGS : [])]) cmd.addOption(option(f));
  if (spec.passThrough) cmd.allowUnknownOption().allowExcessArguments();
  cmd.action(async (...params: unknown[]) => {
    if (literal.length > 0 && !spec.passThrough) throw new UsageError(`"--" is for raw calls only (oo post PATH -- --field=value)`, pathOf(cmd));
    const self = params.at(-1) as Commander;
    const flags = optionsOf(self);
    const positionals = (params.slice(0, self.registeredArguments.length) as (string | string[] | undefined)[]).flatMap((p) => p ?? []);
    const format: Format = flags.json ? "json" : ((flags.output as Format | undefined) ?? "table");
    const rest = spec.passThrough ? [...self.args.slice(positionals.length), ...literal] : [];
    await spec.run!({ positionals, flags, format, rest, out, note: (text) => err(`${text}\n`) });
  });
}

/** Options of the command and its ancestors; the command's own win (commander's optsWithGlobals lets the root win). */
function optionsOf(cmd: Commander): Record<string, string | boolean | undefined> {
  const chain: Commander[] = [];
  for (let c: Commander | null = cmd; c; c = c.parent) chain.unshift(c);
  return Object.assign({}, ...chain.map((c) => c.opts()));
}

function option(f: FlagSpec): Option {
  const o = new Option(f.flags, f.description);
  return f.choices ? o.choices(f.choices) : o;
}

/** The command named by `path` (names or aliases) under `program`; a usage error names the unknown word. */
export function find(program: Commander, path: string[]): Commander {
  let cmd = program;
  for (const word of path) {
    const next = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) throw new UsageError(`unknown command "${word}" for "${pathOf(cmd)}"`, pathOf(cmd));
    cmd = next;
  }
  return cmd;
}

/** `oo instance ls` for the `ls` command under `instance`. */
export function pathOf(cmd: Commander): string {
  const names: string[] = [];
  for (let c: Commander | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Whether a commander error is help or the version having been printed (exit 0) rather than a mistake. */
export function isInformational(err: CommanderError): boolean {
  return err.code === "commander.helpDisplayed" || err.code === "commander.version";
}
