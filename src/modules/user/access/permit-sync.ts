/**
 * @module Keeps this node's permit index in step with the permits other nodes save and delete (contract
 * §7). The change feed names the changed permit ids; they are read again by key and applied (a row
 * found is upserted, an id without one dropped) through cluster/reread.ts: one read at a time, in
 * order, retried after `retryMs` while the database is unreachable.
 *
 * This node's own saves and deletes go straight into the index as they commit (they take effect at
 * once, no read). A read in flight while such a write lands may have seen the table before it, so the
 * ids written meanwhile are left as the write put them (Reread.writtenHere): the write is at least as
 * new, and a later change elsewhere comes through the feed again. On one SQLite node nothing is ever
 * delivered, and this does nothing.
 */
import type { Logger } from "../../../lib/log";
import { Reread } from "../../cluster/reread";
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

/** Applies other nodes' permit changes to the index, one read at a time; see the module comment. */
export class PermitSync {
  private readonly reread: Reread<PermitRow>;

  constructor(private readonly d: PermitSyncDeps) {
    this.reread = new Reread<PermitRow>({
      read: d.read,
      readAll: d.readAll,
      held: () => d.index.ids(),
      apply: (ids, rows) => d.index.applyStored(ids, rows),
      log: d.log,
      failed: "reading permits changed on other nodes failed; retrying",
      recovered: "permit changes of other nodes applied again",
      retryMs: d.retryMs,
    });
  }

  /** The feed's consumer: permits other nodes saved or deleted. */
  changedElsewhere(ids: readonly string[]): void {
    void this.reread.changed(ids);
  }

  /** This node saved these permits (committed): they take effect at once. */
  savedHere(rows: readonly PermitRow[]): void {
    this.d.index.upsert(rows);
    this.reread.writtenHere(rows.map((row) => row.id));
  }

  /** This node deleted these permits (committed). */
  deletedHere(ids: readonly string[]): void {
    this.d.index.removeIds(ids);
    this.reread.writtenHere(ids);
  }

  /** Re-reads every permit (queued behind reads in flight); resolves once applied or failed (then retried). */
  resyncAll(): Promise<void> {
    return this.reread.resync();
  }

  /** Resolves once every change delivered so far is applied, or its read failed (and is retried later). */
  settled(): Promise<void> {
    return this.reread.settled();
  }

  /** Stops retrying and waits for a read in flight. */
  stop(): Promise<void> {
    return this.reread.stop();
  }
}
