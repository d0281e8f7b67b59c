/**
 * @module Database query latency on either dialect, instrumented at the store handle: the drizzle
 * session behind `database.db` (and the session of each transaction it opens) hands out prepared
 * queries whose execution is timed into one histogram, a SELECT as `read` and every other statement
 * as `write`. Every query of every store, batches included, goes through a session, so no store
 * code knows about it and no driver is wrapped. The timing costs two clock reads and a bucket search
 * next to a query of tens of microseconds at least.
 *
 * What is timed is the driver call of one statement: on SQLite (synchronous) its `run`/`all`/`get`/
 * `values`, on PostgreSQL until the promise of `execute`/`all` settles (the round trip included).
 */
import { Histogram, type Registry } from "prom-client";
import type { Database } from "../../db/database";

/** Seconds; from 50 µs (a cached point read) to 1 s (a commit stuck on the disk). */
const QUERY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * The executing methods of a drizzle prepared query, per dialect. On SQLite `execute` is left out: it
 * returns a lazy result that runs one of the others when awaited (timed there).
 */
const EXECUTING: Record<Database["kind"], readonly string[]> = { sqlite: ["run", "all", "get", "values"], postgres: ["execute", "all"] };

type Callable = (...args: unknown[]) => unknown;
type Observer = { observe(seconds: number): void };

/** The part of a drizzle session this wraps (internal to drizzle, stable across its drivers). */
interface Session {
  prepareQuery: (query: { sql: string }, ...rest: unknown[]) => object;
  transaction: (run: (tx: { session?: Session }) => unknown, ...rest: unknown[]) => unknown;
}

/** Times every statement run through `database` into `ob_db_query_duration_seconds{op="read"|"write"}` of `registry`. */
export function instrumentDatabase(database: Database, registry: Registry): void {
  const histogram = new Histogram({
    name: "ob_db_query_duration_seconds",
    help: "Time of one database statement execution, by operation (read: SELECT, write: INSERT, UPDATE, DELETE and the rest).",
    labelNames: ["op"],
    buckets: QUERY_BUCKETS,
    registers: [registry],
  });
  const read = histogram.labels("read");
  const write = histogram.labels("write");
  const methods = EXECUTING[database.kind];
  const instrumented = new WeakSet<Session>();
  const instrument = (session: Session | undefined) => {
    if (!session || instrumented.has(session)) return;
    instrumented.add(session);
    const prepare = session.prepareQuery.bind(session);
    session.prepareQuery = (query, ...rest) => timed(prepare(query, ...rest), methods, /^\s*select\b/i.test(query.sql) ? read : write);
    const transaction = session.transaction.bind(session);
    session.transaction = (run, ...rest) =>
      transaction((tx) => {
        instrument(tx.session);
        return run(tx);
      }, ...rest);
  };
  instrument((database.db as unknown as { session: Session }).session);
}

/** Wraps `methods` of one prepared query so each outermost call is observed once (they call each other). */
function timed<Q extends object>(prepared: Q, methods: readonly string[], observer: Observer): Q {
  const target = prepared as unknown as Record<string, Callable>;
  let depth = 0;
  for (const method of methods) {
    const original = target[method];
    if (typeof original !== "function") continue;
    target[method] = function (this: unknown, ...args: unknown[]) {
      if (depth > 0) return original.apply(prepared, args);
      const started = performance.now();
      const done = () => observer.observe((performance.now() - started) / 1000);
      depth++;
      let result: unknown;
      try {
        result = original.apply(prepared, args);
      } catch (err) {
        done();
        throw err;
      } finally {
        depth--;
      }
      if (result instanceof Promise) result.then(done, done);
      else done();
      return result;
    };
  }
  return prepared;
}
