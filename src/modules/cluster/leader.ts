/**
 * @module Work done once per cluster (contract §7): a {@link Leader} per elected role (the sweeper)
 * says whether this node leads it, and starts and stops the jobs that run only while it does.
 *
 * On PostgreSQL the leader holds a session advisory lock (`pg_try_advisory_lock`) keyed by
 * OB_DB_PREFIX and the role, so two prefixes in one database elect two leaders. The lock lives exactly
 * as long as the session holding it, so it sits on a reserved connection of its own: a reserved handle
 * never reconnects silently (after a loss every query on it fails), whereas a pool would hand the next
 * query a fresh session that holds nothing. Each run pings that session under a deadline; a failure
 * steps down at once and opens a new session next run. When the holder dies (kill -9, a lost host) the
 * server ends its session and another node takes the lock on its next run — about one interval. A
 * holder cut off from the server steps down within one interval plus the deadline, before the server
 * (TCP keepalives, src/db/postgres.ts) lets anyone else in, so two leaders never overlap.
 *
 * On SQLite there is one node: it always leads, with no lock and no job.
 */
import { SQL } from "bun";
import type { Config } from "../../config";
import { poolOptions } from "../../db/postgres";
import { BackgroundJob } from "../../lib/background-job";
import type { Clock } from "../../lib/clock";
import type { JobStatus } from "../../lib/interval-job";
import type { Logger } from "../../lib/log";

/** A database session on which the role's lock is taken; the lock ends with the session. */
export interface LockSession {
  /** Takes the lock if it is free: true when this session holds it now. */
  tryLock(): Promise<boolean>;
  /** Resolves when the session (and so the lock) is still alive; throws otherwise. */
  ping(): Promise<void>;
  /** Ends the session, releasing the lock if held. Never throws. */
  close(): Promise<void>;
}

/** Opens a fresh {@link LockSession} (throws when the database cannot be reached). */
export type OpenLockSession = () => Promise<LockSession>;

/** A job run only while this node leads its role. */
export interface LedJob {
  start(): void;
  stop(): Promise<void>;
}

export interface LeaderOptions {
  /** The elected role (part of the lock key and of log lines), e.g. "sweeper". */
  role: string;
  clock: Clock;
  log: Logger;
  /** How often the lock is tried (follower) or the session pinged (leader): the take-over time. */
  intervalMs?: number;
  /** Sessions for the lock; absent on a single node (SQLite), which always leads. */
  openSession?: OpenLockSession;
}

/** How often a node tries the lock or checks it still holds it. */
const LEADER_INTERVAL_MS = 1000;
/** Longest a connect, lock attempt or ping may take before the session counts as lost. */
const SESSION_DEADLINE_MS = 2000;

/** Whether this node leads `role`, and the jobs that follow it (a background job on PostgreSQL). */
export class Leader extends BackgroundJob {
  private session: LockSession | undefined;
  private since: number | undefined;
  private readonly followers: LedJob[] = [];

  constructor(private readonly o: LeaderOptions) {
    super({ name: `${o.role} leader election`, intervalMs: o.intervalMs ?? LEADER_INTERVAL_MS, log: o.log });
  }

  /** Whether this node leads the role now. */
  get leading(): boolean {
    return this.since !== undefined;
  }

  /** Clock time this node became leader (undefined while it follows). */
  get leadingSince(): number | undefined {
    return this.since;
  }

  /** Runs `job` only while this node leads: started on election (at once if leading), stopped on stepping down. */
  runWhileLeading(job: LedJob): void {
    this.followers.push(job);
    if (this.leading) job.start();
  }

  /** For readiness: the election job on PostgreSQL; nothing on a single node. */
  jobs(): JobStatus[] {
    return this.o.openSession ? [this.job.status()] : [];
  }

  /** Leads at once on a single node; on PostgreSQL tries the lock once (awaited), then every interval. */
  override async start(): Promise<void> {
    if (!this.o.openSession) return this.elect();
    await this.runOnce();
    super.start();
  }

  /** Stops trying, steps down (stopping the followers) and ends the session, so another node takes over at once. */
  override async stop(): Promise<void> {
    await super.stop();
    await this.stepDown();
  }

  /** One run: a follower tries the lock, the leader pings its session; a failure steps down. Answers `leading`. */
  async runOnce(): Promise<boolean> {
    if (!this.o.openSession) {
      this.elect();
      return true;
    }
    try {
      this.session ??= await this.o.openSession();
      if (this.leading) await this.session.ping();
      else if (await this.session.tryLock()) this.elect();
    } catch (err) {
      if (this.leading) this.o.log.warn("leader session lost, stepping down", { role: this.o.role, error: String(err) });
      await this.stepDown();
    }
    return this.leading;
  }

  private elect(): void {
    if (this.leading) return;
    this.since = this.o.clock.now();
    if (this.o.openSession) this.o.log.info("leading", { role: this.o.role });
    for (const job of this.followers) job.start();
  }

  private async stepDown(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (this.leading) {
      this.since = undefined;
      this.o.log.info("stepped down", { role: this.o.role });
      for (const job of this.followers) await job.stop();
    }
    await session?.close();
  }
}

/** The leader of `role` for this configuration: a lock on PostgreSQL, always leading on SQLite. */
export function createLeader(config: Config, role: string, deps: { clock: Clock; log: Logger }, intervalMs?: number): Leader {
  const openSession =
    config.dbKind === "postgres" ? postgresLockSession({ url: config.dbConnectionString!, key: `1backend:leader:${config.dbPrefix}:${role}` }) : undefined;
  return new Leader({ role, ...deps, intervalMs, openSession });
}

/**
 * Sessions on a client of their own (one connection, reserved): the lock must not share a session
 * with pool queries, and the reserved handle fails instead of reconnecting when the session is lost.
 * The key is hashed by the server (`hashtextextended`, 64 bits), the same on every node.
 */
export function postgresLockSession(o: { url: string; key: string; deadlineMs?: number }): OpenLockSession {
  const ms = o.deadlineMs ?? SESSION_DEADLINE_MS;
  return async () => {
    const client = new SQL(poolOptions(o.url, ms, 1));
    const close = async () => {
      await within(client.close({ timeout: 0 }), ms).catch(() => undefined);
    };
    try {
      const reserved = await within(client.reserve(), ms);
      return {
        tryLock: async () => {
          const [row] = (await within(reserved`SELECT pg_try_advisory_lock(hashtextextended(${o.key}, 0)) AS locked`, ms)) as { locked: boolean }[];
          return row?.locked === true;
        },
        ping: async () => void (await within(reserved`SELECT 1`, ms)),
        close: async () => {
          // Unlock explicitly: the server frees a closed session's locks only once its backend has
          // exited, a moment after the socket closes, and a graceful stop must hand over at once.
          await within(reserved`SELECT pg_advisory_unlock_all()`, ms).catch(() => undefined);
          try {
            reserved.release();
          } catch {
            // a lost session may refuse the release; closing the client ends it either way
          }
          await close();
        },
      };
    } catch (err) {
      await close();
      throw err;
    }
  };
}

/** `work`, or a rejection after `ms` (a frozen or cut-off server never answers). */
async function within<T>(work: PromiseLike<T>, ms: number): Promise<T> {
  let timer: Timer | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
