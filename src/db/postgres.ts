/**
 * @module PostgreSQL behind the store handle: a Bun.SQL pool (Bun's built-in client) wrapped by
 * drizzle-orm/bun-sql. Every query has a deadline: a server that stopped answering (frozen, or cut off
 * by the network) would otherwise keep a query pending forever, so past `queryTimeoutMs` the query is
 * cancelled and fails with 503 `db.unavailable` — as does any query on a connection that broke. The
 * server learns of a vanished client through TCP keepalives and drops its transactions after
 * `idle_in_transaction_session_timeout`.
 */
import { SQL } from "bun";
import { drizzle } from "drizzle-orm/bun-sql";
import { defineTables } from "./schema";
import { chunks, errorCodes, migrationsTable, type Database, type Db } from "./database";
import { dbUnavailable } from "./errors";
import { applyPostgresMigrations } from "./migrate";
import type { OpenedDatabase } from "./client";

export interface PostgresOptions {
  /** OB_DB_CONNECTION_STRING (validated by config.ts). */
  url: string;
  /** OB_DB_PREFIX. */
  prefix: string;
  /** Longest a query may take before it fails with `db.unavailable`; a batch gets twice this. */
  queryTimeoutMs?: number;
  /** Longest a connection attempt may take. */
  connectTimeoutMs?: number;
  /** Connections in the pool. */
  max?: number;
}

const QUERY_TIMEOUT_MS = 5000;

/** Bun's own codes for a connection that could not be made or broke, and SQLSTATEs that mean the same. */
const CONNECTION_CODES = /^ERR_POSTGRES_(CONNECTION_|IDLE_TIMEOUT|LIFETIME_TIMEOUT|TLS_)|^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/;
const CONNECTION_SQLSTATES = /^(08...|57P0[123]|53300)$/;

/** Whether `err` says the database cannot be reached (as opposed to a query the database refused). */
export function isConnectionError(err: unknown): boolean {
  return errorCodes(err).some((c) => CONNECTION_CODES.test(c)) || errorCodes(err, "errno").some((c) => CONNECTION_SQLSTATES.test(c));
}

/**
 * The pool's settings from the URL, spelled out: Bun lets PGDATABASE and friends override what a URL
 * says, and a server node must connect to exactly the database it was configured with.
 */
export function poolOptions(url: string, connectTimeoutMs: number, max: number): ConstructorParameters<typeof SQL>[0] & object {
  const u = new URL(url);
  return {
    url,
    adapter: "postgres",
    hostname: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, "")) || "localhost",
    port: Number(u.port || 5432),
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username),
    max,
    idleTimeout: 60,
    connectionTimeout: Math.max(1, Math.ceil(connectTimeoutMs / 1000)),
    connection: {
      application_name: "1backend",
      // The server notices a client that vanished without closing (a killed node, a cut cable).
      tcp_keepalives_idle: 10,
      tcp_keepalives_interval: 5,
      tcp_keepalives_count: 3,
      // A transaction left open by a stuck client releases its locks.
      idle_in_transaction_session_timeout: 30_000,
    },
  };
}

/** Opens a pool to PostgreSQL (connections are made on first use: call `ping` to know it answers). */
export function openPostgres(options: PostgresOptions): OpenedDatabase & { ping(withinMs: number): Promise<void> } {
  const queryTimeoutMs = options.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
  const pool = new SQL(poolOptions(options.url, options.connectTimeoutMs ?? 10_000, options.max ?? 10));
  const db = drizzle({ client: withDeadline(pool, queryTimeoutMs) }) as unknown as Db;
  const database: Database = {
    kind: "postgres",
    db,
    tables: defineTables("postgres", options.prefix),
    batch: (build) => {
      // Past the deadline the caller is told the batch failed: a statement still to come throws
      // instead, so the transaction rolls back rather than committing later (only a COMMIT already
      // sent can still land, the ambiguity every timeout has).
      let expired = false;
      const run = db.transaction(async (tx) => {
        for (const query of build(tx as unknown as Db)) {
          if (expired) throw dbUnavailable();
          await query;
        }
        if (expired) throw dbUnavailable();
      });
      return deadline(run, 2 * queryTimeoutMs, () => (expired = true));
    },
    // One statement built per chunk: its round trip, not its building, is what a row costs here.
    rowWrite: (chunkSize, statement) => ({ queries: (tx, rows) => chunks(rows, chunkSize).map((chunk) => statement(tx, chunk)) }),
    isUniqueViolation: (err) => errorCodes(err, "errno").includes("23505"),
    appliedMigrations: async () => {
      const [row] = await deadline(pool.unsafe(`SELECT count(*)::int AS n FROM "${migrationsTable(options.prefix)}"`), queryTimeoutMs);
      return (row as { n: number }).n;
    },
  };
  return {
    database,
    migrate: () => applyPostgresMigrations(pool, options.prefix),
    // The driver's own error (its code and SQLSTATE tell open.ts whether to retry), or a timeout.
    ping: (withinMs) => raceTimeout(pool`SELECT 1`, withinMs, `no answer within ${Math.ceil(withinMs / 1000)}s`),
    // One dedicated connection for every channel, re-made by Bun with backoff (onListen runs again then).
    listen: (channel, onNotify, onListen) => pool.listen(channel, onNotify, onListen),
    close: () => pool.close({ timeout: 5 }),
  };
}

/** `pool` whose queries (as drizzle runs them: `unsafe`, then maybe `.values()`) each have a deadline. */
function withDeadline(pool: SQL, ms: number): SQL {
  return new Proxy(pool, {
    get(target, key) {
      if (key === "unsafe") {
        return (text: string, params?: unknown[]) => {
          const query = target.unsafe(text, params);
          const deadlined = {
            values() {
              query.values();
              return deadlined;
            },
            then: <A, B>(onValue?: (v: unknown) => A, onError?: (e: unknown) => B) => deadline(query, ms).then(onValue, onError),
          };
          return deadlined;
        };
      }
      if (key === "begin") {
        return (fn: (tx: SQL) => Promise<unknown>) => target.begin((tx) => fn(withDeadline(tx as unknown as SQL, ms)));
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function raceTimeout(work: PromiseLike<unknown> & { cancel?: () => unknown }, ms: number, message: string): Promise<void> {
  let timer: Timer | undefined;
  try {
    await Promise.race([work, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** `work`, or `db.unavailable` when it takes longer than `ms` (then it is cancelled if it can be) or the connection failed. */
function deadline<T>(work: PromiseLike<T> & { cancel?: () => unknown }, ms: number, onExpired?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onExpired?.();
      try {
        work.cancel?.();
      } catch {
        // already finished or not cancellable: the rejection below stands either way
      }
      reject(dbUnavailable());
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(isConnectionError(err) ? dbUnavailable() : err);
      },
    );
  });
}
