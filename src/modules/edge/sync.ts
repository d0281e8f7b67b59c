/**
 * @module Keeps one kind of the EdgeTable (routes, redirects or certificates) equal to its table, on this
 * node and on the others (contract §7, §8; the pattern of user/access/permit-sync.ts). Every change —
 * this node's committed save or delete, or another node's announced by the change feed — names ids;
 * they are read again by key and applied (a row found replaces the entry, an id without one drops it).
 * Reads run one at a time and each starts after the change that asked for it committed, so whatever
 * order changes and deliveries come in, the last read of an id sees its latest row: the table ends at
 * what the database holds, with no version bookkeeping. A failed read (database unreachable) keeps its
 * ids and is retried after `retryMs`.
 */
import type { Logger } from "../../lib/log";

/** One kind of entry of the table, as the sync reads and applies it. */
export interface KindSource<T extends { id: string }> {
  /** What the log calls it ("routes"). */
  kind: string;
  /** The stored entries of these ids (those that exist). */
  read(ids: string[]): Promise<T[]>;
  /** Every stored entry. */
  readAll(): Promise<T[]>;
  /** The entries in the table now. */
  current(): ReadonlyMap<string, T>;
  /** Replaces the table's entries of this kind (the table announces the change). */
  replace(entries: Iterable<T>): void;
  /** Whether `next` may keep the object of `prior` (unchanged), so listeners can tell what changed by identity. */
  same?(prior: T, next: T): boolean;
}

/** Ids per read: well below both dialects' bound-parameter limits. */
const READ_CHUNK = 500;

/** Applies changes of one kind to the table, one read at a time; see the module comment. */
export class KindSync<T extends { id: string }> {
  private readonly pending = new Set<string>();
  private everything = false;
  private draining: Promise<void> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failing = false;
  private stopped = false;

  constructor(
    private readonly source: KindSource<T>,
    private readonly log: Logger,
    private readonly retryMs = 1000,
  ) {}

  /** These ids changed (here, committed, or on another node): read them again. Resolves once applied or failed (then retried). */
  changed(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.pending.add(id);
    return this.drain();
  }

  /** Reads every entry again (at start, and after the feed starts, for changes made in between). */
  resyncAll(): Promise<void> {
    this.everything = true;
    return this.drain();
  }

  /** Stops retrying and waits for a read in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.draining;
  }

  private drain(): Promise<void> {
    // A read in flight may have started before the change now asked for: queue behind it, never join it.
    const queued = (this.draining ?? Promise.resolve()).then(() => this.run());
    this.draining = queued.finally(() => {
      if (this.draining === tail) this.draining = undefined;
    });
    const tail = this.draining;
    return tail;
  }

  private async run(): Promise<void> {
    while (!this.stopped && (this.everything || this.pending.size > 0)) {
      const everything = this.everything;
      const ids = everything ? [] : [...this.pending].slice(0, READ_CHUNK);
      this.everything = false;
      if (everything) this.pending.clear();
      else for (const id of ids) this.pending.delete(id);
      let rows: T[];
      try {
        rows = everything ? await this.source.readAll() : await this.source.read(ids);
      } catch (err) {
        if (everything) this.everything = true;
        for (const id of ids) this.pending.add(id);
        this.retryLater(err);
        return;
      }
      this.apply(everything, ids, rows);
      if (this.failing) this.log.info(`edge ${this.source.kind} changes applied again`);
      this.failing = false;
    }
  }

  private apply(everything: boolean, ids: string[], rows: T[]): void {
    const prior = this.source.current();
    const next = new Map(everything ? [] : prior);
    for (const id of ids) next.delete(id);
    for (const row of rows) {
      const old = prior.get(row.id);
      next.set(row.id, old && this.source.same?.(old, row) ? old : row);
    }
    this.source.replace(next.values());
  }

  private retryLater(err: unknown): void {
    if (!this.failing) this.log.warn(`reading changed edge ${this.source.kind} failed; retrying`, { error: String(err) });
    this.failing = true;
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, this.retryMs);
    this.retryTimer.unref?.();
  }
}
