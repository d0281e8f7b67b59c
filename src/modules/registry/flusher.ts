/**
 * @module The registry's committer: writes the instance table's pending changes to the database, one
 * transaction per commit and at most one commit at a time. Contract §4 "durable acknowledgements": a
 * registration or removal is answered 2xx only after the commit holding it. Each one waits for the
 * next commit, scheduled with setImmediate, so every request that changed the table in the same
 * event-loop turn shares one transaction (group commit); what changes while a commit is written
 * (the write is async, and on PostgreSQL takes round trips) waits for the one after it, which then
 * carries all of it. Health changes (status, heartbeat) are written behind: by whichever commit comes
 * next, at the latest by the interval flush, so a crash loses at most one interval of them (services
 * heartbeat again; the prober re-observes). In cluster mode a status change schedules a commit of its
 * own ({@link Flusher.commitSoon}), so the other nodes see it within the change feed's latency.
 */
import { notPersisted } from "./errors";
import { errorCodes } from "../../db/database";
import { DbCodes, dbUnavailable } from "../../db/errors";
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
  /** Told the ids a failed commit put back as stored (cluster mode: read them again, remote-changes.ts). */
  onRolledBack?: (ids: string[]) => void;
}

/** What the routes need: to wait until a registration or removal is committed. */
export interface Acknowledgements {
  whenCommitted(id: string): Promise<void> | undefined;
}

/** The commit being written: settled (its waiters answered) only once memory agrees with storage again. */
interface Writing {
  acknowledged: PromiseWithResolvers<void>;
  /** Settles when the commit is over, whatever its outcome; the next commit starts after it. */
  done: Promise<unknown>;
}

/** Commits the instance table: at once for registrations and removals (group commit), every interval and on stop for the rest. */
export class Flusher extends BackgroundJob implements Acknowledgements {
  /** Settled by the next commit; shared by every change made before it starts. */
  private next: PromiseWithResolvers<void> | undefined;
  private writing: Writing | undefined;
  private scheduled = false;

  constructor(private readonly o: FlusherOptions) {
    // One streak for the interval's commits and the group commits: an outage is a few lines, not one per commit.
    super({ name: "registry flush", intervalMs: o.intervalMs, log: o.log, failed: "registry commit failed; its registrations and removals were rolled back", recovered: "registry commits succeed again" });
  }

  /** Stops the interval, waits for the commit being written and writes what is still pending. */
  override async stop(): Promise<void> {
    await super.stop();
    await this.runOnce();
  }

  /**
   * Resolves once the pending registration or removal of `id` is committed; rejects with
   * {@link notPersisted} when its commit failed (503 `db.unavailable` when the database could not be
   * reached, contract §7). Undefined when nothing of `id` waits, e.g. a
   * heartbeat-only re-registration of a committed row, which may answer at once. A heartbeat of a row
   * whose registration is still uncommitted waits for that commit, or its 2xx could outlive a crash.
   */
  whenCommitted(id: string): Promise<void> | undefined {
    const state = this.o.table.uncommitted(id);
    if (state === "pending") return this.nextCommit();
    if (state === "writing") return this.writing!.acknowledged.promise;
    return undefined;
  }

  /** Schedules the next commit without waiting for it (a failure is logged by the commit itself). */
  commitSoon(): void {
    this.nextCommit().catch(() => {});
  }

  /** Settles when the commit being written, if any, is over, whatever its outcome. */
  async settled(): Promise<void> {
    await this.writing?.done;
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
   * Writes every pending change in one transaction (after the commit being written, if any) and
   * settles the waiters of those changes. On failure every registration and removal not yet committed
   * is rolled back in memory, its waiters get 503 and the error is rethrown; health changes stay
   * pending. Resolves to the number of rows written.
   */
  async runOnce(): Promise<number> {
    while (this.writing) await this.writing.done;
    // From here to the write, synchronously: what is taken and who waits for it are one set.
    const acknowledged = this.next ?? Promise.withResolvers<void>();
    acknowledged.promise.catch(() => {}); // nobody may be waiting (an interval flush of health only)
    this.next = undefined;
    const changes = this.o.table.takeChanges();
    const write = this.o.store.writeChanges(changes);
    const done = write.then(
      () => {
        this.o.table.committed(changes);
        acknowledged.resolve();
      },
      // After the current turn: every change made in it has its waiter by then, so the rollback
      // (which also undoes them) refuses each one instead of leaving one acknowledged and undone.
      (err: unknown) =>
        new Promise<void>((rolledBack) =>
          setImmediate(() => {
            const refusal = errorCodes(err).includes(DbCodes.unavailable) ? dbUnavailable : notPersisted;
            const restored = this.o.table.rollBack(changes);
            acknowledged.reject(refusal());
            this.next?.reject(refusal());
            this.next = undefined;
            this.o.onRolledBack?.(restored);
            rolledBack();
          }),
        ),
    );
    this.writing = { acknowledged, done };
    try {
      await done;
    } finally {
      if (this.writing?.done === done) this.writing = undefined;
    }
    await write; // rethrows the failure, once the rollback is done
    return changes.upserts.length + changes.deletes.length + changes.health.length;
  }

  private readonly commitScheduled = () => {
    this.scheduled = false;
    this.runOnce().then(
      () => this.job.failures.succeeded(),
      (err: unknown) => this.job.failures.failed(err),
    );
  };
}
