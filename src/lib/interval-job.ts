/**
 * @module Runs a background job's `runOnce()` at a fixed rate: each run starts one interval after the
 * previous one started, or at once if that one overran (runs never overlap). Failures are logged as
 * a streak (failure-log.ts: the first at warn, then once a minute, and the recovery), so a job failing
 * every interval through a database outage writes a few lines; `stop()` waits for a run in flight.
 */
import { FailureLog } from "./failure-log";
import type { Logger } from "./log";

/** A background job as readiness sees it (`IntervalJob.status()`). */
export interface JobStatus {
  name: string;
  started: boolean;
  intervalMs: number;
  /** performance.now() when its last run began (undefined before the first). */
  lastRunAt: number | undefined;
  /** performance.now() when it was started. */
  startedAt: number | undefined;
}

/** What runs, how often (ms), where failures are logged, and whether `start()` runs it at once. */
export interface IntervalJobOptions {
  name: string;
  intervalMs: number;
  run: () => unknown;
  log: Logger;
  /** Run at once on `start()` (the prober: probe everything now) instead of one interval later. */
  runAtStart?: boolean;
  /** The line of a failed run (default `<name> failed`) and of the first run that succeeds after failures (default `<name> works again`). */
  failed?: string;
  recovered?: string;
}

/** A named job run at a fixed rate, never overlapping itself; `stop()` waits for the run in flight. */
export class IntervalJob {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private active = false;
  private startedAt: number | undefined;
  private lastRunAt: number | undefined;
  /** The runs' failures, for a job whose other failures (outside its runs) belong to the same streak. */
  readonly failures: FailureLog;

  constructor(private readonly o: IntervalJobOptions) {
    this.failures = new FailureLog({ log: o.log, failed: o.failed ?? `${o.name} failed`, recovered: o.recovered ?? `${o.name} works again` });
  }

  get started(): boolean {
    return this.active;
  }

  /** For readiness (contract §2): whether it runs, and when its last run began. */
  status(): JobStatus {
    return { name: this.o.name, started: this.active, intervalMs: this.o.intervalMs, lastRunAt: this.lastRunAt, startedAt: this.startedAt };
  }

  /** Runs at once when `runAtStart`, else after one interval; then at the fixed rate. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.startedAt = performance.now();
    if (this.o.runAtStart) this.tick();
    else this.schedule();
  }

  /** Stops scheduling and waits for a run in flight. */
  async stop(): Promise<void> {
    this.active = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    const started = performance.now();
    this.lastRunAt = started;
    this.running = (async () => {
      try {
        await this.o.run();
        this.failures.succeeded();
      } catch (err) {
        this.failures.failed(err);
      }
    })().finally(() => {
      this.running = undefined;
      this.schedule(performance.now() - started);
    });
  }

  private schedule(elapsedMs = 0): void {
    if (!this.active) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.o.intervalMs - elapsedMs));
    this.timer.unref?.();
  }
}
