/**
 * @module The in-memory instance table: the registry's source of truth while running. Indexed by id,
 * URL and slug so the proxy's `instancesOf(slug)` is a map lookup returning a ready array (rebuilt
 * lazily after a change); every change is published at once and noted for the committer (flusher.ts)
 * in a {@link PendingChangeLog} (pending-changes.ts: what storage does not know yet). The table keeps
 * serving while a commit is written. Rows other nodes committed come in through
 * {@link InstanceTable.applyStored} (remote-changes.ts): indexed and published like local changes,
 * never queued for this node's committer.
 */
import type { Publisher } from "../../lib/events";
import { PendingChangeLog, type PendingChangeLogOptions, type PendingChanges } from "./pending-changes";
import type { InstanceStatus, RegistryEvent, RoutedInstance } from "./routing";
import type { NormalizedUrl } from "./url";

export { HEARTBEAT_WRITE_MS, type PendingChanges } from "./pending-changes";

/** One instance as the registry keeps it: its normalised URL and parts, owner and health. Times are epoch ms. */
export interface InstanceRecord extends NormalizedUrl {
  id: string;
  slug: string;
  deploymentId?: string;
  healthCheckPath?: string;
  /** Region given at registration; display and filtering only (routing ignores it). */
  region?: string;
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

/** What the table decides about writing (pending-changes.ts) and whom it tells of heartbeats. */
export interface InstanceTableOptions extends PendingChangeLogOptions {
  /**
   * Told when an instance is seen alive again without a status change (a heartbeat alone), local or
   * from another node's row. Not a published event on purpose: heartbeats are the registry's most
   * frequent change and only the event streams (event-streams.ts) want them, not the proxy or the log.
   */
  onHeartbeat?: (record: InstanceRecord) => void;
}

/** The instances in memory, indexed for the proxy and the API; every change is published and queued for the committer. */
export class InstanceTable {
  private readonly byId = new Map<string, InstanceRecord>();
  private readonly byUrl = new Map<string, InstanceRecord>();
  private readonly bySlug = new Map<string, SlugEntry>();
  /** What the committer has not written yet (registrations, removals, health) and the stored heartbeats. */
  private readonly pending: PendingChangeLog;
  private readonly onHeartbeat: ((record: InstanceRecord) => void) | undefined;

  constructor(
    private readonly events: Publisher<RegistryEvent>,
    options: InstanceTableOptions = {},
  ) {
    this.pending = new PendingChangeLog(options);
    this.onHeartbeat = options.onHeartbeat;
  }

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
      this.pending.stored(record.id, record.lastHeartbeat);
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
    this.pending.registered(record.id, previous ?? null);
    if (previous) this.unindex(previous);
    this.index(record);
    this.publishRegistered(record, previous);
  }

  /**
   * Records a health observation; publishes when the status changes. A status change is queued for
   * the next flush; a heartbeat alone only once the stored heartbeat is a write interval old (memory
   * keeps the exact one, which the API answers). Unknown ids are ignored (removed meanwhile).
   */
  setHealth(id: string, status: InstanceStatus, lastHeartbeat?: number): void {
    const record = this.byId.get(id);
    if (!record) return;
    const previous = record.status;
    const heartbeatChanged = lastHeartbeat !== undefined && lastHeartbeat !== record.lastHeartbeat;
    if (previous === status && !heartbeatChanged) return;
    if (lastHeartbeat !== undefined) record.lastHeartbeat = lastHeartbeat;
    if (previous === status) {
      this.pending.heartbeat(id, record.lastHeartbeat!);
      if (heartbeatChanged) this.onHeartbeat?.(record);
      return;
    }
    this.pending.statusChanged(id);
    record.status = status;
    this.invalidate(record.slug);
    this.events.publish({ type: "status", instance: routedOf(record), previous });
  }

  /** Removes an instance; returns it, or undefined when unknown. */
  remove(id: string, reason: "removed" | "expired"): InstanceRecord | undefined {
    const record = this.byId.get(id);
    if (!record) return undefined;
    this.pending.removed(record);
    this.unindex(record);
    this.events.publish({ type: "removed", instance: routedOf(record), reason });
    return record;
  }

