/**
 * @module Which peers may tell us who the client is. `X-Forwarded-*` headers are client-controlled
 * text: taken from an arbitrary peer they would let anyone spoof their address to upstream services.
 * So incoming values are kept only when the TCP peer is in `OB_TRUSTED_PROXIES` (IPs or CIDRs, IPv4
 * and IPv6); from anyone else they are replaced by what we observed ourselves.
 */

/** Tells whether a peer address is a trusted proxy. */
export type TrustCheck = (ip: string) => boolean;

interface Range {
  bytes: Uint8Array;
  prefix: number;
}

/** Builds the check from `config.trustedProxies`; throws on an entry that is not an IP or CIDR. */
export function createTrustCheck(entries: readonly string[]): TrustCheck {
  if (entries.length === 0) return () => false;
  const ranges = entries.map(parseRange);
  return (ip) => {
    const bytes = parseIp(ip);
    return bytes !== undefined && ranges.some((r) => r.bytes.length === bytes.length && matches(r, bytes));
  };
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) → `10.0.0.1`; other addresses unchanged. */
export function plainIp(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}

function parseRange(entry: string): Range {
  const slash = entry.indexOf("/");
  const bytes = parseIp(slash < 0 ? entry : entry.slice(0, slash));
  const prefix = slash < 0 ? (bytes?.length ?? 0) * 8 : Number(entry.slice(slash + 1));
  if (!bytes || !Number.isInteger(prefix) || prefix < 0 || prefix > bytes.length * 8) {
    throw new Error(`invalid OB_TRUSTED_PROXIES entry ${JSON.stringify(entry)}: expected an IP or a CIDR`);
  }
  return { bytes, prefix };
}

function matches(range: Range, bytes: Uint8Array): boolean {
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (range.bytes[i] !== bytes[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (range.bytes[full]! & mask) === (bytes[full]! & mask);
}

/** 4 bytes for IPv4 (also IPv4-mapped IPv6), 16 for IPv6, `undefined` when not an address. */
export function parseIp(text: string): Uint8Array | undefined {
  const ip = plainIp(text.trim());
  if (ip.includes(".") && !ip.includes(":")) return parseIpv4(ip);
  return ip.includes(":") ? parseIpv6(ip) : undefined;
}

function parseIpv4(ip: string): Uint8Array | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

function parseIpv6(ip: string): Uint8Array | undefined {
  const halves = ip.replace(/^\[|\]$/g, "").split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  return bytes;
}
