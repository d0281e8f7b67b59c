/**
 * @module Header rules of the proxy, both directions.
 * - RFC 9110 §7.6.1: hop-by-hop fields (`Connection`, `Proxy-Connection`, `Keep-Alive`, `TE`,
 *   `Transfer-Encoding`, `Upgrade`; plus `Trailer` and the `Proxy-Authenticate`/`-Authorization` pair,
 *   as Go's and Caddy's proxies do) and every field named in `Connection` describe one connection and
 *   are not forwarded, to the upstream or back to the client.
 * - `Host` is the upstream's (fetch sets it from the URL); the client's goes in `X-Forwarded-Host`.
 * - `X-Forwarded-For/-Proto/-Host`, `Forwarded` and `X-Real-IP` from the client are kept only when the
 *   TCP peer is a trusted proxy (see trust.ts); otherwise they are replaced by what we observed.
 */
import type { TrustCheck } from "../../http/trust";

const HOP_BY_HOP = [
  "connection",
  "proxy-connection",
  "keep-alive",
  "te",
  "transfer-encoding",
  "upgrade",
  "trailer",
  "proxy-authenticate",
  "proxy-authorization",
] as const;

const FORWARDING = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded", "x-real-ip"] as const;

/** Removes hop-by-hop fields and the fields listed in `Connection` from `headers`, in place. */
export function stripHopByHop(headers: Headers): void {
  const connection = headers.get("connection");
  if (connection !== null) {
    for (const token of connection.split(",")) {
      const name = token.trim().toLowerCase();
      if (name !== "" && name !== "close" && name !== "keep-alive") headers.delete(name);
    }
  }
  for (const name of HOP_BY_HOP) headers.delete(name);
}

/** What the proxy knows about the client connection. */
export interface ClientInfo {
  /** Peer address (`undefined` without a socket, e.g. in-process tests). */
  ip: string | undefined;
  /** Whether that peer is a trusted proxy. */
  trusted: boolean;
}

/**
 * Request headers for the upstream: the client's minus hop-by-hop, `Host` and (for untrusted peers)
 * forwarding fields; `authorization` replaced by the value the token gate decided; X-Forwarded-* set.
 * Edits the incoming request's headers in place (no copy on the hot path): they are not read again
 * for anything but `x-request-id`, which is kept.
 */
export function upstreamRequestHeaders(headers: Headers, client: ClientInfo, authorization: string | null): Headers {
  stripHopByHop(headers);
  const host = headers.get("host");
  headers.delete("host");
  if (authorization === null) headers.delete("authorization");
  else headers.set("authorization", authorization);
  if (!client.trusted) for (const name of FORWARDING) headers.delete(name);
  if (client.ip !== undefined) {
    const prior = headers.get("x-forwarded-for");
    headers.set("x-forwarded-for", prior ? `${prior}, ${client.ip}` : client.ip);
  }
  if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "http");
  if (host !== null && !headers.has("x-forwarded-host")) headers.set("x-forwarded-host", host);
  return headers;
}

/**
 * Whether a request is a WebSocket handshake (RFC 6455 §4.1: GET, `Upgrade: websocket` and a key).
 * Without the key it is not one (server.upgrade() would refuse it after we had already opened an
 * upstream socket): it goes on as plain HTTP, where `Upgrade` is hop-by-hop and removed.
 */
export function isWebSocketUpgrade(request: Request): boolean {
  const upgrade = request.headers.get("upgrade");
  return upgrade !== null && upgrade.toLowerCase() === "websocket" && request.method === "GET" && request.headers.has("sec-websocket-key");
}
