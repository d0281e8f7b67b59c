/** @module The CLI's failure kinds and their exit codes: 1 for failures, 2 for usage errors. */

/** A failure to report (server message, unreachable server…): printed to stderr, exit 1. */
export class CliError extends Error {
  override name = "CliError";
  readonly exitCode: number = 1;
}

/** The server answered with an error: its HTTP status and stable `code` (contract §2), for hints. */
export class ApiError extends CliError {
  override name = "ApiError";
  constructor(message: string, readonly status: number, readonly code?: string) {
    super(message);
  }
}

/** The command line itself is wrong (unknown command or flag, missing argument): exit 2. */
export class UsageError extends CliError {
  override name = "UsageError";
  override readonly exitCode = 2;
  constructor(message: string, readonly helpFor?: string) {
    super(message);
  }
}
