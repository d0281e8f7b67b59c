/**
 * @module Readiness (contract §2 health row): the database answers and takes a write, every embedded
 * migration is applied, and every background job is running (started, and its last run began within
 * three intervals plus a grace). The result is kept for one second: `/readyz` is public, and each
 * check commits one tiny write, so polling it cannot turn into a write load. The write goes to the
 * one row of `system_readiness`, which holds no product data, only proof that a commit goes through
 * (a read-only file, a full disk, a lost lock or an unreachable PostgreSQL fail it).
 */
import { errorCodes, type Database } from "../../db/database";
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
  database: Database;
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
  /** The last report (or the check still running: concurrent requests share it). */
  private cached: { at: number; report: Promise<HealthReport> } | undefined;

  constructor(private readonly d: ReadinessDeps) {}

  /** The current report (cached for a second). */
  check(): Promise<HealthReport> {
    const now = this.d.clock.now();
    if (this.cached && now - this.cached.at < CACHE_MS && now >= this.cached.at) return this.cached.report;
    const report = this.run(now);
    this.cached = { at: now, report };
    return report;
  }

  private async run(now: number): Promise<HealthReport> {
    const [database, migrations] = await Promise.all([this.database(now), this.migrations()]);
    const checks = { database, migrations, jobs: this.jobs() };
    const ok = Object.values(checks).every((c) => c.status === "ok");
    return { status: ok ? "ok" : "unavailable", checks };
  }

  private async database(now: number): Promise<CheckResult> {
    const { db, tables: { systemReadiness: t } } = this.d.database;
    try {
      await db.insert(t).values({ id: 1, checkedAt: now }).onConflictDoUpdate({ target: t.id, set: { checkedAt: now } });
      return { status: "ok" };
    } catch (err) {
      // The driver's code (SQLITE_READONLY; a PostgreSQL SQLSTATE; db.unavailable), never its message.
      const code = errorCodes(err, "errno")[0] ?? errorCodes(err)[0] ?? "error";
      return { status: "fail", reason: `the database did not take a write (${code})` };
    }
  }

  private async migrations(): Promise<CheckResult> {
    try {
      const applied = await this.d.database.appliedMigrations();
      if (applied >= this.d.expectedMigrations) return { status: "ok" };
      return { status: "fail", reason: `${applied} of ${this.d.expectedMigrations} migrations applied` };
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
