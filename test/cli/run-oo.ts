/** @module Runs the `oo` CLI as a process with an isolated HOME: from source by default, or a given binary. */
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");

/** Exit code and everything printed. */
export interface OoResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `oo args…`; `stdin` is piped in (e.g. a password). `bin` selects a compiled `dist/oo`. */
export async function runOo(args: string[], options: { home: string; stdin?: string; bin?: string }): Promise<OoResult> {
  const cmd = options.bin ? [options.bin, ...args] : ["bun", join(root, "cli/main.ts"), ...args];
  const proc = Bun.spawn(cmd, {
    env: { PATH: process.env.PATH ?? "", HOME: options.home, NO_COLOR: "1" },
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}
