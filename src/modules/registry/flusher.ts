/**
 * @module The registry's committer: writes the instance table's pending changes to SQLite, one
 * transaction per commit. Contract §4 "durable acknowledgements": a registration or removal is
 * answered 2xx only after its commit. Each one waits for the next commit, scheduled with setImmediate,
 * so every request that changed the table in the same event-loop turn shares one transaction (group
 * commit). bun:sqlite commits synchronously, so no change can slip in while a commit runs; batching
 * comes from many requests awaiting the same commit. Health changes (status, heartbeat) are written
 * behind: by whichever commit comes next, at the latest by the interval flush, so a crash loses at
 * most one interval of them (services heartbeat again; the prober re-observes).
 */
import { notPersisted } from "./errors";
import type { Logger } from "../../lib/log";
import type { InstanceTable } from "./instance-table";
import { BackgroundJob } from "../../lib/background-job";
import type { RegistryStore } from "./store";

/** The table to commit, where to, and how often health changes are written behind (ms). */
export interface FlusherOptions {
  table: InstanceTable;
  store: RegistryStore;
  intervalMs: number;
  log: Logger;
}

/** What the routes need: to wait until a registration or removal is committed. */
export interface Acknowledgements {
  whenCommitted(id: string): Promise<void> | undefined;
}

/** Commits the instance table: at once for registrations and removals (group commit), every interval and on stop for the rest. */
export class Flusher extends BackgroundJob implements Acknowledgements {
  /** Settled by the next commit; shared by every change made before it starts. */
  private next: PromiseWithResolvers<void> | undefined;
  private scheduled = false;

  constructor(private readonly o: FlusherOptions) {
    super({ name: "registry flush", intervalMs: o.intervalMs, log: o.log });
  }

  /** Stops the interval and writes what is still pending. */
  override async stop(): Promise<void> {
    await super.stop();
    this.runOnce();
  }

  /**
   * Resolves once the pending registration or removal of `id` is committed; rejects with
   * {@link notPersisted} when its commit failed. Undefined when nothing of `id` waits, e.g. a
   * heartbeat-only re-registration of a committed row, which may answer at once. A heartbeat of a row
   * whose registration is still uncommitted waits for that commit, or its 2xx could outlive a crash.
   */
  whenCommitted(id: string): Promise<void> | undefined {
    return this.o.table.hasUncommitted(id) ? this.nextCommit() : undefined;
  }

  /** The next commit, scheduled after the current event-loop turn so concurrent requests join it. */
  nextCommit(): Promise<void> {
    this.next ??= Promise.withResolvers<void>();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.commitScheduled);
    }
    return this.next.promise;
  }

  /**
   * Writes every pending change now, in one transaction, and settles the waiters of those changes.
   * On failure the registrations and removals are rolled back in memory, their waiters get 503 and the
   * error is rethrown; health changes stay pending. Returns the number of rows written.
   */
  runOnce(): number {
    const waiting = this.next;
    this.next = undefined;
    const changes = this.o.table.takeChanges();
    try {
      this.o.store.writeChanges(changes);
    } catch (err) {
      this.o.table.rollBack(changes);
      waiting?.reject(notPersisted());
      throw err;
    }
    this.o.table.committed(changes);
    waiting?.resolve();
    return changes.upserts.length + changes.deletes.length + changes.health.length;
  }

  private readonly commitScheduled = () => {
    this.scheduled = false;
    try {
      this.runOnce();
    } catch (err) {
      this.o.log.error("registry commit failed; its registrations and removals were rolled back", { error: String(err) });
    }
  };
}
