/**
 * @module One health probe of one instance: a TCP connect to host:port, or an HTTP GET on its
 * `healthCheckPath` where 2xx/3xx means alive. Both give up after the timeout or when aborted, and
 * never leave a socket behind.
 */
import { createConnection } from "node:net";

/** What a probe needs to know about an instance. */
export interface ProbeTarget {
  scheme: "http" | "https";
  /** Hostname or IP as in the URL (IPv6 in brackets). */
  host: string;
  port: number;
  healthCheckPath?: string;
}

/** Resolves true when the instance is alive; never rejects. */
export type ProbeFn = (target: ProbeTarget, timeoutMs: number, signal: AbortSignal) => Promise<boolean>;

/** TCP connect, or HTTP GET when the instance has a health check path. */
export const probeInstance: ProbeFn = (target, timeoutMs, signal) =>
  target.healthCheckPath ? probeHttp(target, timeoutMs, signal) : probeTcp(target, timeoutMs, signal);

/** Alive when a TCP connection opens within the timeout; the connection is closed at once. */
export function probeTcp(target: ProbeTarget, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    // node:net rather than Bun.connect: a pending connect can be destroyed on timeout, so hosts that
    // drop SYNs do not accumulate half-open sockets across cycles.
    const socket = createConnection({ host: target.host.replace(/^\[|\]$/g, ""), port: target.port });
    const finish = (alive: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(alive);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(onAbort, timeoutMs);
    signal.addEventListener("abort", onAbort);
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

/** Alive when `GET healthCheckPath` answers 2xx or 3xx within the timeout (redirects are not followed). */
export async function probeHttp(target: ProbeTarget, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const url = `${target.scheme}://${target.host}:${target.port}${target.healthCheckPath ?? "/"}`;
  try {
    const response = await fetch(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      redirect: "manual",
      headers: { "user-agent": "1backend-health-probe" },
    });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 400;
  } catch {
    return false;
  }
}
