/**
 * @module Re-reading the rows that changed (contract §7): the one mechanism behind every in-memory
 * view kept equal to its table across nodes (registry instances, permits, the edge kinds). A change
 * names ids; their rows are read again by key and applied (a row found replaces the entry, an id
 * without one drops it), so a repeated or late delivery ends at what the table holds now, whatever
 * order deliveries come in, with no version bookkeeping.
 *
 * Reads run one at a time and never reorder: each starts after the previous one was applied, so it
 * sees everything the previous one saw. Ids arriving meanwhile wait for the next read (up to
 * {@link REREAD_CHUNK} per read), and the promise a caller gets settles only once a read that started
 * after its call was applied or failed — so a writer that awaits it after its commit finds its rows in
 * memory. A full re-read (at start) reads every row and drops what is held but no longer stored. A
 * failed read (the database is unavailable) keeps its ids and is tried again after `retryMs`; the
 * outage is logged through lib/failure-log.ts.
 *
 * What differs between consumers is a hook each: `beforeRead` (the registry waits for its own commit
 * in flight, so an id the read skips is one that commit writes after it) and {@link Reread.writtenHere}
 * (the permit index takes this node's writes at once, so a read in flight must not undo them).
 */
import { FailureLog } from "../../lib/failure-log";
import type { Logger } from "../../lib/log";

/** Ids per read: well below both dialects' bound-parameter limits. */
export const REREAD_CHUNK = 500;

/** Where a consumer's rows come from and where they go. */
export interface RereadOptions<T extends { id: string }> {
  /** The stored rows of these ids (those that exist). */
  read(ids: string[]): Promise<T[]>;
  /** Every stored row. */
  readAll(): Promise<T[]>;
  /** The ids held in memory now: a full re-read drops those not stored. */
  held(): Iterable<string>;
  /** Applies one read: every id in `ids` ends as its row in `rows`, or gone if it has none. */
  apply(ids: ReadonlySet<string>, rows: readonly T[]): void;
  /** Awaited before each read; the read's ids are taken and its query started right after, synchronously. */
  beforeRead?: () => Promise<void>;
  log: Logger;
  /** The failure-log lines of this consumer: `failed` (warn) and `recovered` (info). */
  failed: string;
  recovered: string;
  /** Wait before a failed read is tried again (ms, default 1,000). */
  retryMs?: number;
}

/** Re-reads changed ids one read at a time and applies them; see the module comment. */
export class Reread<T extends { id: string }> {
  private pending = new Set<string>();
  /** A full re-read is due. */
  private everything = false;
  /** The run in flight; cleared in the same turn its loop ends, so a later call starts a new one. */
  private running: Promise<void> | undefined;
  private active = false;
  /** A read was asked for (ids or a full re-read) since the read in flight started. */
  private asked = false;
  /** Ids this node wrote while a read was in flight (undefined while none is). */
  private written: Set<string> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly failures: FailureLog;
  private stopped = false;

  constructor(private readonly o: RereadOptions<T>) {
    this.failures = new FailureLog({ log: o.log, failed: o.failed, recovered: o.recovered });
  }

  /** These ids changed (here, committed, or on another node). Settles once a read started after this call is applied or failed. */
  changed(ids: readonly string[]): Promise<void> {
    if (this.stopped) return Promise.resolve();
    for (const id of ids) this.pending.add(id);
    this.asked = true;
    return this.drain();
  }

  /** Reads every row again (at start, and once the feed is followed, for changes made in between). */
  resync(): Promise<void> {
    this.everything = true;
    this.asked = true;
    return this.drain();
  }

  /** This node wrote these ids itself (committed, already in memory): a read in flight leaves them alone. */
  writtenHere(ids: Iterable<string>): void {
    if (!this.written) return;
    for (const id of ids) this.written.add(id);
  }

  /** Reads what is pending now, or joins the run in flight; settles when it ends (applied, or failed and retried later). */
  drain(): Promise<void> {
    if (this.running) return this.running;
    const run = this.run();
    // A run with nothing to read ends synchronously: keep only one still going.
    if (this.active) this.running = run;
    return run;
  }

  /** The run in flight, if any (settled at once when none is). */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** No more reads or retries; waits for the read in flight (its rows are not applied). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.running;
  }

  private async run(): Promise<void> {
    this.active = true;
    try {
      while (!this.stopped && (this.everything || this.pending.size > 0)) {
        if (this.o.beforeRead) await this.o.beforeRead();
        if (!(await this.readOnce())) return;
      }
    } finally {
      this.active = false;
      this.running = undefined;
    }
  }

  /** One read and its apply; false when it failed and waits for its retry. */
  private async readOnce(): Promise<boolean> {
    // From here to the query, synchronously: what `beforeRead` waited for cannot start in between.
    const everything = this.everything;
    const ids = everything ? [...this.pending] : [...this.pending].slice(0, REREAD_CHUNK);
    this.everything = false;
    for (const id of ids) this.pending.delete(id);
    this.asked = false;
    const written = (this.written = new Set());
    let rows: T[];
    try {
      rows = everything ? await this.o.readAll() : await this.o.read(ids);
    } catch (err) {
      this.everything ||= everything;
      // Back in front: they were asked for before what arrived during the read.
      this.pending = new Set([...ids, ...this.pending]);
      this.failures.failed(err);
      // A call made after this read began gets an attempt of its own; otherwise wait for the retry.
      if (this.asked) return true;
      this.retryLater();
      return false;
    } finally {
      this.written = undefined;
    }
    if (this.stopped) return false;
    const keys = new Set(ids);
    if (everything) {
      for (const id of this.o.held()) keys.add(id);
      for (const row of rows) keys.add(row.id);
    }
    for (const id of written) keys.delete(id);
    this.o.apply(keys, written.size > 0 ? rows.filter((row) => !written.has(row.id)) : rows);
    this.failures.succeeded();
    return true;
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, this.o.retryMs ?? 1000);
    this.retryTimer.unref?.();
  }
}
