/**
 * @module Header rules of the proxy, both directions.
 * - RFC 9110 §7.6.1: hop-by-hop fields (`Connection`, `Proxy-Connection`, `Keep-Alive`, `TE`,
 *   `Transfer-Encoding`, `Upgrade`; plus `Trailer` and the `Proxy-Authenticate`/`-Authorization` pair,
 *   as Go's and Caddy's proxies do) and every field named in `Connection` describe one connection and
 *   are not forwarded, to the upstream or back to the client. A field the client names in `Connection`
 *   is addressed to this server alone, so it is removed *before* anything reads a field to pass it on
 *   (incomingHeaders): `Connection: authorization` keeps the token from the upstream, and from the
 *   token gate too — the proxy authenticates nobody, it only vets tokens it passes on, so a token
 *   addressed to this hop has no use here (a revoked one is no 401: the request goes on without it).
 * - Fields the proxy writes itself for the next hop (`X-Forwarded-*`, `X-1backend-Hops`, hops.ts) are
 *   ours, not the client's: naming them in `Connection` drops the client's value, never ours, so a
 *   client can neither hide its address from the upstream nor reset the hop count.
 * - `Host` is the upstream's (fetch sets it from the URL); the client's goes in `X-Forwarded-Host`.
 *   On the edge (issue 13) the client's `Host` is kept, as 1Backend's edge does: a route names a
 *   host, and the service behind it serves that host.
 * - `X-Forwarded-For/-Proto/-Host`, `Forwarded` and `X-Real-IP` from the client are kept only when the
 *   TCP peer is a trusted proxy (see trust.ts); otherwise they are replaced by what we observed.
 */
import type { ClientInfo } from "../../http/client-address";
import { HOPS_HEADER, nextHopValue } from "./hops";

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

/** RFC 9110 §5.6.2 `tchar` by char code: what a field name, and so a connection option, is made of. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

/**
 * Removes hop-by-hop fields and the fields listed in `Connection` from `headers`, in place.
 * `Connection` is a comma-separated list of tokens (several field lines arrive joined with ", "),
 * matched case-insensitively (Headers.delete is); items may be empty or carry whitespace (RFC 9110
 * §5.6.1). An item that is not a token (`a b`, `a@b`) names no field and is skipped: Headers.delete
 * would throw on it, failing the request (or, from an upstream, the response) with a 500.
 * Allocation: one substring per listed token.
 */
export function stripHopByHop(headers: Headers): void {
  const connection = headers.get("connection");
  if (connection !== null) {
    for (let start = 0; start < connection.length; ) {
      let end = connection.indexOf(",", start);
      if (end < 0) end = connection.length;
      let first = start;
      let last = end;
      while (first < last && isWhitespace(connection.charCodeAt(first))) first++;
      while (last > first && isWhitespace(connection.charCodeAt(last - 1))) last--;
      if (first < last && isToken(connection, first, last)) headers.delete(connection.slice(first, last));
      start = end + 1;
    }
  }
  for (const name of HOP_BY_HOP) headers.delete(name);
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9;
}

function isToken(value: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

/**
 * Step one of the upstream request headers, before the token gate reads `authorization`: the client's
 * headers minus what it addressed to this hop alone (stripHopByHop), with the hop count for the next
 * hop. `copy` for a WebSocket handshake, whose fields server.upgrade() still reads from the request;
 * otherwise the request's own headers are edited in place (no copy on the hot path): they are not
 * read again for anything but `x-request-id`, which is kept. `hops` is what hopsOf() read, < MAX_HOPS.
 */
export function incomingHeaders(request: Request, copy: boolean, hops: number): Headers {
  const headers = copy ? new Headers(request.headers) : request.headers;
  stripHopByHop(headers);
  headers.set(HOPS_HEADER, nextHopValue(hops));
  return headers;
}

/**
 * Step two, after the token gate, on what incomingHeaders() gave: `Host` and (for untrusted peers)
 * forwarding fields removed; `authorization` replaced by the value the gate decided; X-Forwarded-* set.
 * `edgeScheme` (edge listeners only): `Host` is kept and `X-Forwarded-Proto` defaults to this scheme.
 */
export function upstreamRequestHeaders(headers: Headers, client: ClientInfo, authorization: string | null, edgeScheme?: "http" | "https"): Headers {
  const host = headers.get("host");
  if (edgeScheme === undefined) headers.delete("host");
  if (authorization === null) headers.delete("authorization");
  else headers.set("authorization", authorization);
  if (!client.trusted) for (const name of FORWARDING) headers.delete(name);
  if (client.ip !== undefined) {
    const prior = headers.get("x-forwarded-for");
    headers.set("x-forwarded-for", prior ? `${prior}, ${client.ip}` : client.ip);
  }
  if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", edgeScheme ?? "http");
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
