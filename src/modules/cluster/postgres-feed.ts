/**
 * @module The change feed on PostgreSQL: rows in `<prefix>cluster_feed` written in the change's
 * transaction with a `pg_notify` (delivered on commit, dropped on rollback; the payload is empty, the
 * rows are the news). Each node LISTENs on `<prefix>cluster_feed`, and on every notification, every
 * (re)subscription of the listener connection (Bun re-makes it with backoff) and every fallback poll
 * (`runOnce`, ~500 ms) reads the rows past the last id it applied, so a lost notification costs at
 * most one poll interval. Old rows are trimmed by age, by whichever node gets there (idempotent).
 *
 * Ids are taken when a transaction inserts, not when it commits, so a row may appear below one
 * already read (a slower transaction). Ids skipped over are kept as gaps and read again until they
 * appear or are older than any transaction can be (the batch deadline is 10 s): a change is never
 * missed because a later one committed first. Deliveries may repeat; consumers are idempotent.
 */
import { asc, gt, inArray, lt, or, sql } from "drizzle-orm";
import type { Database, Db, PendingQuery } from "../../db/database";
import { BackgroundJob } from "../../lib/background-job";
import { FailureLog } from "../../lib/failure-log";
import type { Clock } from "../../lib/clock";
import { newId } from "../../lib/ids";
import type { Logger } from "../../lib/log";
import type { ChangeFeed, FeedConsumer } from "./feed";

export interface PostgresFeedOptions {
  database: Database;
  /** The opened database's LISTEN (postgres.ts). */
  listen(channel: string, onNotify: (payload: string) => void, onListen: () => void): Promise<{ unlisten(): Promise<void> }>;
  /** OB_DB_PREFIX: the channel is the prefixed table's name, so clusters sharing a database stay apart. */
  prefix: string;
  clock: Clock;
  log: Logger;
  /** Fallback poll (ms). */
  pollMs?: number;
  /** Rows older than this are trimmed (ms). */
  keepMs?: number;
}

/** Rows per read and per insert statement. */
const PAGE = 1000;
/** A skipped id is looked for this long: longer than any transaction lives (batch deadline 10 s). */
const GAP_MS = 30_000;
/** More skipped ids than this at once are not tracked (a jump after a trim or a restore, not transactions in flight). */
const MAX_GAP = 10_000;
/** How often a node trims. */
const TRIM_EVERY_MS = 30_000;

/** The feed every node of one PostgreSQL cluster follows. */
export class PostgresFeed extends BackgroundJob implements ChangeFeed {
  /** This process: rows it wrote are skipped when read back (its own views changed already). */
  readonly origin = newId("node");
  readonly channel: string;
  private readonly consumers = new Map<string, FeedConsumer[]>();
  /** Highest id read. */
  private high = 0;
  /** Ids below `high` not seen yet → when first missed. */
  private readonly gaps = new Map<number, number>();
  private started = false;
  private subscription: { unlisten(): Promise<void> } | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private lastTrimAt = 0;
  private readonly readFailures: FailureLog;

  constructor(private readonly o: PostgresFeedOptions) {
    super({ name: "change-feed", intervalMs: o.pollMs ?? 500, log: o.log });
    this.channel = `${o.prefix}cluster_feed`;
    this.readFailures = new FailureLog({ log: o.log, clock: o.clock, failed: "change feed read failed; retrying", recovered: "change feed reachable again" });
  }

  record(db: Db, topic: string, keys: readonly string[]): readonly PendingQuery[] {
    if (keys.length === 0) return [];
    const f = this.o.database.tables.clusterFeed;
    const createdAt = this.o.clock.now();
    const queries: PendingQuery[] = [];
    for (let i = 0; i < keys.length; i += PAGE) {
      queries.push(db.insert(f).values(keys.slice(i, i + PAGE).map((key) => ({ topic, key, origin: this.origin, createdAt }))));
    }
    queries.push(db.execute(sql`select pg_notify(${this.channel}, '')`));
    return queries;
  }

