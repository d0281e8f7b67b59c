/**
 * @module Host name resolution for the network policy: one function type, so tests can inject a
 * resolver whose answer changes (a name that moves into a denied network) without any DNS traffic.
 */

/** The addresses `host` resolves to (IPv4 and IPv6); rejects when it does not resolve. */
export type ResolveFn = (host: string) => Promise<string[]>;

/**
 * The system resolver through Bun.dns.lookup (/etc/hosts included). fetch and Bun.connect resolve
 * again on their own (through Bun's DNS cache, entries up to 30 s): a name built to answer
 * differently from one lookup to the next (DNS rebinding) can still differ between this check and
 * the connect. Pinning the connect to the checked address would close that; it is not done yet.
 */
export const systemResolve: ResolveFn = async (host) => (await Bun.dns.lookup(host, {})).map((r) => r.address);
