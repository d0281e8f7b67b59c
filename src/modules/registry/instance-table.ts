/**
 * @module The in-memory instance table: the registry's source of truth while running. Indexed by id,
 * URL and slug so the proxy's `instancesOf(slug)` is a map lookup returning a ready array (rebuilt
 * lazily after a change), every change is published at once, and changed rows are remembered for the
 * committer (flusher.ts): registrations and removals with the row as last stored, so they can be
 * committed before they are acknowledged and undone if the commit fails; health as write-behind
 * updates: a status change in the next flush, a heartbeat alone at most once per write interval, so
 * database writes grow with changes, not with heartbeats (contract §7). The table keeps serving
 * while a commit is written (the write is async): what changes meanwhile waits for the next commit.
 * Rows other nodes committed come in through {@link InstanceTable.applyStored} (remote-changes.ts):
 * indexed and published like local changes, never queued for this node's committer.
 */
import type { Publisher } from "../../lib/events";
import type { InstanceStatus, RegistryEvent, RoutedInstance } from "./routing";
import type { NormalizedUrl } from "./url";

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

/**
 * Rows changed since the last commit. `upserts` and `deletes` are registrations and removals (each
 * acknowledged only once committed); `health` are rows whose status or heartbeat alone changed, written
 * as an UPDATE that can never re-create a removed row. `undo` holds, per registered or removed id, the
 * row as last stored (null: never stored), for {@link InstanceTable.rollBack}. Upserts and health rows
 * are copies, as they were when taken: the live records may change while they are written.
 */
export interface PendingChanges {
  upserts: readonly InstanceRecord[];
  deletes: readonly string[];
  health: readonly InstanceRecord[];
  undo: ReadonlyMap<string, InstanceRecord | null>;
}

/**
 * How often a heartbeat alone (no status change) is written per instance when nothing else is set:
 * 10,000 instances heartbeating every 5 s are 2,000 heartbeats a second, and writing each would be
 * 2,000 row updates a second; at this interval they are ~170 (measured in bench/registry/README.md).
 */
export const HEARTBEAT_WRITE_MS = 60_000;

/** What the table decides about writing (times in ms). */
export interface InstanceTableOptions {
  /**
   * A heartbeat that only moves `lastHeartbeat` is written once it is at least this much newer than
   * the one stored (0: every heartbeat), so the stored heartbeat is less than this (plus one flush)
   * behind memory. Other nodes judge expiry by the stored one: config.ts keeps it well under the TTL.
   */
  heartbeatWriteMs?: number;
  /**
   * Told when a status change, registration or removal is queued for the committer. In cluster mode
   * it schedules a commit at once, so the other nodes learn within the feed's latency instead of the
   * interval flush's; unset on one node (today's write-behind).
   */
  onChangeQueued?: () => void;
  /**
   * Told when an instance is seen alive again without a status change (a heartbeat alone), local or
   * from another node's row. Separate from the published events on purpose: heartbeats are the
   * registry's most frequent change and only the event streams (event-streams.ts) want them, so the
   * proxy's and the log's subscribers never see them.
   */
  onHeartbeat?: (record: InstanceRecord) => void;
}

/** The instances in memory, indexed for the proxy and the API; every change is published and queued for the committer. */
export class InstanceTable {
  private readonly byId = new Map<string, InstanceRecord>();
  private readonly byUrl = new Map<string, InstanceRecord>();
  private readonly bySlug = new Map<string, SlugEntry>();
  /**
   * Registered or removed since the last commit, with the row as last stored (null: never stored).
   * Its first entry per id is kept, so it is also the undo log of a failed commit.
   */
  private durable = new Map<string, InstanceRecord | null>();
  /** Status or heartbeat changed since the last commit (write-behind). */
  private health = new Set<string>();
  /** The undo log of the changes being written (taken, neither committed nor rolled back yet). */
  private writing: ReadonlyMap<string, InstanceRecord | null> = new Map();
  /** Ids whose status this node changed since the last commit, and those in the commit being written. */
  private statusQueued = new Set<string>();
  private writingStatus: ReadonlySet<string> = new Set();
  /** Last heartbeat written (or loaded) per instance, to skip writes of heartbeat-only changes. */
  private readonly persistedHeartbeat = new Map<string, number | null>();

  private readonly heartbeatWriteMs: number;
  private readonly onChangeQueued: (() => void) | undefined;
  private readonly onHeartbeat: ((record: InstanceRecord) => void) | undefined;

