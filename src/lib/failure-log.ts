/**
 * @module A failure that repeats until something comes back (a background job's run, a read retried
 * while the database is down) logged as a few lines, not one per attempt: the first failure of a
 * streak at warn, then at most one line per `everyMs` (a minute) with how many failed and for how
 * long, and one info line on the first success after it. An outage of the database is then about
 * three lines per job, whatever its interval. The background jobs (interval-job.ts), the change
 * feed's reads and the consumers that re-read from the database all log through it.
 */
import { systemClock, type Clock } from "./clock";
import type { LogFields, Logger } from "./log";

/** Where and what to log, and how often a streak of failures is logged again (ms, default a minute). */
export interface FailureLogOptions {
  log: Logger;
  /** The line of a failure (warn), e.g. "node heartbeat failed". */
  failed: string;
  /** The line (info) of the first success after failures, e.g. "node heartbeat: database reachable again". */
  recovered: string;
  everyMs?: number;
  clock?: Clock;
}

/** One streak of failures at a time: {@link FailureLog.failed} for each failure, {@link FailureLog.succeeded} for each success. */
export class FailureLog {
  private readonly everyMs: number;
  private readonly clock: Clock;
  /** When the current streak began (undefined: none). */
  private since: number | undefined;
  private loggedAt = 0;
  private failures = 0;

  constructor(private readonly o: FailureLogOptions) {
    this.everyMs = o.everyMs ?? 60_000;
    this.clock = o.clock ?? systemClock;
  }

  /** Whether the last outcome was a failure. */
  get failing(): boolean {
    return this.since !== undefined;
  }

  /** Counts a failure; logs it when it starts a streak or the last line is `everyMs` old. */
  failed(err: unknown, fields?: LogFields): void {
    const now = this.clock.now();
    this.failures++;
    if (this.since === undefined) {
      this.since = this.loggedAt = now;
      this.o.log.warn(this.o.failed, { ...fields, error: String(err) });
    } else if (now - this.loggedAt >= this.everyMs) {
      this.loggedAt = now;
      this.o.log.warn(this.o.failed, { ...fields, error: String(err), failures: this.failures, failingForMs: now - this.since });
    }
  }

  /** Ends a streak, if any, with its recovery line. */
  succeeded(): void {
    if (this.since === undefined) return;
    this.o.log.info(this.o.recovered, { failures: this.failures, failedForMs: this.clock.now() - this.since });
    this.since = undefined;
    this.failures = 0;
  }
}
