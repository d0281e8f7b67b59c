/**
 * @module The client's address for decisions about the client (login rate limits): the TCP peer, or,
 * when the peer is a trusted proxy (`OB_TRUSTED_PROXIES`), the nearest address in `X-Forwarded-For`
 * that is not itself a trusted proxy. Untrusted peers cannot choose their address by sending the header.
 */
import { canonicalIp } from "../lib/ip";
import type { TrustCheck } from "./trust";

/** `peer` is the socket's remote address (`server.requestIP(request)?.address`), undefined in-process. */
export function clientAddress(headers: Headers, peer: string | undefined, trust: TrustCheck): string | undefined {
  if (peer === undefined) return undefined;
  let client = canonicalIp(peer);
  if (!trust(client)) return client;
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
