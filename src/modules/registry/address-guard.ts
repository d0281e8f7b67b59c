/**
 * @module The network policy and the self check applied to instance URLs (contract §4): at
 * registration (a 400 naming the rule, before any table change and before any packet goes to the
 * instance), and before every connect of the proxy and the prober, since a host name may resolve
 * elsewhere later. The connect check stays cheap on the proxy's path: an IP-literal instance's verdict
 * is computed once per record (records are replaced, never re-pointed, on re-registration), a host
 * name's is cached per host:port for a few seconds, in a bounded map.
 *
 * DNS trouble does not take a name's instance offline: an allowed verdict that expired is answered at
 * once (its addresses were checked) while one lookup refreshes it in the background, and a refresh
 * that fails (no addresses, an error, no answer within {@link LOOKUP_TIMEOUT_MS}) keeps it for up to
 * {@link NAME_STALE_MAX_MS} after it was last confirmed. A refresh answering "denied" or "self" replaces
 * it at once. Only a name without a usable verdict waits for its lookup.
 *
 * DNS rebinding: an allowed name's verdict carries the address that was checked, and the connect goes
 * there ({@link PinnedConnect}), never to a second lookup of the name that could answer a denied address.
 * The pin (base URL with the address, Host field, TLS server name) is built once per verdict and record.
 */
import { isIP } from "node:net";
import { addressDenied, selfUrlRefused } from "./errors";
import { bareHost, urlHost } from "../../lib/ip";
import type { Clock } from "../../lib/clock";
import type { Logger } from "../../lib/log";
import type { AddressPolicy } from "./address-policy";
import type { InstanceRecord, InstanceTable } from "./instance-table";
import { LOOKUP_TIMEOUT_MS, type ResolveFn } from "./resolve";
import type { ConnectRefusal, ConnectVerdict, PinnedConnect } from "./routing";
import type { SelfAddresses } from "./self-addresses";
import type { NormalizedUrl } from "./url";

/** How long a host name's verdict is reused before it is resolved and checked again. */
export const NAME_VERDICT_TTL_MS = 5000;
/**
 * How long after its last successful check an allowed verdict is still used while its lookups fail
 * (stale-if-error) or are slow (stale-while-revalidate); after it, the name counts as unresolved.
 */
export const NAME_STALE_MAX_MS = 60_000;
/** Host names whose verdicts are kept at once; the oldest goes first. */
const MAX_NAME_VERDICTS = 4096;

/** What the guard checks against and where it looks instances up. */
export interface AddressGuardOptions {
  policy: AddressPolicy;
  self: SelfAddresses;
  resolve: ResolveFn;
  table: InstanceTable;
  clock: Clock;
  log: Logger;
  /** How long a name's check (self snapshot and lookup) may take before it is "unresolved"; default {@link LOOKUP_TIMEOUT_MS}. */
  lookupTimeoutMs?: number;
}

/** A check's outcome: refused, or allowed at every one of `addresses` (resolver order). */
type Verdict = ConnectRefusal | { kind: "allowed"; addresses: readonly string[] };
/**
 * A name's cached verdict and which of its checked addresses connects are sent to (`preferred`):
 * the first, until a connect there fails and {@link AddressGuard.rotateAddress} moves on. A name
 * often has several (`localhost` → ::1 and 127.0.0.1) while the service listens on one of them.
 * `confirmed`: when a lookup last produced this verdict (an allowed one is kept after failed
 * refreshes until `confirmed + NAME_STALE_MAX_MS`, and `expires` never passes that).
 */
type NameEntry = { expires: number; confirmed: number; verdict: Verdict; preferred: number };
/** A host-name record's cache key `host:port` and bare host (built once per record) and its last pin. */
type NameSlot = { key: string; host: string; pin: PinnedConnect | undefined };

const DEFAULT_PORT = { http: 80, https: 443 } as const;
const GONE: ConnectRefusal = { kind: "unresolved", reason: "instance removed" };

/** Vets registrations and answers the connect checks of {@link InstanceRouting.checkConnect}. */
export class AddressGuard {
  /** IP-literal records: their verdict (null: allowed). */
  private readonly literal = new WeakMap<InstanceRecord, ConnectRefusal | null>();
  private readonly slots = new WeakMap<InstanceRecord, NameSlot>();
  private readonly names = new Map<string, NameEntry>();
  private readonly pending = new Map<string, Promise<NameEntry>>();

  constructor(private readonly o: AddressGuardOptions) {}

