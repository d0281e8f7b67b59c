/**
 * @module Readiness (contract §2 health row): the database answers and takes a write, every embedded
 * migration is applied, and every background job is running (started, and its last run began within
 * three intervals plus a grace). The result is kept for one second: `/readyz` is public, and each
 * check commits one tiny write, so polling it cannot turn into a write load.
 */
import type { Database } from "bun:sqlite";
import type { Clock } from "../../lib/clock";
import type { JobStatus } from "../../lib/interval-job";

/** The outcome of one check: `ok`, or `fail` with a reason safe to show (no SQL, no paths). */
export interface CheckResult {
  status: "ok" | "fail";
  reason?: string;
}

/** What `/readyz` and `/livez` answer. */
export interface HealthReport {
  status: "ok" | "unavailable";
  checks: Record<string, CheckResult>;
}

/** What readiness checks. */
export interface ReadinessDeps {
  sqlite: Database;
  clock: Clock;
  /** How many migrations the binary carries (the embedded journal). */
  expectedMigrations: number;
  jobs: () => readonly JobStatus[];
}

/** Slack on top of three intervals before a job that has not run counts as stalled. */
const JOB_GRACE_MS = 10_000;
const CACHE_MS = 1000;

/** Runs the readiness checks, at most once a second. */
export class Readiness {
  private cached: { at: number; report: HealthReport } | undefined;

  constructor(private readonly d: ReadinessDeps) {
    // The write check's own row, outside the drizzle schema: it holds no product data, only proof
    // that a commit goes through (a read-only file, a full disk or a lost lock fail it).
    d.sqlite.run("CREATE TABLE IF NOT EXISTS ob_readiness (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL)");
  }

  /** The current report (cached for a second). */
  check(): HealthReport {
    const now = this.d.clock.now();
    if (this.cached && now - this.cached.at < CACHE_MS && now >= this.cached.at) return this.cached.report;
    const checks = { database: this.database(now), migrations: this.migrations(), jobs: this.jobs() };
    const ok = Object.values(checks).every((c) => c.status === "ok");
    const report: HealthReport = { status: ok ? "ok" : "unavailable", checks };
    this.cached = { at: now, report };
    return report;
  }

  private database(now: number): CheckResult {
    try {
      this.d.sqlite.query("INSERT INTO ob_readiness (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at").run(now);
      return { status: "ok" };
    } catch (err) {
      return { status: "fail", reason: `the database did not take a write (${(err as { code?: string }).code ?? "error"})` };
    }
  }

  private migrations(): CheckResult {
    try {
      const row = this.d.sqlite.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number };
      if (row.n >= this.d.expectedMigrations) return { status: "ok" };
      return { status: "fail", reason: `${row.n} of ${this.d.expectedMigrations} migrations applied` };
    } catch {
      return { status: "fail", reason: "the migrations table cannot be read" };
    }
  }

  private jobs(): CheckResult {
    const now = performance.now();
    const problems: string[] = [];
    for (const job of this.d.jobs()) {
      if (!job.started) problems.push(`${job.name} is not running`);
      else if (now - (job.lastRunAt ?? job.startedAt ?? now) > 3 * job.intervalMs + JOB_GRACE_MS) problems.push(`${job.name} has not run for ${Math.round((now - (job.lastRunAt ?? job.startedAt!)) / 1000)} s`);
    }
    return problems.length === 0 ? { status: "ok" } : { status: "fail", reason: problems.join("; ") };
  }
}