  subscribe(topic: string, consumer: FeedConsumer): void {
    const list = this.consumers.get(topic) ?? [];
    list.push(consumer);
    this.consumers.set(topic, list);
  }

  /** Reads where the feed ends, LISTENs (each (re)subscription catches up) and starts the fallback poll. */
  override async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.begin();
    this.subscription = await this.o.listen(this.channel, () => void this.catchUp(), () => void this.catchUp());
    super.start();
  }

  override async stop(): Promise<void> {
    this.started = false;
    await super.stop();
    await this.subscription?.unlisten().catch(() => undefined);
    this.subscription = undefined;
    await this.reading?.catch(() => undefined);
  }

  /** The fallback poll: a catch-up, and now and then a trim. */
  async runOnce(): Promise<void> {
    await this.catchUp();
    const now = this.o.clock.now();
    if (now - this.lastTrimAt >= TRIM_EVERY_MS) {
      this.lastTrimAt = now;
      await this.trim(now).catch((err: unknown) => this.o.log.warn("change feed trim failed", { error: String(err) }));
    }
  }

  /** Deletes the rows older than the keep time (any node may; deleting twice deletes nothing). */
  async trim(now = this.o.clock.now()): Promise<void> {
    const f = this.o.database.tables.clusterFeed;
    await this.o.database.db.delete(f).where(lt(f.createdAt, now - (this.o.keepMs ?? 600_000)));
  }

  /** Reads and delivers what is new; concurrent calls share one read (and one more after it). */
  catchUp(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          await this.readNew();
        } while (this.again);
        this.readFailures.succeeded();
      } catch (err) {
        // The next poll tries again; a few lines per outage, not one per poll.
        this.readFailures.failed(err);
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  /** Where the feed ends now (a new node has no views to correct), with the recent ids not visible yet as gaps. */
  private async begin(): Promise<void> {
    const f = this.o.database.tables.clusterFeed;
    const [last] = await this.o.database.db.select({ id: sql<number>`coalesce(max(${f.id}), 0)`.mapWith(Number) }).from(f);
    const end = last?.id ?? 0;
    const recent = await this.o.database.db.select({ id: f.id }).from(f).where(gt(f.id, end - 256));
    const present = new Set(recent.map((r) => r.id));
    const now = this.o.clock.now();
    for (let id = Math.max(1, end - 255); id < end; id++) if (!present.has(id)) this.gaps.set(id, now);
    this.high = end;
  }

  private async readNew(): Promise<void> {
    const f = this.o.database.tables.clusterFeed;
    const now = this.o.clock.now();
    for (const [id, since] of this.gaps) if (now - since > GAP_MS) this.gaps.delete(id);
    for (;;) {
      const gapIds = [...this.gaps.keys()];
      const where = gapIds.length > 0 ? or(gt(f.id, this.high), inArray(f.id, gapIds)) : gt(f.id, this.high);
      const rows = await this.o.database.db
        .select({ id: f.id, topic: f.topic, key: f.key, origin: f.origin })
        .from(f)
        .where(where)
        .orderBy(asc(f.id))
        .limit(PAGE);
      const byTopic = new Map<string, string[]>();
      for (const row of rows) {
        if (row.id <= this.high) {
          if (!this.gaps.delete(row.id)) continue; // read before
        } else {
          if (row.id - this.high - 1 <= MAX_GAP) for (let id = this.high + 1; id < row.id; id++) this.gaps.set(id, now);
          this.high = row.id;
        }
        if (row.origin === this.origin) continue;
        const keys = byTopic.get(row.topic);
        if (keys) keys.push(row.key);
        else byTopic.set(row.topic, [row.key]);
      }
      for (const [topic, keys] of byTopic) this.deliver(topic, keys);
      if (rows.length < PAGE) return;
    }
  }

  private deliver(topic: string, keys: string[]): void {
    for (const consumer of this.consumers.get(topic) ?? []) {
      try {
        consumer(keys);
      } catch (err) {
        this.o.log.error("change feed consumer failed", { topic, error: String(err) });
      }
    }
  }
}
