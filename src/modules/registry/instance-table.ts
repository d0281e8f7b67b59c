/**
 * @module The in-memory instance table: the registry's source of truth while running. Indexed by id,
 * URL and slug so the proxy's `instancesOf(slug)` is a map lookup returning a ready array (rebuilt
 * lazily after a change), every change is published at once, and changed rows are remembered for the
 * write-behind flusher instead of being written one by one.
 */
import type { Publisher } from "./events";
import type { InstanceStatus, RegistryEvent, RoutedInstance } from "./routing";
import type { NormalizedUrl } from "./url";

/** One instance as the registry keeps it: its normalised URL and parts, owner and health. Times are epoch ms. */
export interface InstanceRecord extends NormalizedUrl {
  id: string;
  slug: string;
  deploymentId?: string;
  healthCheckPath?: string;
  status: InstanceStatus;
  /** Last time seen alive (successful probe or the owner's re-registration); null: never. */
  lastHeartbeat: number | null;
  createdAt: number;
}

interface SlugEntry {
  members: Map<string, InstanceRecord>;
  /** The routed view handed to the proxy; null after a change until the next read. */
  view: readonly RoutedInstance[] | null;
}

/** Rows changed since the last flush: each upserted row (live records: write them before yielding), and removed ids. */
export interface PendingChanges {
  upserts: readonly InstanceRecord[];
  deletes: string[];
}

/**
 * A heartbeat alone (no status change) is persisted at most this often per instance: storage only
 * needs it to judge expiry after a restart, where a minute of staleness is harmless, and 10,000
 * healthy instances would otherwise rewrite 10,000 rows every probe cycle.
 */
export const HEARTBEAT_PERSIST_MS = 60_000;

/** The instances in memory, indexed for the proxy and the API; every change is published and queued for the flusher. */
export class InstanceTable {
  private readonly byId = new Map<string, InstanceRecord>();
  private readonly byUrl = new Map<string, InstanceRecord>();
  private readonly bySlug = new Map<string, SlugEntry>();
  private dirty = new Set<string>();
  /** Last heartbeat written (or loaded) per instance, to skip writes of heartbeat-only changes. */
  private readonly persistedHeartbeat = new Map<string, number | null>();
  private deleted = new Set<string>();

