/**
 * @module The compiled server (`dist/1backend`) as a child process on a free port, for end-to-end
 * tests: `await using server = await startBinary({ folder })`. It reads the real URL from the
 * server's `listening` log line, and stops the process (SIGTERM, then SIGKILL) on dispose.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { stopGracefully, waitForLine } from "./child-process";
import { databaseEnv } from "./dialect";

export const DIST = resolve(import.meta.dir, "../../dist");
export const SERVER_BINARY = join(DIST, "1backend");
export const CLI_BINARY = join(DIST, "oo");

export interface BinaryServer {
  url: string;
  process: Subprocess<"ignore", "pipe", "pipe">;
  /** Every line the server printed so far (stdout and stderr). */
  lines: string[];
  /** SIGTERM and wait; returns the exit code. */
  stop(): Promise<number>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Fails with a clear message when the binaries were not built (`./scripts/build.sh`). */
export function requireBinary(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run ./scripts/build.sh (scripts/test.sh does it)`);
  return path;
}

/**
 * Starts `dist/1backend` with a clean environment plus the run's database for `folder` (dialect.ts)
 * and `env`; port 0 unless OB_SELF_URL is given.
 */
export async function startBinary(options: { folder: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<BinaryServer> {
  const proc = Bun.spawn([requireBinary(SERVER_BINARY)], {
    cwd: options.cwd ?? options.folder,
    env: { PATH: "/usr/bin:/bin", HOME: options.folder, OB_SELF_URL: "http://127.0.0.1:0", OB_FOLDER: options.folder, ...databaseEnv(options.folder), ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const listening = await waitForLine(proc, lines, '"msg":"listening"', "server", options.timeoutMs ?? 20_000);
  const url = JSON.parse(listening).url as string;
  const stop = () => stopGracefully(proc);
  return { url, process: proc, lines, stop, [Symbol.asyncDispose]: async () => void (await stop()) };
}

export { waitFor } from "./wait";
