/**
 * @module Keeps this node's permit index in step with the permits other nodes save and delete (contract
 * §7). The change feed names the changed permit ids; they are read again by key and applied (a row
 * found is upserted, an id without one dropped), so a repeated or late delivery ends at what the table
 * holds now, whatever order the deliveries came in. Reads run one at a time, so a later read is never
 * overtaken by an earlier one, and ids arriving meanwhile are read together by the next.
 *
 * This node's own saves and deletes go straight into the index as they commit (they take effect at
 * once, no read). A read in flight while such a write lands may have seen the table before it, so the
 * ids written meanwhile are left as the write put them: the write is at least as new, and a later change
 * elsewhere comes through the feed again. A read that fails (database unreachable) is retried after
 * `retryMs`, keeping its ids. On one SQLite node nothing is ever delivered, and this does nothing.
 */
import { FailureLog } from "../../../lib/failure-log";
import type { Logger } from "../../../lib/log";
import type { PermitIndex } from "./permit-index";
import type { PermitRow } from "./wire";

/** What the sync reads and where it applies. */
export interface PermitSyncDeps {
  index: PermitIndex;
  /** The stored rows of these permit ids (those that exist). */
  read(ids: string[]): Promise<PermitRow[]>;
  /** Every stored permit. */
  readAll(): Promise<PermitRow[]>;
  log: Logger;
  /** Wait before a failed read is tried again (ms). */
  retryMs?: number;
}

/** Ids per read: well below both dialects' bound-parameter limits. */
const READ_CHUNK = 500;

/** Applies other nodes' permit changes to the index, one read at a time; see the module comment. */
export class PermitSync {
  private readonly pending = new Set<string>();
  /** A full re-read is due (at start, to cover changes made before the feed was followed). */
  private everything = false;
  /** Ids this node wrote while a read was in flight (undefined while none is). */
  private writtenDuringRead: Set<string> | undefined;
  private draining: Promise<void> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly failures: FailureLog;
  private stopped = false;

  constructor(private readonly d: PermitSyncDeps) {
    this.failures = new FailureLog({ log: d.log, failed: "reading permits changed on other nodes failed; retrying", recovered: "permit changes of other nodes applied again" });
  }

  /** The feed's consumer: permits other nodes saved or deleted. */
  changedElsewhere(ids: readonly string[]): void {
    for (const id of ids) this.pending.add(id);
    void this.drain();
  }

  /** This node saved these permits (committed): they take effect at once. */
  savedHere(rows: readonly PermitRow[]): void {
    this.d.index.upsert(rows);
    for (const row of rows) this.writtenDuringRead?.add(row.id);
  }

  /** This node deleted these permits (committed). */
  deletedHere(ids: readonly string[]): void {
    this.d.index.removeIds(ids);
    for (const id of ids) this.writtenDuringRead?.add(id);
  }

  /** Re-reads every permit (queued behind reads in flight); resolves once applied or failed (then retried). */
  resyncAll(): Promise<void> {
    this.everything = true;
    return this.drain();
  }

  /** Resolves once every change delivered so far is applied, or its read failed (and is retried later). */
  settled(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  /** Stops retrying and waits for a read in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.draining;
  }

  private drain(): Promise<void> {
    this.draining ??= this.run().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async run(): Promise<void> {
    while (!this.stopped && (this.everything || this.pending.size > 0)) {
      const everything = this.everything;
      const ids = everything ? [] : [...this.pending].slice(0, READ_CHUNK);
      this.everything = false;
      if (everything) this.pending.clear();
      else for (const id of ids) this.pending.delete(id);
      const written = (this.writtenDuringRead = new Set<string>());
      let rows: PermitRow[];
      try {
        rows = everything ? await this.d.readAll() : await this.d.read(ids);
      } catch (err) {
        if (everything) this.everything = true;
        for (const id of ids) this.pending.add(id);
        this.retryLater(err);
        return;
      } finally {
        this.writtenDuringRead = undefined;
      }
      const keys = new Set(everything ? [...this.d.index.ids(), ...rows.map((r) => r.id)] : ids);
      for (const id of written) keys.delete(id);
      this.d.index.applyStored(keys, written.size > 0 ? rows.filter((r) => !written.has(r.id)) : rows);
      this.failures.succeeded();
    }
  }

  private retryLater(err: unknown): void {
    // A few lines per outage, not one per retry.
    this.failures.failed(err);
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, this.d.retryMs ?? 1000);
    this.retryTimer.unref?.();
  }
}
