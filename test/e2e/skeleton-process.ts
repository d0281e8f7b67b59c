/**
 * @module The skeleton service (`bun examples/skeleton-svc/main.ts`) as a child process for end-to-end
 * tests: started on a given port (0: a free one) against a server, stopped gracefully (SIGTERM) or
 * killed (SIGKILL).
 */
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { stopGracefully, waitForLine } from "../helpers/child-process";

const MAIN = resolve(import.meta.dir, "../../examples/skeleton-svc/main.ts");

/** A running skeleton service. */
export interface SkeletonProcess {
  /** The URL it serves and registered, from its `ready` line. */
  url: string;
  process: Subprocess<"ignore", "pipe", "pipe">;
  lines: string[];
  /** SIGTERM (deregisters) and wait; returns the exit code. */
  stop(): Promise<number>;
  /** SIGKILL: no deregistration, as in a crash. */
  kill(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound on port 0, then released). */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/**
 * Starts the skeleton service with HOME=`home` (its credentials live there) and waits until it is
 * registered; `env` adds variables (e.g. the server's OB_SELF_URL, exported in the same shell).
 */
export async function startSkeleton(options: { serverUrl: string; port: number; home: string; env?: Record<string, string>; timeoutMs?: number }): Promise<SkeletonProcess> {
  const proc = Bun.spawn([process.execPath, MAIN], {
    cwd: options.home,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: options.home, OB_URL: options.serverUrl, SELF_URL: `http://127.0.0.1:${options.port}`, ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const ready = await waitForLine(proc, lines, '"msg":"skeleton-svc ready"', "skeleton-svc", options.timeoutMs ?? 30_000);
  const { url } = JSON.parse(ready) as { url: string };
  const stop = () => stopGracefully(proc);
  const kill = async () => {
    proc.kill("SIGKILL");
    await proc.exited;
  };
  return { url, process: proc, lines, stop, kill, [Symbol.asyncDispose]: kill };
}

/** Where the SDK keeps the skeleton's password under `home`. */
export function skeletonCredentialsFile(home: string): string {
  return join(home, ".1backend", "services", "skeleton-svc.json");
}
