/**
 * @module Child processes that announce readiness with a log line (the server's `listening`, the
 * skeleton's `ready`): read their output line by line, wait for the line — killing the child when it
 * does not come in time, so a failed start never leaks a process — and stop them gracefully.
 */
import type { Subprocess } from "bun";

type Child = Subprocess<"ignore", "pipe", "pipe">;

/** Feeds each line of a byte stream to `onLine`. */
export async function pump(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered) onLine(buffered);
}

/**
 * Collects every stdout/stderr line of `proc` into `lines` and resolves with the first line containing
 * `marker`. Rejects (with all lines so far) when the process exits first, or after `timeoutMs` — then
 * the process is SIGKILLed.
 */
export function waitForLine(proc: Child, lines: string[], marker: string, what: string, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${what} not ready in time:\n${lines.join("\n")}`));
    }, timeoutMs);
    const onLine = (line: string) => {
      lines.push(line);
      if (line.includes(marker)) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    void pump(proc.stdout, onLine);
    void pump(proc.stderr, onLine);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${lines.join("\n")}`));
    });
  });
}

/** SIGTERM, then SIGKILL if the process is still running after `graceMs`; resolves with the exit code. */
export async function stopGracefully(proc: Child, graceMs = 10_000): Promise<number> {
  proc.kill("SIGTERM");
  const killer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
  const code = await proc.exited;
  clearTimeout(killer);
  return code;
}
