/**
 * @module IP address spellings: one reading of an address however it was written (in URL brackets,
 * with a zone id, upper case, IPv4-mapped), so the trust check, the login limits, the self check and
 * the forwarded headers compare and count the same address the same way. Dependency-free.
 */
import { isIP } from "node:net";

/** An address as read by {@link parseIp}: IPv4 in dotted form, or IPv6 as its eight 16-bit groups. */
export type ParsedIp = { family: 4; address: string } | { family: 6; groups: readonly number[] };

/** A host as compared: without IPv6 brackets or a trailing dot, lowercase (names and addresses alike). */
export function bareHost(host: string): string {
  const h = host.charCodeAt(0) === 91 /* [ */ ? host.slice(1, -1) : host;
  return (h.endsWith(".") ? h.slice(0, -1) : h).toLowerCase();
}

/** The node:net BlockList family of an address without brackets, or undefined when it is no IP address. */
export function addressFamily(ip: string): "ipv4" | "ipv6" | undefined {
  const family = isIP(ip);
  return family === 4 ? "ipv4" : family === 6 ? "ipv6" : undefined;
}

/**
 * Reads an IP address in any spelling; undefined when `text` is none. Brackets, a trailing dot and
 * case are dropped; so is an IPv6 zone id (`%eth0`): it names the local interface a link-local address
 * is reached through, not another address. An IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2,
 * `::ffff:a.b.c.d`, which the URL parser writes as `::ffff:7f00:1`) reads as the IPv4 address it maps:
 * a dual-stack socket reports IPv4 clients that way, and a connect to it reaches that IPv4 address.
 */
export function parseIp(text: string): ParsedIp | undefined {
  const bare = bareHost(text);
  const zone = bare.indexOf("%");
  const address = zone < 0 ? bare : bare.slice(0, zone);
  const family = isIP(address);
  if (family === 4) return { family, address };
  if (family !== 6) return undefined;
  const groups = ipv6Groups(address);
  if (groups[5] === 0xffff && groups.slice(0, 5).every((g) => g === 0)) {
    return { family: 4, address: `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}` };
  }
  return { family: 6, groups };
}

/**
 * The one spelling of an address, for comparing, counting and forwarding it: IPv4 dotted, IPv6 in
 * RFC 5952 form (lowercase, no leading zeros, the longest run of zero groups as `::`), see
 * {@link parseIp} for what is dropped. Text that is no IP address is returned unchanged.
 */
export function canonicalIp(text: string): string {
  if (isIP(text) === 4) return text; // the common case (every request's peer), without allocating
  const ip = parseIp(text);
  if (ip === undefined) return text;
  return ip.family === 4 ? ip.address : formatIpv6(ip.groups);
}

/** An address as it stands in a URL's authority: IPv6 in brackets (RFC 3986 §3.2.2), anything else as is. */
export function urlHost(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/** Whether a canonical address is loopback: 127.0.0.0/8 (RFC 1122 §3.2.1.3) or ::1. */
export function isLoopback(ip: string): boolean {
  return ip.startsWith("127.") || ip === "::1";
}

/** Whether a canonical address is unspecified (0.0.0.0 or ::): on Linux a connect to it reaches the local host. */
export function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}

/** The eight groups of a valid IPv6 address (lowercase, no zone), an embedded IPv4 tail as two groups. */
function ipv6Groups(address: string): number[] {
  const gap = address.indexOf("::");
  if (gap < 0) return groupsOf(address);
  const left = groupsOf(address.slice(0, gap));
  const right = groupsOf(address.slice(gap + 2));
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function groupsOf(part: string): number[] {
  const groups: number[] = [];
  if (part === "") return groups;
  for (const group of part.split(":")) {
    if (group.includes(".")) {
      const [a, b, c, d] = group.split(".").map(Number) as [number, number, number, number];
      groups.push((a << 8) | b, (c << 8) | d);
    } else {
      groups.push(Number.parseInt(group, 16));
    }
  }
  return groups;
}

/** RFC 5952 §4: hex without leading zeros; the longest run of two or more zero groups (the first of equals) as `::`. */
function formatIpv6(groups: readonly number[]): string {
  let start = -1;
  let length = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > length && j - i >= 2) [start, length] = [i, j - i];
    i = j;
  }
  const hex = (list: readonly number[]) => list.map((g) => g.toString(16)).join(":");
  if (start < 0) return hex(groups);
  return `${hex(groups.slice(0, start))}::${hex(groups.slice(start + length))}`;
}
