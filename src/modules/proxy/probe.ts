/**
 * @module A TCP connect probe. fetch has no connect timeout and does not say whether it is still
 * connecting or already waiting for the response, so when an attempt is slow the proxy asks this
 * question on a separate connection: if the instance cannot even accept a connection within the
 * connect timeout, the attempt is treated as a connect failure (next instance); if it can, the
 * upstream is merely slow and keeps its chance until the response timeout.
 */

/** Host and port of an instance base URL (`http://h:p/prefix`); default ports by scheme. */
export function hostPortOf(baseUrl: string): { hostname: string; port: number } {
  const url = new URL(baseUrl);
  const port = url.port ? Number(url.port) : url.protocol === "https:" || url.protocol === "wss:" ? 443 : 80;
  return { hostname: url.hostname.replace(/^\[|\]$/g, ""), port };
}

/** Resolves true when a TCP connection to `baseUrl`'s host opens within `timeoutMs`, else false. */
export function canConnect(baseUrl: string, timeoutMs: number): Promise<boolean> {
  const { hostname, port } = hostPortOf(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => settle(false), timeoutMs);
    Bun.connect({
      hostname,
      port,
      socket: {
        open(socket) {
          socket.end();
          settle(true);
        },
        connectError: () => settle(false),
        data() {},
      },
    }).catch(() => settle(false));
  });
}
