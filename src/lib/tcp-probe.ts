/**
 * @module The TCP connect probe, shared by the registry's prober (an instance without a health check
 * path is alive when it accepts a connection) and the proxy (fetch has no connect timeout and does not
 * say whether it is still connecting or already waiting for the response, so a slow attempt asks this
 * on a separate connection: no connection within the connect timeout is a connect failure, next
 * instance; otherwise the upstream is merely slow and keeps its chance until the response timeout).
 * It resolves true when a connection opens within the timeout, false otherwise; it never rejects,
 * closes the connection at once, and opens at most one stuck connect per endpoint.
 */

/** An endpoint to connect to: a host name or IP address (IPv6 with or without brackets) and a port. */
export interface TcpEndpoint {
  host: string;
  port: number;
}

/**
 * Host and port of a URL (`http://h:p/prefix`), the port defaulting by scheme (443 for https and wss,
 * else 80); the host as the URL parser writes it, IPv6 without brackets. Undefined when not a URL.
 */
export function hostPortOf(url: string): TcpEndpoint | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const port = u.port ? Number(u.port) : u.protocol === "https:" || u.protocol === "wss:" ? 443 : 80;
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port };
}

/**
 * Endpoints (`host:port`) whose last connect outlived its timeout and is still pending in the kernel
 * (a host that drops SYNs). Bun.connect cannot cancel a pending connect, so while one is pending the
 * endpoint counts as unreachable without opening another: at most one stuck socket per endpoint.
 */
const stalled = new Set<string>();

/**
 * True when a TCP connection to `endpoint` opens within `timeoutMs` (and before `signal` aborts);
 * the connection is closed at once. False on refusal, timeout, abort, or while an earlier connect
 * to the endpoint is still stuck. Never rejects.
 */
export function probeTcp(endpoint: TcpEndpoint, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const hostname = endpoint.host.replace(/^\[|\]$/g, "");
  const key = `${hostname}:${endpoint.port}`;
  if (signal?.aborted || stalled.has(key)) return Promise.resolve(false);
  return new Promise((resolve) => {
    // Bun.connect rather than node:net: about half the CPU per probe (measured in bench/registry).
    let settled = false;
    let connected = false;
    const finish = (alive: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", giveUp);
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
    signal?.addEventListener("abort", giveUp);
    Bun.connect({
      hostname,
      port: endpoint.port,
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

/** {@link probeTcp} to the host and port of a URL (see {@link hostPortOf}); false when it is not a URL. */
export function canConnect(url: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const endpoint = hostPortOf(url);
  return endpoint === undefined ? Promise.resolve(false) : probeTcp(endpoint, timeoutMs, signal);
}
