/**
 * @module The network policy for instance URLs (contract §4): which hosts the registry accepts and
 * the proxy and prober may connect to. Without it any user could register the cloud metadata service
 * (169.254.169.254) and read it through the proxy, or use probe results as a port scanner.
 *
 * Denied: a built-in list (link-local incl. the metadata services, the unspecified addresses, the
 * metadata host names) plus OB_INSTANCE_DENY. OB_INSTANCE_ALLOW wins over both for what it names: an
 * allowed network lifts the denial of its addresses, an allowed host name that of the name and of
 * every address it resolves to. Everything else is allowed: loopback and private networks are where
 * services live.
 */
import { AddressRules } from "../../lib/address-rules";

/**
 * Always denied unless OB_INSTANCE_ALLOW names them (OB_INSTANCE_DENY adds to this list, so setting it
 * never drops the metadata protection by accident).
 */
export const BUILT_IN_DENY: readonly string[] = [
  "169.254.0.0/16", // RFC 3927 IPv4 link-local: 169.254.169.254 is AWS/GCP/Azure/OCI metadata
  "fe80::/10", // RFC 4291 §2.5.6 IPv6 link-local
  "0.0.0.0/8", // RFC 1122 §3.2.1.3 "this network"; on Linux a connect to 0.0.0.0 reaches the local host
  "::/128", // RFC 4291 §2.5.2 unspecified; on Linux a connect to :: reaches ::1
  "fd00:ec2::254/128", // AWS metadata over IPv6
  "100.100.100.200/32", // Alibaba Cloud metadata
  "64:ff9b::a9fe:0/112", // RFC 6052 NAT64 form of 169.254.0.0/16
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
];

/** Where the policy's entries come from (config: OB_INSTANCE_ALLOW, OB_INSTANCE_DENY). */
export interface AddressPolicyOptions {
  allow: readonly string[];
  deny: readonly string[];
}

/** Answers whether a host name or an address may be registered or connected to, naming the rule when not. */
export class AddressPolicy {
  private readonly allow: AddressRules;
  private readonly deny: AddressRules;
  private readonly builtIn = AddressRules.parse(BUILT_IN_DENY);

  constructor(options: AddressPolicyOptions) {
    this.allow = AddressRules.parse(options.allow);
    this.deny = AddressRules.parse(options.deny);
  }

  /** True when OB_INSTANCE_ALLOW names `host` itself: then nothing it resolves to is denied either. */
  allowsName(host: string): boolean {
    return this.allow.matchName(host) !== undefined;
  }

  /** Why the name `host` is denied, or undefined. */
  checkName(host: string): string | undefined {
    if (this.allowsName(host)) return undefined;
    const user = this.deny.matchName(host);
    if (user !== undefined) return `host ${host} is denied by ${user} (OB_INSTANCE_DENY)`;
    const builtIn = this.builtIn.matchName(host);
    return builtIn === undefined ? undefined : `host ${host} is a cloud metadata name (OB_INSTANCE_DENY default)`;
  }

  /**
   * Why connecting to `address` is denied, or undefined. `host` is what the URL named (the address
   * itself, or the name that resolved to it), for the message.
   */
  checkAddress(address: string, host: string = address): string | undefined {
    if (this.allow.matchAddress(address) !== undefined) return undefined;
    const what = host === address ? `host ${host}` : `host ${host} resolves to ${address}, which`;
    const user = this.deny.matchAddress(address);
    if (user !== undefined) return `${what} is in denied network ${user} (OB_INSTANCE_DENY)`;
    const builtIn = this.builtIn.matchAddress(address);
    return builtIn === undefined ? undefined : `${what} is in denied network ${builtIn} (OB_INSTANCE_DENY default)`;
  }
}
