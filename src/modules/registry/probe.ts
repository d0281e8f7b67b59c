/**
 * @module One health probe of one instance: a TCP connect to host:port, or an HTTP GET on its
 * `healthCheckPath` where 2xx/3xx means alive. Both give up after the timeout or when aborted, and
 * never leave a socket behind. A host-name instance is probed at the address its network-policy
 * verdict checked (`pin`), like the proxy connects, so a name cannot answer one address to the check
 * and another to the probe (DNS rebinding).
 */
import type { PinnedConnect } from "./routing";

/** What a probe needs to know about an instance. */
export interface ProbeTarget {
  scheme: "http" | "https";
  /** Hostname or IP as in the URL (IPv6 in brackets). */
  host: string;
  port: number;
  healthCheckPath?: string;
  /** A host name's checked address (address-guard.ts): connect there, not to a new lookup of `host`. */
  pin?: PinnedConnect;
}

/** Resolves true when the instance is alive; never rejects. */
export type ProbeFn = (target: ProbeTarget, timeoutMs: number, signal: AbortSignal) => Promise<boolean>;

/** TCP connect, or HTTP GET when the instance has a health check path. */
export const probeInstance: ProbeFn = (target, timeoutMs, signal) =>
  target.healthCheckPath ? probeHttp(target, timeoutMs, signal) : probeTcp(target, timeoutMs, signal);

/**
 * Endpoints (`host:port`) whose last connect outlived its timeout and is still pending in the kernel
 * (a host that drops SYNs). Bun.connect cannot cancel a pending connect, so while one is pending the
 * endpoint counts as unreachable without opening another: at most one stuck socket per endpoint.
 */
const stalled = new Set<string>();

/** Alive when a TCP connection opens within the timeout; the connection is closed at once. */
export function probeTcp(target: ProbeTarget, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const hostname = target.pin?.address ?? target.host.replace(/^\[|\]$/g, "");
  const key = `${hostname}:${target.port}`;
  if (signal.aborted || stalled.has(key)) return Promise.resolve(false);
  return new Promise((resolve) => {
    // Bun.connect rather than node:net: about half the CPU per probe (measured in bench/registry).
    let settled = false;
    let connected = false;
    const finish = (alive: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", giveUp);
      resolve(alive);
    };
    const giveUp = () => {
      if (!connected) stalled.add(key);
      finish(false);
    };
    const connectDone = () => {
      connected = true;
      stalled.delete(key);
    };
    const timer = setTimeout(giveUp, timeoutMs);
    signal.addEventListener("abort", giveUp);
    Bun.connect({
      hostname,
      port: target.port,
      socket: {
        open(socket) {
          connectDone();
          socket.end();
          finish(true);
        },
        data() {},
        connectError() {
          connectDone();
          finish(false);
        },
        error() {
          finish(false);
        },
      },
    }).catch(() => {
      connectDone();
      finish(false);
    });
  });
}

/** Alive when `GET healthCheckPath` answers 2xx or 3xx within the timeout (redirects are not followed). */
export async function probeHttp(target: ProbeTarget, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const { pin } = target;
  const origin = pin === undefined ? `${target.scheme}://${target.host}:${target.port}` : `${target.scheme}://${authorityOf(pin.address)}:${target.port}`;
  const headers: Record<string, string> = { "user-agent": "1backend-health-probe" };
  // Pinned: the Host field and TLS server name of the instance's URL, as fetch would give them.
  if (pin !== undefined) headers.host = pin.host;
  try {
    const response = await fetch(`${origin}${target.healthCheckPath ?? "/"}`, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      redirect: "manual",
      headers,
      tls: pin?.tls,
    });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 400;
  } catch {
    return false;
  }
}

function authorityOf(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}
