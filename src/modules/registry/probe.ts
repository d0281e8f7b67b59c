/**
 * @module One health probe of one instance: a TCP connect to host:port, or an HTTP GET on its
 * `healthCheckPath` where 2xx/3xx means alive. Both give up after the timeout or when aborted, and
 * never leave a socket behind. A host-name instance is probed at the address its network-policy
 * verdict checked (`pin`), like the proxy connects, so a name cannot answer one address to the check
 * and another to the probe (DNS rebinding).
 */
import { urlHost } from "../../lib/ip";
import { probeTcp } from "../../lib/tcp-probe";
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
  /** In a cluster, the probing node's id: sent as `X-1backend-Node`, so an instance can tell which node probes it. */
  node?: string;
}

/** Resolves true when the instance is alive; never rejects. */
export type ProbeFn = (target: ProbeTarget, timeoutMs: number, signal: AbortSignal) => Promise<boolean>;

/** TCP connect (lib/tcp-probe.ts: at most one stuck connect per endpoint), or HTTP GET when the instance has a health check path. */
export const probeInstance: ProbeFn = (target, timeoutMs, signal) =>
  target.healthCheckPath
    ? probeHttp(target, timeoutMs, signal)
    : probeTcp({ host: target.pin?.address ?? target.host, port: target.port }, timeoutMs, signal);

/** Alive when `GET healthCheckPath` answers 2xx or 3xx within the timeout (redirects are not followed). */
export async function probeHttp(target: ProbeTarget, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const { pin } = target;
  const origin = pin === undefined ? `${target.scheme}://${target.host}:${target.port}` : `${target.scheme}://${urlHost(pin.address)}:${target.port}`;
  const headers: Record<string, string> = { "user-agent": "1backend-health-probe" };
  // Pinned: the Host field and TLS server name of the instance's URL, as fetch would give them.
  if (pin !== undefined) headers.host = pin.host;
  if (target.node !== undefined) headers["x-1backend-node"] = target.node;
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