  constructor(
    private readonly events: Publisher<RegistryEvent>,
    options: InstanceTableOptions = {},
  ) {
    this.heartbeatWriteMs = options.heartbeatWriteMs ?? HEARTBEAT_WRITE_MS;
    this.onChangeQueued = options.onChangeQueued;
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
    if (!this.durable.has(record.id)) this.durable.set(record.id, previous ?? null);
    if (previous) this.unindex(previous);
    this.index(record);
    this.publishRegistered(record, previous);
    this.onChangeQueued?.();
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
      const persisted = this.persistedHeartbeat.get(id) ?? null;
      if (persisted === null || record.lastHeartbeat! - persisted >= this.heartbeatWriteMs) this.health.add(id);
      if (heartbeatChanged) this.onHeartbeat?.(record);
      return;
    }
    this.health.add(id);
    this.statusQueued.add(id);
    record.status = status;
    this.invalidate(record.slug);
    this.events.publish({ type: "status", instance: routedOf(record), previous });
    this.onChangeQueued?.();
  }

  /** Removes an instance; returns it, or undefined when unknown. */
  remove(id: string, reason: "removed" | "expired"): InstanceRecord | undefined {
    const record = this.byId.get(id);
    if (!record) return undefined;
    if (!this.durable.has(id)) this.durable.set(id, record);
    this.unindex(record);
    this.health.delete(id);
    this.statusQueued.delete(id);
    this.events.publish({ type: "removed", instance: routedOf(record), reason });
    this.onChangeQueued?.();
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
   * - a registration or removal of `id` waiting for, or in, a commit: the row is ignored (returns false;
   *   the caller reads it again if that commit is rolled back);
   * - a status change (not a heartbeat alone) waiting for, or in, a commit: the local status is kept,
   *   the rest applied;
   * - `lastHeartbeat`: the larger of memory's and the row's (a heartbeat held back by the write
   *   interval, or seen here after the row was read, is not lost).
   * Callers must read rows in order (remote-changes.ts): applying an older read after a newer one
   * would go back in time.
   */
  applyStored(id: string, stored: InstanceRecord | undefined): boolean {
    if (this.durable.has(id) || this.writing.has(id)) return false;
    const current = this.byId.get(id);
    if (stored === undefined) {
      if (current === undefined) return true;
      this.unindex(current);
      this.health.delete(id);
      this.statusQueued.delete(id);
      this.persistedHeartbeat.delete(id);
      this.events.publish({ type: "removed", instance: routedOf(current), reason: "removed" });
      return true;
    }
    this.persistedHeartbeat.set(id, stored.lastHeartbeat);
    const unwritten = current !== undefined && (this.statusQueued.has(id) || this.writingStatus.has(id));
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

  /**
   * Whether a registration or removal of `id` waits for a commit (its acknowledgement must wait too):
   * `pending` for the next commit, `writing` in the commit being written, undefined when committed.
   */
  uncommitted(id: string): "pending" | "writing" | undefined {
    if (this.durable.has(id)) return "pending";
    return this.writing.has(id) ? "writing" : undefined;
  }

  /**
   * Hands over the rows changed since the last call; the caller writes them and then confirms with
   * {@link committed} or undoes with {@link rollBack}, before taking the next ones (one commit at a time).
   */
  takeChanges(): PendingChanges {
    const upserts: InstanceRecord[] = [];
    const deletes: string[] = [];
    const health: InstanceRecord[] = [];
    for (const id of this.durable.keys()) {
      const record = this.byId.get(id);
      if (record) upserts.push({ ...record });
      else deletes.push(id);
    }
    for (const id of this.health) {
      const record = this.byId.get(id);
      if (record && !this.durable.has(id)) health.push({ ...record });
    }
    const undo = this.durable;
    this.writing = undo;
    this.writingStatus = this.statusQueued;
    this.statusQueued = new Set();
    this.durable = new Map();
    this.health = new Set();
    return { upserts, deletes, health, undo };
  }

  /** Notes what a successful commit of `changes` wrote, so heartbeat-only writes can be skipped after it. */
  committed(changes: PendingChanges): void {
    this.writing = new Map();
    this.writingStatus = new Set();
    for (const record of changes.upserts) this.persistedHeartbeat.set(record.id, record.lastHeartbeat);
    for (const record of changes.health) this.persistedHeartbeat.set(record.id, record.lastHeartbeat);
    for (const id of changes.deletes) if (!this.byId.has(id)) this.persistedHeartbeat.delete(id);
  }

  /**
   * Undoes a batch whose commit failed, together with every registration and removal made while it
   * was written (pending for the next commit, whose waiters the committer refuses too): all go back to
   * the rows as stored, so memory, the proxy and storage agree again and the callers' 503 means
   * "nothing happened": a new instance disappears, a changed one gets its stored fields back, a
   * removed one returns. Health-only changes stay in memory and are retried by the next flush. Current
   * versions are unindexed before stored ones are indexed, because a batch may move a URL between ids.
   * Returns the ids put back (their rows as other nodes stored them meanwhile were ignored, so they
   * are worth reading again).
   */
  rollBack(changes: PendingChanges): string[] {
    // The failed batch's undo holds the stored row; a later change's holds the unstored version before it.
    const undo = new Map([...this.durable, ...changes.undo]);
    this.durable = new Map();
    this.writing = new Map();
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
        this.health.add(id); // its status and heartbeat in memory may be newer than the stored ones
        this.events.publish({ type: "registered", instance: routedOf(stored) });
      } else if (record) {
        this.events.publish({ type: "removed", instance: routedOf(record), reason: "removed" });
      }
    }
    for (const record of changes.health) if (this.byId.has(record.id)) this.health.add(record.id);
    for (const id of this.writingStatus) if (this.byId.has(id)) this.statusQueued.add(id);
    this.writingStatus = new Set();
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
