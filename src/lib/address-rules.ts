/**
 * @module Address rules: a list of CIDRs, IP addresses and host names (the form OB_INSTANCE_ALLOW and
 * OB_INSTANCE_DENY take), matched against one address or one name and answering *which* entry
 * matched, so a refusal can name its rule. CIDR matching is node:net's BlockList, which also matches
 * IPv4-mapped IPv6 addresses (RFC 4291 §2.5.5.2, `::ffff:a.b.c.d`) against IPv4 rules, so
 * `[::ffff:169.254.169.254]` cannot slip past `169.254.0.0/16`. Dependency-free: config.ts uses it to
 * refuse a bad entry at start, and http/trust.ts builds the OB_TRUSTED_PROXIES check on parseNetwork.
 * Spellings of hosts and addresses are lib/ip.ts's.
 */
import { BlockList } from "node:net";
import { addressFamily, bareHost } from "./ip";

/** One parsed entry: a network (CIDR or single address), an exact host name, or `*.domain`. */
interface Rule {
  /** The entry as written (normalised), named in refusals. */
  text: string;
  network?: BlockList;
  name?: string;
  /** For `*.example.com`: `.example.com`, matching every name below it. */
  suffix?: string;
}

/** A bad entry; the message says which and why (config.ts prefixes the variable name). */
export class AddressRuleError extends Error {
  override name = "AddressRuleError";
}

// RFC 1123 labels; "_" too, since service-discovery names (SRV-style) carry it.
const HOST_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** Rules parsed from entries; matching is linear over a handful of entries, used off the hot path. */
export class AddressRules {
  private constructor(private readonly rules: readonly Rule[]) {}

  /** Parses comma-separated entries (or a list); throws {@link AddressRuleError} on the first bad one. */
  static parse(entries: string | readonly string[]): AddressRules {
    const list = typeof entries === "string" ? entries.split(",") : entries;
    return new AddressRules(list.map((e) => e.trim()).filter(Boolean).map(parseRule));
  }

  get size(): number {
    return this.rules.length;
  }

  /** The entry whose network holds `ip` (any spelling: brackets, IPv4-mapped), or undefined. */
  matchAddress(ip: string): string | undefined {
    const bare = bareHost(ip);
    const type = addressFamily(bare);
    if (type === undefined) return undefined;
    for (const rule of this.rules) if (rule.network?.check(bare, type)) return rule.text;
    return undefined;
  }

  /** The name entry that names `host` (case and a trailing dot ignored), or undefined. */
  matchName(host: string): string | undefined {
    const name = bareHost(host);
    for (const rule of this.rules) {
      if (rule.name === name || (rule.suffix !== undefined && name.endsWith(rule.suffix))) return rule.text;
    }
    return undefined;
  }
}

/** One network entry (a CIDR, or a single address as a full-length prefix), ready for BlockList.addSubnet. */
export interface Network {
  /** The entry as written (normalised): `address` or `address/prefix`. */
  text: string;
  address: string;
  prefix: number;
  type: "ipv4" | "ipv6";
}

/**
 * Parses a CIDR or IP address entry (brackets allowed around IPv6); undefined when the part before
 * any `/` is no IP address (it may be a host name). Throws {@link AddressRuleError} on a bad prefix.
 */
export function parseNetwork(entry: string): Network | undefined {
  const text = entry.toLowerCase();
  const slash = text.indexOf("/");
  const address = bareHost(slash < 0 ? text : text.slice(0, slash));
  const type = addressFamily(address);
  if (type === undefined) return undefined;
  const max = type === "ipv4" ? 32 : 128;
  const written = slash < 0 ? String(max) : text.slice(slash + 1);
  const prefix = Number(written);
  if (!/^\d{1,3}$/.test(written) || prefix > max) {
    throw new AddressRuleError(`bad entry ${JSON.stringify(entry)}: prefix length must be 0-${max}`);
  }
  return { text: slash < 0 ? address : `${address}/${prefix}`, address, prefix, type };
}

function parseRule(entry: string): Rule {
  const parsed = parseNetwork(entry);
  if (parsed !== undefined) {
    const network = new BlockList();
    network.addSubnet(parsed.address, parsed.prefix, parsed.type);
    return { text: parsed.text, network };
  }
  const text = entry.toLowerCase();
  if (text.includes("/")) throw new AddressRuleError(`bad entry ${JSON.stringify(entry)}: not an IPv4 or IPv6 network`);
  const name = text.replace(/\.$/, "");
  if (!HOST_NAME.test(name) || /^[\d.]+$/.test(name)) {
    throw new AddressRuleError(`bad entry ${JSON.stringify(entry)}: not a CIDR, IP address or host name`);
  }
  return name.startsWith("*.") ? { text: name, suffix: name.slice(1) } : { text: name, name };
}
