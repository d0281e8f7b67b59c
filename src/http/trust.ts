/**
 * @module Which peers may tell us who the client is. `X-Forwarded-*` headers are client-controlled
 * text: taken from an arbitrary peer they would let anyone spoof their address to upstream services.
 * So incoming values are kept only when the TCP peer is in `OB_TRUSTED_PROXIES` (IPs or CIDRs, IPv4
 * and IPv6); from anyone else they are replaced by what we observed ourselves. Entries are parsed as
 * the instance network policy parses its own (lib/address-rules.ts) and matched by node:net
 * BlockLists against the peer's canonical form (lib/ip.ts), where an IPv4-mapped IPv6 peer
 * (`::ffff:10.0.0.1`, an IPv4 client on a dual-stack socket) is the IPv4 address it maps.
 */
import { BlockList } from "node:net";
import { AddressRuleError, parseNetwork, type Network } from "../lib/address-rules";
import { addressFamily, canonicalIp, parseIp } from "../lib/ip";

/** Tells whether a peer address is a trusted proxy. */
export type TrustCheck = (ip: string) => boolean;

/** Builds the check from `config.trustedProxies`; throws on an entry that is not an IP or CIDR. */
export function createTrustCheck(entries: readonly string[]): TrustCheck {
  if (entries.length === 0) return () => false;
  // IPv4 entries (mapped ones too) and IPv6 entries in separate lists: in one list an IPv6 entry such
  // as ::/0 would cover every IPv4 peer through its mapped form, trusting more than was written.
  const ipv4 = new BlockList();
  const ipv6 = new BlockList();
  for (const entry of entries) {
    const network = ipv4Form(networkOf(entry));
    (network.type === "ipv4" ? ipv4 : ipv6).addSubnet(network.address, network.prefix, network.type);
  }
  return (ip) => {
    const address = canonicalIp(ip.trim());
    const type = addressFamily(address);
    return type !== undefined && (type === "ipv4" ? ipv4 : ipv6).check(address, type);
  };
}

/** The network of one entry; a host name or a bad prefix is refused, naming the variable. */
function networkOf(entry: string): Network {
  try {
    const network = parseNetwork(entry.trim());
    if (network !== undefined) return network;
  } catch (err) {
    if (!(err instanceof AddressRuleError)) throw err;
  }
  throw new Error(`invalid OB_TRUSTED_PROXIES entry ${JSON.stringify(entry)}: expected an IP or a CIDR`);
}

/**
 * An entry inside the IPv4-mapped range (RFC 4291 §2.5.5.2, `::ffff:0:0/96`) as the IPv4 network it
 * maps, since peers are compared in canonical form, where a mapped address is its IPv4 address.
 */
function ipv4Form(network: Network): Network {
  if (network.type !== "ipv6" || network.prefix < 96) return network;
  const ip = parseIp(network.address);
  return ip?.family === 4 ? { text: network.text, address: ip.address, prefix: network.prefix - 96, type: "ipv4" } : network;
}
