/**
 * @module Keeps one kind of the EdgeTable (routes, redirects or certificates) equal to its table, on this
 * node and on the others (contract §7, §8). Every change — this node's committed save or delete, or
 * another node's announced by the change feed — names ids; they are read again by key and applied
 * through cluster/reread.ts (a row found replaces the entry, an id without one drops it; one read at a
 * time, so the last read of an id sees its latest row; a failed read retried after `retryMs`). A
 * change's promise settles once a read started after it was applied, so a saving request answers with
 * its rows in the table.
 */
import type { Logger } from "../../lib/log";
import { Reread } from "../cluster/reread";

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

/** Applies changes of one kind to the table, one read at a time; see the module comment. */
export class KindSync<T extends { id: string }> {
  private readonly reread: Reread<T>;

  constructor(source: KindSource<T>, log: Logger, retryMs = 1000) {
    this.reread = new Reread<T>({
      read: (ids) => source.read(ids),
      readAll: () => source.readAll(),
      held: () => source.current().keys(),
      apply: (ids, rows) => {
        const prior = source.current();
        const next = new Map(prior);
        for (const id of ids) next.delete(id);
        for (const row of rows) {
          const old = prior.get(row.id);
          next.set(row.id, old && source.same?.(old, row) ? old : row);
        }
        source.replace(next.values());
      },
      log,
      failed: `reading changed edge ${source.kind} failed; retrying`,
      recovered: `edge ${source.kind} changes applied again`,
      retryMs,
    });
  }

  /** These ids changed (here, committed, or on another node): read them again. Resolves once applied or failed (then retried). */
  changed(ids: readonly string[]): Promise<void> {
    return this.reread.changed(ids);
  }

  /** Reads every entry again (at start, and after the feed starts, for changes made in between). */
  resyncAll(): Promise<void> {
    return this.reread.resync();
  }

  /** Stops retrying and waits for a read in flight. */
  stop(): Promise<void> {
    return this.reread.stop();
  }
}
