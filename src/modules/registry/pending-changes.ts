/**
 * @module The committer's bookkeeping of the instance table: which rows changed since the last commit,
 * which are being written, and the heartbeat each row has in storage. Separate from the table's
 * indexes (instance-table.ts) because it is a different idea with a different life: the indexes say
 * what is true now and serve the proxy on every request; this says what storage does not know yet,
 * lives from one commit to the next, and is read only by the committer (flusher.ts), by the durable
 * acknowledgements and by the reads of other nodes' rows. Registrations and removals are kept with the
 * row as last stored, so they can be committed before they are acknowledged and undone if the commit
 * fails; health as write-behind updates: a status change in the next flush, a heartbeat alone at most
 * once per write interval, so database writes grow with changes, not with heartbeats (contract §7).
 * What changes while a commit is written waits for the next commit. It indexes nothing and publishes
 * nothing: the table passes its rows (by id) when a commit is taken, confirmed or undone, and puts
 * undone rows back itself.
 */
import type { InstanceRecord } from "./instance-table";

/**
 * Rows changed since the last commit. `upserts` and `deletes` are registrations and removals (each
 * acknowledged only once committed); `health` are rows whose status or heartbeat alone changed, written
 * as an UPDATE that can never re-create a removed row. `undo` holds, per registered or removed id, the
 * row as last stored (null: never stored), for `InstanceTable.rollBack`. Upserts and health rows
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

/** What the log decides about writing (times in ms), and whom it tells of a queued change. */
export interface PendingChangeLogOptions {
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
}

/** The rows of the table, by id (the table's own index, read only). */
type Rows = ReadonlyMap<string, InstanceRecord>;

/** What storage does not know yet about the table's rows, from one commit to the next. */
export class PendingChangeLog {
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

  constructor(options: PendingChangeLogOptions = {}) {
    this.heartbeatWriteMs = options.heartbeatWriteMs ?? HEARTBEAT_WRITE_MS;
    this.onChangeQueued = options.onChangeQueued;
  }

  /** Notes the heartbeat of a row as storage holds it (loaded at start, or read from another node's commit). */
  stored(id: string, lastHeartbeat: number | null): void {
    this.persistedHeartbeat.set(id, lastHeartbeat);
  }

  /** Queues a registration of `id`; `stored` is the row it replaces (null: none), kept for the first change only. */
  registered(id: string, stored: InstanceRecord | null): void {
    if (!this.durable.has(id)) this.durable.set(id, stored);
    this.onChangeQueued?.();
  }

  /** Queues the removal of `record` (kept as the row to restore unless an earlier change holds one) and drops its health changes. */
  removed(record: InstanceRecord): void {
    if (!this.durable.has(record.id)) this.durable.set(record.id, record);
    this.health.delete(record.id);
    this.statusQueued.delete(record.id);
    this.onChangeQueued?.();
  }

  /** Queues a heartbeat alone, once it is a write interval newer than the stored one (or none is stored). */
  heartbeat(id: string, lastHeartbeat: number): void {
    const persisted = this.persistedHeartbeat.get(id) ?? null;
    if (persisted === null || lastHeartbeat - persisted >= this.heartbeatWriteMs) this.health.add(id);
  }

  /** Queues a status change made by this node (kept over other nodes' rows until written). */
  statusChanged(id: string): void {
    this.health.add(id);
    this.statusQueued.add(id);
    this.onChangeQueued?.();
  }

  /** Forgets everything about `id`, whose row another node removed from storage. */
  storedRemoved(id: string): void {
    this.health.delete(id);
    this.statusQueued.delete(id);
    this.persistedHeartbeat.delete(id);
  }

  /** Whether a registration or removal of `id` waits for, or is in, a commit. */
  holdsRegistration(id: string): boolean {
    return this.durable.has(id) || this.writing.has(id);
  }

  /** Whether a status change of `id` by this node waits for, or is in, a commit. */
  holdsStatus(id: string): boolean {
    return this.statusQueued.has(id) || this.writingStatus.has(id);
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
   * Hands over the changes of `rows` since the last call; the caller writes them and then confirms with
   * {@link committed} or undoes with `InstanceTable.rollBack`, before taking the next ones (one commit at a time).
   */
  take(rows: Rows): PendingChanges {
    const upserts: InstanceRecord[] = [];
    const deletes: string[] = [];
    const health: InstanceRecord[] = [];
    for (const id of this.durable.keys()) {
      const record = rows.get(id);
      if (record) upserts.push({ ...record });
      else deletes.push(id);
    }
    for (const id of this.health) {
      const record = rows.get(id);
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
  committed(changes: PendingChanges, rows: Rows): void {
    this.writing = new Map();
    this.writingStatus = new Set();
    for (const record of changes.upserts) this.persistedHeartbeat.set(record.id, record.lastHeartbeat);
    for (const record of changes.health) this.persistedHeartbeat.set(record.id, record.lastHeartbeat);
    for (const id of changes.deletes) if (!rows.has(id)) this.persistedHeartbeat.delete(id);
  }

  /**
   * First half of a rollback (see `InstanceTable.rollBack`): returns the rows as stored of the
   * failed batch and of every registration and removal made while it was written, and forgets both,
   * for the table to put back. The failed batch's undo holds the stored row; a later change's holds
   * the unstored version before it, so the batch's wins.
   */
  reopen(changes: PendingChanges): Map<string, InstanceRecord | null> {
    const undo = new Map([...this.durable, ...changes.undo]);
    this.durable = new Map();
    this.writing = new Map();
    return undo;
  }

  /**
   * Second half of a rollback, once the table put `undo`'s stored rows back: queues their health (their
   * status and heartbeat in memory may be newer than the stored ones) and again the failed batch's
   * health changes and status changes of rows still in `rows`.
   */
  requeue(undo: ReadonlyMap<string, InstanceRecord | null>, changes: PendingChanges, rows: Rows): void {
    for (const [id, stored] of undo) if (stored) this.health.add(id);
    for (const record of changes.health) if (rows.has(record.id)) this.health.add(record.id);
    for (const id of this.writingStatus) if (rows.has(id)) this.statusQueued.add(id);
    this.writingStatus = new Set();
  }
}
