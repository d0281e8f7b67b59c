/**
 * @module Entry of `dist/oo`, the 1Backend on Bun command line. Errors print to stderr and exit 1,
 * usage errors exit 2; every command answers `--help`.
 */
import { dispatch, help, type Command } from "./command";
import { CliError, UsageError } from "./errors";
import { envCommand } from "./commands/env";
import { loginCommand, registerCommand, tokenCommand, whoamiCommand } from "./commands/auth";
import { instanceCommand } from "./commands/instance";
import { nodeCommand } from "./commands/node";
import { permitCommand } from "./commands/permit";
import { enrollCommand } from "./commands/enroll";
import { userCommand } from "./commands/user";
import { rawCommands, rawGroup } from "./commands/raw";

const root: Command = {
  name: "oo",
  summary: "oo — command line for 1Backend on Bun: environments, login, registry, permits and raw API calls.",
  details: "Configuration: ~/.1backend/cliConfig.yaml. Start with: oo env add local http://127.0.0.1:11337 && oo login 1backend",
  subcommands: [
    envCommand,
    registerCommand,
    loginCommand,
    whoamiCommand,
    tokenCommand,
    instanceCommand,
    nodeCommand,
    permitCommand,
    enrollCommand,
    userCommand,
    ...rawCommands,
    rawGroup,
  ],
};

/** Runs the CLI with `argv` and returns the exit code (the binary exits with it). */
export async function main(argv: string[]): Promise<number> {
  try {
    if (argv.length === 0) {
      process.stdout.write(help(root, "oo") + "\n");
      return 0;
    }
    await dispatch(root, argv, (text) => process.stdout.write(text.endsWith("\n") || text === "" ? text : text + "\n"));
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`Error: ${err.message}\n${err.helpFor ? `Run "${err.helpFor} --help" for usage.\n` : ""}`);
      return 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`Error: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