  /**
   * Applies the row of `id` as stored by another node's commit (`stored` undefined: no row), without
   * queueing anything for this node's committer: a new row is indexed, a changed one replaced, a
   * missing one removed, each published like a local change ("removed" with reason "removed": the
   * row does not say whether it expired). The stored heartbeat is remembered as written.
   *
   * The stored registration is the truth once committed by anyone, except where this node holds a
   * newer change not committed yet, which its commit will write over the read row:
   * - a registration or removal of `id` waiting for, or in, a commit: the row is ignored (returns
   *   false; the caller reads it again if that commit is rolled back);
   * - a status change (not a heartbeat alone) waiting for, or in, a commit: the local status stays, the rest is applied;
   * - `lastHeartbeat`: the larger of memory's and the row's (a heartbeat held back by the write
   *   interval, or seen here after the row was read, is not lost).
   * Callers must read rows in order (remote-changes.ts): applying an older read after a newer one
   * would go back in time.
   */
  applyStored(id: string, stored: InstanceRecord | undefined): boolean {
    if (this.pending.holdsRegistration(id)) return false;
    const current = this.byId.get(id);
    if (stored === undefined) {
      if (current === undefined) return true;
      this.unindex(current);
      this.pending.storedRemoved(id);
      this.events.publish({ type: "removed", instance: routedOf(current), reason: "removed" });
      return true;
    }
    this.pending.stored(id, stored.lastHeartbeat);
    const unwritten = current !== undefined && this.pending.holdsStatus(id);
    const status = unwritten ? current.status : stored.status;
    const lastHeartbeat = newer(current?.lastHeartbeat ?? null, stored.lastHeartbeat);
    if (current && sameRegistration(current, stored)) {
      const seenAlive = lastHeartbeat !== current.lastHeartbeat;
      current.lastHeartbeat = lastHeartbeat;
      if (current.status === status) {
        if (seenAlive) this.onHeartbeat?.(current);
        return true;
      }
      const previous = current.status;
      current.status = status;
      this.invalidate(current.slug);
      this.events.publish({ type: "status", instance: routedOf(current), previous });
      return true;
    }
    const record: InstanceRecord = { ...stored, status, lastHeartbeat };
    if (current) this.unindex(current);
    this.index(record);
    this.publishRegistered(record, current);
    return true;
  }

  /** Whether a registration or removal of `id` waits for a commit (see {@link PendingChangeLog.uncommitted}). */
  uncommitted(id: string): "pending" | "writing" | undefined {
    return this.pending.uncommitted(id);
  }

  /** Hands over the rows changed since the last call, then {@link committed} or {@link rollBack} (see {@link PendingChangeLog.take}). */
  takeChanges(): PendingChanges {
    return this.pending.take(this.byId);
  }

  /** Notes what a successful commit of `changes` wrote, so heartbeat-only writes can be skipped after it. */
  committed(changes: PendingChanges): void {
    this.pending.committed(changes, this.byId);
  }

  /**
   * Undoes a batch whose commit failed, with every registration and removal made while it was written
   * (pending for the next commit, whose waiters the committer refuses too): all go back to the rows as
   * stored, so memory, the proxy and storage agree again and the callers' 503 means "nothing happened":
   * a new instance disappears, a changed one gets its stored fields back, a removed one returns.
   * Health-only changes stay in memory for the next flush. Current versions are unindexed before stored
   * ones are indexed: a batch may move a URL between ids. Returns the ids put back (other nodes' rows
   * of them were ignored meanwhile, so they are worth reading again).
   */
  rollBack(changes: PendingChanges): string[] {
    const undo = this.pending.reopen(changes);
    const current = new Map<string, InstanceRecord>();
    for (const id of undo.keys()) {
      const record = this.byId.get(id);
      if (!record) continue;
      current.set(id, record);
      this.unindex(record);
    }
    for (const [id, stored] of undo) {
      const record = current.get(id);
      if (stored) {
        this.index(stored);
        this.events.publish({ type: "registered", instance: routedOf(stored) });
      } else if (record) {
        this.events.publish({ type: "removed", instance: routedOf(record), reason: "removed" });
      }
    }
    this.pending.requeue(undo, changes, this.byId);
    return [...undo.keys()];
  }

  /** "registered" for `record`, and "status" too when it replaced one in another status. */
  private publishRegistered(record: InstanceRecord, previous: InstanceRecord | undefined): void {
    this.events.publish({ type: "registered", instance: routedOf(record) });
    if (previous && previous.status !== record.status) {
      this.events.publish({ type: "status", instance: routedOf(record), previous: previous.status });
    }
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

/** The later of two heartbeats (null: never seen alive). */
function newer(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function routedOf(record: InstanceRecord): RoutedInstance {
  return Object.freeze({ id: record.id, slug: record.slug, url: record.url, status: record.status });
}
