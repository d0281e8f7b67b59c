/**
 * @module The network policy and the self check applied to instance URLs (contract §4): at
 * registration (a 400 naming the rule, before any table change and before any packet goes to the
 * instance), and before every connect of the proxy and the prober, since a host name may resolve
 * elsewhere later. The connect check stays cheap on the proxy's path: an IP-literal instance's verdict
 * is computed once per record (records are replaced, never re-pointed, on re-registration), a host
 * name's is cached per host:port for a few seconds, in a bounded map.
 */
import { isIP } from "node:net";
import { badRequest } from "../../http/errors";
import { bareHost } from "../../lib/address-rules";
import type { Clock } from "../../lib/clock";
import type { Logger } from "../../lib/log";
import type { AddressPolicy } from "./address-policy";
import type { InstanceRecord, InstanceTable } from "./instance-table";
import type { ResolveFn } from "./resolve";
import type { ConnectRefusal } from "./routing";
import type { SelfAddresses } from "./self-addresses";
import type { NormalizedUrl } from "./url";

/** How long a host name's verdict is reused before it is resolved and checked again. */
export const NAME_VERDICT_TTL_MS = 5000;
/** Host names whose verdicts are kept at once; the oldest goes first. */
const MAX_NAME_VERDICTS = 4096;

/** The instance URL is this server (a request to it would loop through us). */
export const selfUrlRefused = (url: string, why: string) => badRequest("registry.self_url", `url ${url} points at this server (${why})`);
/** The instance URL's host is denied by the network policy; the message names the rule. */
export const addressDenied = (reason: string) => badRequest("registry.address_denied", reason);

/** What the guard checks against and where it looks instances up. */
export interface AddressGuardOptions {
  policy: AddressPolicy;
  self: SelfAddresses;
  resolve: ResolveFn;
  table: InstanceTable;
  clock: Clock;
  log: Logger;
}

type Verdict = ConnectRefusal | undefined;

/** Vets registrations and answers the connect checks of {@link InstanceRouting.checkConnect}. */
export class AddressGuard {
  /** IP-literal records: their verdict (null: allowed). */
  private readonly literal = new WeakMap<InstanceRecord, ConnectRefusal | null>();
  /** Host-name records: their cache key `host:port`, built once per record. */
  private readonly keys = new WeakMap<InstanceRecord, string>();
  private readonly names = new Map<string, { expires: number; verdict: Verdict }>();
  private readonly pending = new Map<string, Promise<Verdict>>();

  constructor(private readonly o: AddressGuardOptions) {}

  /**
   * Refuses (400) a URL pointing at this server or at a denied host. A name that does not resolve
   * now is accepted: it cannot be checked yet, and every connect checks it again.
   */
  async vet(n: NormalizedUrl): Promise<void> {
    const host = bareHost(n.host);
    const verdict = isIP(host) ? await this.evaluate(host, n.port) : await this.cached(`${host}:${n.port}`, host, n.port);
    if (verdict?.kind === "denied") throw addressDenied(verdict.reason);
    if (verdict?.kind === "self") throw selfUrlRefused(n.url, verdict.reason);
  }

  /** The connect check for instance `id` (see {@link InstanceRouting.checkConnect}). */
  checkConnect(id: string): Verdict | Promise<Verdict> {
    const record = this.o.table.get(id);
    if (record === undefined) return undefined;
    const known = this.literal.get(record);
    if (known !== undefined) return known ?? undefined;
    let key = this.keys.get(record);
    if (key === undefined) {
      const host = bareHost(record.host);
      if (isIP(host)) {
        // Registration checked it against the same policy; this only caches the answer for the record.
        const reason = this.o.policy.checkAddress(host);
        const verdict: ConnectRefusal | null = reason === undefined ? null : { kind: "denied", reason };
        this.literal.set(record, verdict);
        return verdict ?? undefined;
      }
      this.keys.set(record, (key = `${host}:${record.port}`));
    }
    const entry = this.names.get(key);
    if (entry !== undefined && entry.expires > this.o.clock.now()) return entry.verdict;
    return this.cached(key, bareHost(record.host), record.port);
  }

  /**
   * At start: stored instances the current policy denies are kept (their owners see them) but never
   * connected to, with a warning each. IP literals are decided here; names at every connect.
   */
  async screenStored(): Promise<void> {
    for (const record of this.o.table.all()) {
      const host = bareHost(record.host);
      let verdict: Verdict;
      if (isIP(host)) {
        verdict = await this.evaluate(host, record.port);
        this.literal.set(record, verdict ?? null);
      } else {
        const reason = this.o.policy.checkName(host);
        verdict = reason === undefined ? undefined : { kind: "denied", reason };
      }
      if (verdict !== undefined) this.o.log.warn("stored instance refused by the network policy; kept, never connected", { id: record.id, url: record.url, reason: verdict.reason });
    }
  }

  /** The verdict for a host name, from the cache or resolved now (one lookup per name at a time). */
  private cached(key: string, host: string, port: number): Promise<Verdict> {
    const entry = this.names.get(key);
    if (entry !== undefined && entry.expires > this.o.clock.now()) return Promise.resolve(entry.verdict);
    let pending = this.pending.get(key);
    if (pending === undefined) {
      pending = this.evaluate(host, port).then((verdict) => {
        this.pending.delete(key);
        this.remember(key, verdict);
        if (verdict !== undefined && verdict.kind !== "unresolved") this.o.log.warn("instance address refused", { host, port, reason: verdict.reason });
        return verdict;
      });
      pending.catch(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  private remember(key: string, verdict: Verdict): void {
    this.names.delete(key);
    if (this.names.size >= MAX_NAME_VERDICTS) this.names.delete(this.names.keys().next().value!);
    this.names.set(key, { expires: this.o.clock.now() + NAME_VERDICT_TTL_MS, verdict });
  }

  /**
   * Policy and self check of `host:port`. Rules on the name come first and the name is compared with
   * our own names before any lookup, so a denied name or our own URL is refused without DNS.
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
    return us === undefined ? undefined : { kind: "self", reason: us };
  }
}