  /**
   * Refuses (400) a URL pointing at this server or at a denied host. A name that does not resolve
   * now is accepted: it cannot be checked yet, and every connect checks it again.
   */
  async vet(n: NormalizedUrl): Promise<void> {
    const host = bareHost(n.host);
    const verdict = isIP(host) ? await this.evaluate(host, n.port) : (await this.verdictOf(`${host}:${n.port}`, host, n.port)).verdict;
    if (verdict.kind === "denied") throw addressDenied(verdict.reason);
    if (verdict.kind === "self") throw selfUrlRefused(n.url, verdict.reason);
  }

  /**
   * The connect check for instance `id` (see {@link InstanceRouting.checkConnect}): `undefined` for an
   * allowed IP literal, the pin for an allowed name, else the refusal.
   */
  checkConnect(id: string): ConnectVerdict | Promise<ConnectVerdict> {
    const record = this.o.table.get(id);
    // Removed meanwhile (a probe waiting for its slot): nothing checked, so nothing to connect to.
    if (record === undefined) return GONE;
    const known = this.literal.get(record);
    if (known !== undefined) return known ?? undefined;
    let slot = this.slots.get(record);
    if (slot === undefined) {
      const host = bareHost(record.host);
      if (isIP(host)) {
        // Registration checked it against the same policy; this only caches the answer for the record.
        const reason = this.o.policy.checkAddress(host);
        const verdict: ConnectRefusal | null = reason === undefined ? null : { kind: "denied", reason };
        this.literal.set(record, verdict);
        return verdict ?? undefined;
      }
      this.slots.set(record, (slot = { key: `${host}:${record.port}`, host, pin: undefined }));
    }
    const found = this.verdictOf(slot.key, slot.host, record.port);
    if (!(found instanceof Promise)) return answer(record, slot, found);
    const nameSlot = slot; // const, for the closure
    return found.then((e) => answer(record, nameSlot, e));
  }

  /**
   * A connect to instance `id` failed: for a name with several checked addresses, later connects go
   * to the next one (all passed the policy). Returns how many checked addresses the name has, so a
   * caller may try each once (0: not a name, or no verdict cached).
   */
  rotateAddress(id: string): number {
    const record = this.o.table.get(id);
    const slot = record === undefined ? undefined : this.slots.get(record);
    const entry = slot === undefined ? undefined : this.names.get(slot.key);
    if (entry === undefined || entry.verdict.kind !== "allowed") return 0;
    const count = entry.verdict.addresses.length;
    entry.preferred = (entry.preferred + 1) % count;
    return count;
  }

  /**
   * At start: stored instances the current policy denies are kept (their owners see them) but never
   * connected to, with a warning each. IP literals are decided here; names at every connect.
   */
  async screenStored(): Promise<void> {
    for (const record of this.o.table.all()) {
      const host = bareHost(record.host);
      let verdict: ConnectRefusal | undefined;
      if (isIP(host)) {
        const checked = await this.evaluate(host, record.port);
        verdict = checked.kind === "allowed" ? undefined : checked;
        this.literal.set(record, verdict ?? null);
      } else {
        const reason = this.o.policy.checkName(host);
        verdict = reason === undefined ? undefined : { kind: "denied", reason };
      }
      if (verdict !== undefined) this.o.log.warn("stored instance refused by the network policy; kept, never connected", { id: record.id, url: record.url, reason: verdict.reason });
    }
  }

  /**
   * The verdict for a host name: the cached one while fresh; an expired allowed one still within its
   * grace at once, refreshed in the background; else (no verdict, a refusal, past the grace) the lookup's.
   */
  private verdictOf(key: string, host: string, port: number): NameEntry | Promise<NameEntry> {
    const entry = this.names.get(key);
    if (entry !== undefined) {
      const now = this.o.clock.now();
      if (entry.expires > now) return entry;
      if (entry.verdict.kind === "allowed" && now - entry.confirmed < NAME_STALE_MAX_MS) {
        void this.refresh(key, host, port); // settles on its own: its rejection is handled there
        return entry;
      }
    }
    return this.refresh(key, host, port);
  }