  constructor(private readonly events: Publisher<RegistryEvent>) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): InstanceRecord | undefined {
    return this.byId.get(id);
  }

  findByUrl(url: string): InstanceRecord | undefined {
    return this.byUrl.get(url);
  }

  /** Every instance, in registration order. Callers must not mutate the records. */
  all(): IterableIterator<InstanceRecord> {
    return this.byId.values();
  }

  /** Instances of one slug (for filtered listings without a full scan). */
  ofSlug(slug: string): Iterable<InstanceRecord> {
    return this.bySlug.get(slug)?.members.values() ?? [];
  }

  /** The proxy's view: a ready array of routable instances of `slug`. */
  instancesOf(slug: string): readonly RoutedInstance[] {
    const entry = this.bySlug.get(slug);
    if (!entry) return EMPTY;
    return (entry.view ??= Object.freeze([...entry.members.values()].map(routedOf)));
  }

  /** Fills the table from storage at start: no events, nothing marked for writing. */
  load(records: Iterable<InstanceRecord>): void {
    for (const record of records) {
      this.index(record);
      this.persistedHeartbeat.set(record.id, record.lastHeartbeat);
    }
  }

  /**
   * Inserts or replaces the instance with `record.id` (its URL or slug may change) and publishes it.
   * A replacement that changes only status and heartbeat (an owner's periodic re-registration) is a
   * health observation instead: no "registered" event, and the heartbeat is persisted as rarely as
   * a probe's.
   */
  put(record: InstanceRecord): void {
    const previous = this.byId.get(record.id);
    if (previous && sameRegistration(previous, record)) {
      this.setHealth(record.id, record.status, record.lastHeartbeat ?? undefined);
      return;
    }
    if (previous) this.unindex(previous);
    this.index(record);
    this.markDirty(record.id);
    this.events.publish({ type: "registered", instance: routedOf(record) });
    if (previous && previous.status !== record.status) {
      this.events.publish({ type: "status", instance: routedOf(record), previous: previous.status });
    }
  }

  /** Records a health observation; publishes when the status changes. Unknown ids are ignored (removed meanwhile). */
  setHealth(id: string, status: InstanceStatus, lastHeartbeat?: number): void {
    const record = this.byId.get(id);
    if (!record) return;
    const previous = record.status;
    const heartbeatChanged = lastHeartbeat !== undefined && lastHeartbeat !== record.lastHeartbeat;
    if (previous === status && !heartbeatChanged) return;
    if (lastHeartbeat !== undefined) record.lastHeartbeat = lastHeartbeat;
    if (previous === status) {
      const persisted = this.persistedHeartbeat.get(id) ?? null;
      if (persisted === null || record.lastHeartbeat! - persisted >= HEARTBEAT_PERSIST_MS) this.markDirty(id);
      return;
    }
    this.markDirty(id);
    record.status = status;
    this.invalidate(record.slug);
    this.events.publish({ type: "status", instance: routedOf(record), previous });
  }

  /** Removes an instance; returns it, or undefined when unknown. */
  remove(id: string, reason: "removed" | "expired"): InstanceRecord | undefined {
    const record = this.byId.get(id);
    if (!record) return undefined;
    this.unindex(record);
    this.dirty.delete(id);
    this.persistedHeartbeat.delete(id);
    this.deleted.add(id);
    this.events.publish({ type: "removed", instance: routedOf(record), reason });
    return record;
  }

  /** Hands over the rows changed since the last call. */
  takeChanges(): PendingChanges {
    const upserts: InstanceRecord[] = [];
    for (const id of this.dirty) {
      const record = this.byId.get(id);
      if (!record) continue;
      upserts.push(record);
      this.persistedHeartbeat.set(id, record.lastHeartbeat);
    }
    const deletes = [...this.deleted];
    this.dirty = new Set();
    this.deleted = new Set();
    return { upserts, deletes };
  }

  /** Puts changes back after a failed write, unless newer changes superseded them. */
  restoreChanges(changes: PendingChanges): void {
    for (const row of changes.upserts) if (this.byId.has(row.id) && !this.deleted.has(row.id)) this.dirty.add(row.id);
    for (const id of changes.deletes) if (!this.byId.has(id)) this.deleted.add(id);
  }

  private markDirty(id: string): void {
    this.dirty.add(id);
    this.deleted.delete(id);
  }

  private index(record: InstanceRecord): void {
    this.byId.set(record.id, record);
    this.byUrl.set(record.url, record);
    let entry = this.bySlug.get(record.slug);
    if (!entry) this.bySlug.set(record.slug, (entry = { members: new Map(), view: null }));
    entry.members.set(record.id, record);
    entry.view = null;
  }

  private unindex(record: InstanceRecord): void {
    this.byId.delete(record.id);
    if (this.byUrl.get(record.url) === record) this.byUrl.delete(record.url);
    const entry = this.bySlug.get(record.slug);
    if (!entry) return;
    entry.members.delete(record.id);
    entry.view = null;
    if (entry.members.size === 0) this.bySlug.delete(record.slug);
  }

  private invalidate(slug: string): void {
    const entry = this.bySlug.get(slug);
    if (entry) entry.view = null;
  }
}

const EMPTY: readonly RoutedInstance[] = Object.freeze([]);

/** True when the records differ at most in status and heartbeat (every other field counts, present or not). */
function sameRegistration(a: InstanceRecord, b: InstanceRecord): boolean {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof InstanceRecord>;
  for (const field of fields) {
    if (field !== "status" && field !== "lastHeartbeat" && a[field] !== b[field]) return false;
  }
  return true;
}

function routedOf(record: InstanceRecord): RoutedInstance {
  return Object.freeze({ id: record.id, slug: record.slug, url: record.url, status: record.status });
}
