/**
 * @module Entry of `dist/oo`, the 1Backend on Bun command line. Errors print to stderr and exit 1,
 * usage errors exit 2 (with "did you mean" from commander); every command answers `--help` and
 * `oo help <command…>`.
 */
import { CommanderError } from "commander";
import { buildProgram, isInformational, type Command } from "./command";
import { CliError, UsageError } from "./errors";
import { completionScript } from "./completion";
import { envCommand } from "./commands/env";
import { loginCommand, passwdCommand, registerCommand, tokenCommand, whoamiCommand } from "./commands/auth";
import { instanceCommand } from "./commands/instance";
import { nodeCommand } from "./commands/node";
import { permitCommand } from "./commands/permit";
import { enrollCommand } from "./commands/enroll";
import { userCommand } from "./commands/user";
import { apiKeyCommand } from "./commands/api-key";
import { rawCommands, rawGroup } from "./commands/raw";
import { VERSION } from "../src/version";

const root: Command = {
  name: "oo",
  summary: "oo — command line for 1Backend on Bun: environments, login, registry, permits and raw API calls.",
  details: "Configuration: ~/.1backend/cliConfig.yaml. Start with: oo env add local http://127.0.0.1:11337 && oo login 1backend\n" +
    "Global flags go anywhere: -e/--env <name>, -a/--app-host <host>, -o/--output json|yaml|table (--json = -o json).",
  subcommands: [
    envCommand,
    registerCommand,
    loginCommand,
    whoamiCommand,
    tokenCommand,
    passwdCommand,
    instanceCommand,
    nodeCommand,
    permitCommand,
    enrollCommand,
    userCommand,
    apiKeyCommand,
    ...rawCommands,
    rawGroup,
  ],
};

const write = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text.endsWith("\n") || text === "" ? text : text + "\n");

/** Runs the CLI with `argv` and returns the exit code (the binary exits with it). */
export async function main(argv: string[]): Promise<number> {
  const out = write(process.stdout);
  const err = write(process.stderr);
  // Arguments after the first `--` are fields of a raw call, never oo's flags (commander would re-read them).
  const dashes = argv.indexOf("--");
  const program = buildProgram(root, { version: VERSION, out, err, literal: dashes < 0 ? [] : argv.slice(dashes + 1) });
  program
    .command("completion")
    .argument("<shell>", "bash, zsh or fish")
    .summary("Print a shell completion script: eval \"$(oo completion bash)\"")
    .action((shell: string) => out(completionScript(program, shell)));
  try {
    if (argv.length === 0) {
      out(program.helpInformation());
      return 0;
    }
    await program.parseAsync(dashes < 0 ? argv : argv.slice(0, dashes), { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return isInformational(e) ? 0 : 2; // commander printed the message
    if (e instanceof UsageError) {
      err(`Error: ${e.message}${e.helpFor ? `\nRun "${e.helpFor} --help" for usage.` : ""}`);
      return 2;
    }
    if (e instanceof CliError) {
      err(`Error: ${e.message}`);
      return e.exitCode;
    }
    err(`Error: ${(e as Error)?.message ?? String(e)}`);
    return 1;
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
