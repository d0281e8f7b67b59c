/**
 * @module Database query latency: the connection's `prepare` and `query` are wrapped so that every
 * statement they return times its `run` (a write) and `all`/`get`/`values` (reads) into one histogram.
 * Statements are prepared once by the stores, so the wrapping happens once per statement, and the
 * timing costs two clock reads and a bucket search next to a query of tens of microseconds at least.
 * It must be applied before the stores prepare their statements (createDeps does it right after open).
 */
import type { Database } from "bun:sqlite";
import { Histogram, type Registry } from "prom-client";

/** Seconds; from 50 µs (a cached point read) to 1 s (a commit stuck on the disk). */
const QUERY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

type Method = "run" | "all" | "get" | "values";
const METHODS: readonly Method[] = ["run", "all", "get", "values"];

/** Times every statement of `sqlite` into `ob_db_query_duration_seconds{op="read"|"write"}` of `registry`. */
export function instrumentDatabase(sqlite: Database, registry: Registry): void {
  const histogram = new Histogram({
    name: "ob_db_query_duration_seconds",
    help: "Time of one SQLite statement execution, by operation (read: all/get/values, write: run).",
    labelNames: ["op"],
    buckets: QUERY_BUCKETS,
    registers: [registry],
  });
  const read = histogram.labels("read");
  const write = histogram.labels("write");
  const wrapped = new WeakSet<object>();
  const wrap = <S extends object>(statement: S): S => {
    if (wrapped.has(statement)) return statement;
    wrapped.add(statement);
    const target = statement as unknown as Record<Method, (...args: unknown[]) => unknown>;
    for (const method of METHODS) {
      const original = target[method];
      if (typeof original !== "function") continue;
      const child = method === "run" ? write : read;
      target[method] = function (this: unknown, ...args: unknown[]) {
        const started = performance.now();
        try {
          return original.apply(statement, args);
        } finally {
          child.observe((performance.now() - started) / 1000);
        }
      };
    }
    return statement;
  };
  const prepare = sqlite.prepare.bind(sqlite);
  const query = sqlite.query.bind(sqlite);
  sqlite.prepare = ((...args: Parameters<Database["prepare"]>) => wrap(prepare(...args))) as Database["prepare"];
  sqlite.query = ((...args: Parameters<Database["query"]>) => wrap(query(...args))) as Database["query"];
}
