/**
 * @module The client's address, in one place for the proxy and the login rate limits: the TCP peer
 * as a plain IP and whether it is a trusted proxy (`OB_TRUSTED_PROXIES`), and, for decisions about
 * the client, the nearest address in `X-Forwarded-For` that is not itself a trusted proxy. Untrusted
 * peers cannot choose their address by sending the header.
 */
import { canonicalIp } from "../lib/ip";
import type { TrustCheck } from "./trust";

/** What the server knows about the client connection. */
export interface ClientInfo {
  /** Peer address (`undefined` without a socket, e.g. in-process tests). */
  ip: string | undefined;
  /** Whether that peer is a trusted proxy. */
  trusted: boolean;
}

/** `peer` is the socket's remote address (`server.requestIP(request)?.address`), undefined in-process. */
export function peerOf(peer: string | undefined, trust: TrustCheck): ClientInfo {
  const ip = peer === undefined ? undefined : canonicalIp(peer);
  return { ip, trusted: ip !== undefined && trust(ip) };
}

/** The client behind `peer` (see {@link peerOf}): the peer itself unless it is a trusted proxy. */
export function clientAddress(headers: Headers, peer: string | undefined, trust: TrustCheck): string | undefined {
  const { ip, trusted } = peerOf(peer, trust);
  if (!trusted) return ip;
  let client = ip!;
  const chain = headers.get("x-forwarded-for");
  if (chain === null) return client;
  // Walk right to left: each hop appended the address it saw; the first untrusted one is the client.
  const hops = chain.split(",");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = canonicalIp(hops[i]!.trim());
    if (hop === "") break;
    client = hop;
    if (!trust(hop)) break;
  }
  return client;
}
