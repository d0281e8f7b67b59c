/**
 * @module Registry instance rules (contract §4): who owns a URL, what a re-registration means, who
 * may see and remove what. Works on the in-memory table only; storage follows behind it.
 */
import type { Caller } from "../auth-gate";
import { instanceNotFound, instanceOwned, notInstanceOwner, urlRegistered } from "./errors";
import type { Clock } from "../../lib/clock";
import { isoTime } from "../../lib/clock";
import { newId } from "../../lib/ids";
import type { InstanceRecord, InstanceTable } from "./instance-table";
import { SEES_ALL_INSTANCES } from "./permissions";
import type { Instance, ListInstancesQuery, RegisterInstanceRequest } from "../../contracts/registry/instances";
import { normalizeInstanceUrl, type NormalizedUrl } from "./url";

/** What {@link InstanceService} works on. */
export interface InstanceServiceDeps {
  table: InstanceTable;
  clock: Clock;
  /** Called after a registration so the instance is probed now rather than at the next cycle. */
  probeSoon?: (id: string) => void;
  /**
   * Refuses (throws a 400) a URL the network policy denies or that points at this server; runs
   * before any table change. May resolve the host name, hence async.
   */
  vet?: (url: NormalizedUrl) => Promise<void>;
  /** Told every accepted registration: `heartbeat` when it is the owner's re-registration (metrics). */
  onRegister?: (kind: "new" | "heartbeat") => void;
}

const FILTERS = ["host", "ip", "deploymentId", "region", "path", "id", "scheme"] as const;

/** Register, list and remove instances with the ownership and visibility rules of contract §4. */
export class InstanceService {
  private readonly wireCache = new WeakMap<InstanceRecord, { status: string; lastHeartbeat: number | null; json: string }>();

  constructor(private readonly deps: InstanceServiceDeps) {}

  /**
   * Registers `req` for the caller's slug. The owner's re-registration is an idempotent upsert and a
   * heartbeat; another slug gets 409 unless it is an admin, who takes the instance over. A URL that
   * points at this server or a denied network is 400 (contract §4 network policy), decided first.
   */
  async register(caller: Caller, req: RegisterInstanceRequest): Promise<InstanceRecord> {
    const { table, clock } = this.deps;
    const n = normalizeInstanceUrl(req);
    await this.deps.vet?.(n);
    const byUrl = table.findByUrl(n.url);
    const byId = req.id ? table.get(req.id) : undefined;
    if (byUrl && byId && byUrl !== byId) {
      throw urlRegistered(n.url);
    }
    const existing = byUrl ?? byId;
    if (existing && existing.slug !== caller.slug && !caller.isAdmin) {
      // Name only what the caller sent: another account's instance id is not theirs to learn.
      const what = byUrl ? `url ${n.url}` : `instance ${req.id}`;
      throw instanceOwned(what);
    }
    const now = clock.now();
    const heartbeat = existing?.slug === caller.slug;
    const record: InstanceRecord = {
      ...existing,
      id: existing?.id ?? req.id ?? newId("inst"),
      slug: caller.slug,
      ...n,
      status: heartbeat && existing.status !== "Unreachable" ? existing.status : "Unknown",
      lastHeartbeat: heartbeat ? now : (existing?.lastHeartbeat ?? null),
      createdAt: existing?.createdAt ?? now,
    };
    if (!n.ip) delete record.ip;
    if (req.deploymentId) record.deploymentId = req.deploymentId;
    if (req.healthCheckPath) record.healthCheckPath = req.healthCheckPath;
    if (req.region) record.region = req.region;
    table.put(record);
    this.deps.onRegister?.(heartbeat ? "heartbeat" : "new");
    // A heartbeat of an instance already known alive needs no probe; a new or doubtful one gets one now.
    if (record.status === "Unknown") this.deps.probeSoon?.(record.id);
    return record;
  }

  /** Instances the caller may see, filtered by every given filter (AND, exact match). */
  list(caller: Caller, query: ListInstancesQuery): Instance[] {
    return this.visible(caller, query).map(toWire);
  }

  /**
   * The list response `{"instances":[…]}` as JSON text, from per-instance JSON cached until the
   * instance changes: listing 10,000 instances is a join, not 10,000 objects to build and validate.
   */
  listJson(caller: Caller, query: ListInstancesQuery): string {
    return `{"instances":[${this.visible(caller, query).map((r) => this.wireJson(r)).join(",")}]}`;
  }

  /** Whether the caller sees every instance (admins and `proxy-svc`), not only its own slug's. */
  seesAll(caller: Caller): boolean {
    return caller.isAdmin || SEES_ALL_INSTANCES.has(caller.slug);
  }

  private visible(caller: Caller, query: ListInstancesQuery): InstanceRecord[] {
    const { table } = this.deps;
    const seesAll = this.seesAll(caller);
    if (!seesAll && query.slug && query.slug !== caller.slug) return [];
    const slug = seesAll ? query.slug : caller.slug;
    const candidates = slug ? table.ofSlug(slug) : table.all();
    const active = FILTERS.filter((f) => query[f]);
    const out: InstanceRecord[] = [];
    for (const record of candidates) {
      if (active.every((f) => matches(record, f, query[f]!))) out.push(record);
    }
    return out;
  }

  /**
   * One instance's wire JSON, cached: records are replaced on re-registration and mutated only in
   * status and heartbeat, so those two key the cache. The list and the event streams share it.
   */
  wireJson(r: InstanceRecord): string {
    const cached = this.wireCache.get(r);
    if (cached && cached.status === r.status && cached.lastHeartbeat === r.lastHeartbeat) return cached.json;
    const json = JSON.stringify(toWire(r));
    this.wireCache.set(r, { status: r.status, lastHeartbeat: r.lastHeartbeat, json });
    return json;
  }

  /** Removes an instance; only its owner or an admin may. */
  remove(caller: Caller, id: string): void {
    const record = this.deps.table.get(id);
    if (!record) throw instanceNotFound(id);
    if (record.slug !== caller.slug && !caller.isAdmin) throw notInstanceOwner(id);
    this.deps.table.remove(id, "removed");
  }
}

function matches(record: InstanceRecord, filter: (typeof FILTERS)[number], value: string): boolean {
  if (filter === "host") return record.host === value.toLowerCase() || record.host === value;
  if (filter === "path") return record.path === value.replace(/\/+$/, "");
  return record[filter] === value;
}

/** The wire shape of an instance (ISO 8601 UTC times; `lastHeartbeat` absent until first seen alive). */
export function toWire(r: InstanceRecord): Instance {
  const wire: Instance = { id: r.id, url: r.url, slug: r.slug, status: r.status, scheme: r.scheme, host: r.host, port: r.port };
  if (r.lastHeartbeat !== null) wire.lastHeartbeat = isoTime(r.lastHeartbeat);
  if (r.ip) wire.ip = r.ip;
  if (r.path) wire.path = r.path;
  if (r.deploymentId) wire.deploymentId = r.deploymentId;
  if (r.healthCheckPath) wire.healthCheckPath = r.healthCheckPath;
  if (r.region) wire.region = r.region;
  return wire;
}