  /** Checks `host:port` again and caches the verdict; one lookup per name at a time. */
  private refresh(key: string, host: string, port: number): Promise<NameEntry> {
    let pending = this.pending.get(key);
    if (pending === undefined) {
      pending = this.bounded(this.evaluate(host, port), host).then((verdict) => {
        this.pending.delete(key);
        if (verdict.kind === "denied" || verdict.kind === "self") this.o.log.warn("instance address refused", { host, port, reason: verdict.reason });
        return this.remember(key, host, verdict);
      });
      pending.catch(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  /** `check`, or "unresolved" once it has not answered within the lookup timeout (a stalled resolver). */
  private bounded(check: Promise<Verdict>, host: string): Promise<Verdict> {
    const ms = this.o.lookupTimeoutMs ?? LOOKUP_TIMEOUT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Verdict>((resolve) => {
      timer = setTimeout(() => resolve({ kind: "unresolved", reason: `host ${host} did not resolve within ${ms} ms` }), ms);
      timer.unref?.();
    });
    return Promise.race([check, timeout]).finally(() => clearTimeout(timer));
  }

  private remember(key: string, host: string, verdict: Verdict): NameEntry {
    const now = this.o.clock.now();
    const previous = this.names.get(key);
    this.names.delete(key);
    if (verdict.kind === "unresolved" && previous !== undefined && previous.verdict.kind === "allowed" && now - previous.confirmed < NAME_STALE_MAX_MS) {
      // Stale-if-error: its addresses passed the policy when confirmed; asked again within the TTL, never past the grace.
      previous.expires = Math.min(now + NAME_VERDICT_TTL_MS, previous.confirmed + NAME_STALE_MAX_MS);
      this.names.set(key, previous);
      this.o.log.warn("instance name did not resolve; its last checked addresses are used meanwhile", { host, reason: verdict.reason, confirmedMsAgo: now - previous.confirmed });
      return previous;
    }
    if (this.names.size >= MAX_NAME_VERDICTS) this.names.delete(this.names.keys().next().value!);
    const entry = { expires: now + NAME_VERDICT_TTL_MS, confirmed: now, verdict, preferred: stillPreferred(previous, verdict) };
    this.names.set(key, entry);
    return entry;
  }

  /**
   * Policy and self check of `host:port`. Rules on the name come first and the name is compared with
   * our own names before any lookup, so a denied name or our own URL is refused without DNS. Every
   * address must pass; connects go to the first (resolver order) until one fails there (`rotateAddress`).
   */
  private async evaluate(host: string, port: number): Promise<Verdict> {
    const { policy } = this.o;
    const literal = isIP(host) !== 0;
    const nameRule = literal ? undefined : policy.checkName(host);
    if (nameRule !== undefined) return { kind: "denied", reason: nameRule };
    const self = await this.o.self.current();
    const byName = self.match(host, port, []);
    if (byName !== undefined) return { kind: "self", reason: byName };
    let addresses: string[];
    try {
      addresses = literal ? [host] : await this.o.resolve(host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) return { kind: "unresolved", reason: `host ${host} does not resolve` };
    if (literal || !policy.allowsName(host)) {
      for (const address of addresses) {
        const reason = policy.checkAddress(address, host);
        if (reason !== undefined) return { kind: "denied", reason };
      }
    }
    const us = self.match(host, port, addresses);
    return us === undefined ? { kind: "allowed", addresses } : { kind: "self", reason: us };
  }
}

/** A name's verdict for one record: the refusal, or the record's pin (rebuilt when the address moved). */
function answer(record: InstanceRecord, slot: NameSlot, entry: NameEntry): ConnectVerdict {
  const { verdict } = entry;
  if (verdict.kind !== "allowed") return verdict;
  const address = verdict.addresses[entry.preferred % verdict.addresses.length]!;
  if (slot.pin === undefined || slot.pin.address !== address) slot.pin = pinOf(record, address);
  return slot.pin;
}

/** After a new lookup, the address connects went to stays preferred while the name still has it. */
function stillPreferred(previous: NameEntry | undefined, verdict: Verdict): number {
  if (previous === undefined || previous.verdict.kind !== "allowed" || verdict.kind !== "allowed") return 0;
  const address = previous.verdict.addresses[previous.preferred % previous.verdict.addresses.length];
  return Math.max(0, verdict.addresses.indexOf(address!));
}

/**
 * The connect target of a name record at a checked address. `host` is what fetch would have sent for
 * the record's URL (the default port omitted, RFC 9110 §7.2); for https the TLS server name is the
 * name (RFC 6066 §3: without a trailing dot), so SNI and the certificate check stay the name's.
 */
function pinOf(record: InstanceRecord, address: string): PinnedConnect {
  const pin: PinnedConnect = {
    kind: "pinned",
    address,
    url: `${record.scheme}://${urlHost(address)}:${record.port}${record.path}`,
    host: record.port === DEFAULT_PORT[record.scheme] ? record.host : `${record.host}:${record.port}`,
  };
  if (record.scheme === "https") pin.tls = { serverName: bareHost(record.host) };
  return pin;
}
