/** @module What the composition root hands every feature module (BaseDeps), and the shape each hands back (Module). */
import type { AnyElysia } from "elysia";
import type { Database } from "bun:sqlite";
import type { Config } from "../config";
import type { Db } from "../db/database";
import type { Database as StoreDatabase } from "../db/database";
import type { Clock } from "../lib/clock";
import type { ChangeFeed } from "./cluster/feed";
import type { Logger } from "../lib/log";
import type { Metrics } from "./observability/metrics";
import type { PasswordHasher } from "./user/identity/passwords";

/** What every module may receive. Services get plain values, never an HTTP context. */
export interface BaseDeps {
  config: Config;
  /** The one database handle stores are built from (drizzle, tables, batches); issue 12 makes it either dialect. */
  database: StoreDatabase;
  /** Same as `database.db` (kept while stores move to `database`). */
  db: Db;
  /** The change feed other nodes' changes arrive by (contract §7); absent or a no-op on one node (SQLite). */
  feed?: ChangeFeed;
  /** SQLite only (undefined on PostgreSQL): the raw connection; no store or service may use it. */
  sqlite?: Database;
  clock: Clock;
  log: Logger;
  /** The server's metrics (GET /metrics); absent in module-level tests, where modules count into their own. */
  metrics?: Metrics;
  /** Tests only: cheap password hashing and key sizes, so suites stay fast. */
  fastCrypto?: boolean;
  /** Tests only: a password hasher in place of argon2id (e.g. one that counts its calls). */
  passwords?: PasswordHasher;
}

export interface Module {
  /** The module's HTTP routes as an Elysia plugin (never listening itself). */
  routes: AnyElysia;
  /** Starts background jobs; called once after the server listens. */
  start?(): void | Promise<void>;
  /**
   * Ends long-lived responses (event streams), so the server's wait for in-flight requests can end;
   * called on shutdown as the server stops accepting, before {@link Module.stop}.
   */
  drain?(): void;
  /** Stops background jobs and flushes state; called on shutdown before the database closes. */
  stop?(): void | Promise<void>;
}
