/**
 * @module Which peers may tell us who the client is. `X-Forwarded-*` headers are client-controlled
 * text: taken from an arbitrary peer they would let anyone spoof their address to upstream services.
 * So incoming values are kept only when the TCP peer is in `OB_TRUSTED_PROXIES` (IPs or CIDRs, IPv4
 * and IPv6); from anyone else they are replaced by what we observed ourselves. Entries are parsed as
 * the instance network policy parses its own (lib/address-rules.ts) and matched by node:net
 * BlockLists, which also match IPv4-mapped IPv6 peers (`::ffff:10.0.0.1`) against IPv4 entries.
 */
import { BlockList } from "node:net";
import { addressFamily, AddressRuleError, bareHost, parseNetwork, type Network } from "../lib/address-rules";

/** Tells whether a peer address is a trusted proxy. */
export type TrustCheck = (ip: string) => boolean;

/** IPv4-mapped IPv6 (RFC 4291 §2.5.5.2): such an address is the IPv4 address it maps, in either spelling. */
const MAPPED = new BlockList();
MAPPED.addSubnet("::ffff:0:0", 96, "ipv6");

/** Builds the check from `config.trustedProxies`; throws on an entry that is not an IP or CIDR. */
export function createTrustCheck(entries: readonly string[]): TrustCheck {
  if (entries.length === 0) return () => false;
  // IPv4 entries (mapped ones too) and IPv6 entries in separate lists: in one list an IPv6 entry such
  // as ::/0 would cover every IPv4 peer through its mapped form, trusting more than was written.
  const ipv4 = new BlockList();
  const ipv6 = new BlockList();
  for (const entry of entries) {
    const network = networkOf(entry);
    (isIpv4(network) ? ipv4 : ipv6).addSubnet(network.address, network.prefix, network.type);
  }
  return (ip) => {
    const bare = bareHost(ip.trim());
    const type = addressFamily(bare);
    if (type === "ipv4") return ipv4.check(bare, "ipv4");
    if (type === undefined) return false;
    return MAPPED.check(bare, "ipv6") ? ipv4.check(bare, "ipv6") : ipv6.check(bare, "ipv6");
  };
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) → `10.0.0.1`; other addresses unchanged. */
export function plainIp(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
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

/** Whether a network holds IPv4 addresses only: an IPv4 entry, or one inside the IPv4-mapped range. */
function isIpv4(network: Network): boolean {
  return network.type === "ipv4" || (network.prefix >= 96 && MAPPED.check(network.address, "ipv6"));
}
