/**
 * @module The skeleton service (`bun examples/skeleton-svc/main.ts`) as a child process for end-to-end
 * tests: started on a given port against a server, stopped gracefully (SIGTERM) or killed (SIGKILL).
 */
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { pump } from "../helpers/binary";

const MAIN = resolve(import.meta.dir, "../../examples/skeleton-svc/main.ts");

export interface SkeletonProcess {
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

/** Starts the skeleton service with HOME=`home` (its credentials live there) and waits until it is registered. */
export async function startSkeleton(options: { serverUrl: string; port: number; home: string; timeoutMs?: number }): Promise<SkeletonProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const proc = Bun.spawn([process.execPath, MAIN], {
    cwd: options.home,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: options.home, OB_URL: options.serverUrl, SELF_URL: url },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  await new Promise<void>((ready, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL"); // never leave a half-started service behind
      reject(new Error(`skeleton-svc not ready in time:\n${lines.join("\n")}`));
    }, options.timeoutMs ?? 30_000);
    const onLine = (line: string) => {
      lines.push(line);
      if (line.includes('"msg":"skeleton-svc ready"')) {
        clearTimeout(timer);
        ready();
      }
    };
    void pump(proc.stdout, onLine);
    void pump(proc.stderr, onLine);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`skeleton-svc exited with ${code}:\n${lines.join("\n")}`));
    });
  });
  const stop = async () => {
    proc.kill("SIGTERM");
    const killer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    const code = await proc.exited;
    clearTimeout(killer);
    return code;
  };
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
