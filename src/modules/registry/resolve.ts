/**
 * @module Host name resolution for the network policy: one function type, so tests can inject a
 * resolver whose answer changes (a name that moves into a denied network) without any DNS traffic.
 */

/** The addresses `host` resolves to (IPv4 and IPv6); rejects when it does not resolve. */
export type ResolveFn = (host: string) => Promise<string[]>;

/**
 * The system resolver through Bun.dns.lookup (/etc/hosts included). Its answer is the only lookup
 * of an instance's name: fetch, Bun.connect and WebSocket would resolve again on their own (Bun's DNS
 * cache, entries up to 30 s), and a name built to answer differently from one lookup to the next (DNS
 * rebinding) would then be connected at an address never checked. So the connect goes to the checked
 * address (address-guard.ts pins it: the first address, all of them allowed), with the name's `Host`
 * field, and for https `tls.serverName` = the name, which Bun uses for SNI and for the certificate's
 * identity check, chain included (test/registry/address-pinning.test.ts). One address is used until the
 * verdict expires: when it refuses, the instance is Unreachable even if another resolved address works.
 */
export const systemResolve: ResolveFn = async (host) => (await Bun.dns.lookup(host, {})).map((r) => r.address);
