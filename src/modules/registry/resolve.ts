/**
 * @module Host name resolution for the network policy: one function type, so tests can inject a
 * resolver whose answer changes (a name that moves into a denied network) without any DNS traffic.
 */

/** How long a lookup may take before the name counts as not resolving (a stalled resolver). */
export const LOOKUP_TIMEOUT_MS = 2000;

/** The addresses `host` resolves to (IPv4 and IPv6); rejects when it does not resolve. */
export type ResolveFn = (host: string) => Promise<string[]>;

/**
 * The system resolver through Bun.dns.lookup (/etc/hosts included). Its answer is the only lookup
 * of an instance's name: fetch, Bun.connect and WebSocket would resolve again on their own (Bun's DNS
 * cache, entries up to 30 s), and a name built to answer differently from one lookup to the next (DNS
 * rebinding) would then be connected at an address never checked. So the connect goes to the checked
 * address (address-guard.ts pins it: the first address, all of them allowed), with the name's `Host`
 * field, and for https `tls.serverName` = the name, which Bun uses for SNI and for the certificate's
 * identity check, chain included (test/registry/address-pinning.test.ts). Bun.dns.lookup has no timeout
 * of its own: a stalled resolver is given up after {@link LOOKUP_TIMEOUT_MS} (a rejection: the name does
 * not resolve now; the lookup itself cannot be cancelled and ends on its own).
 */
export const systemResolve: ResolveFn = withTimeout(async (host) => (await Bun.dns.lookup(host, {})).map((r) => r.address));

/** `resolve`, rejecting (code ETIMEOUT) when it has not answered within `ms`. */
export function withTimeout(resolve: ResolveFn, ms = LOOKUP_TIMEOUT_MS): ResolveFn {
  return (host) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`lookup of ${host} timed out after ${ms} ms`), { code: "ETIMEOUT" })), ms);
      timer.unref?.();
    });
    return Promise.race([resolve(host), timeout]).finally(() => clearTimeout(timer));
  };
}
