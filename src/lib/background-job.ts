/**
 * @module The shape of a background job (design habit 5: an object with `start()`, `stop()` and
 * `runOnce()`): its `runOnce()` is scheduled by one {@link IntervalJob}, which readiness reads through
 * `job`; tests call `runOnce()` themselves after moving a fake clock. The registry's prober, sweeper,
 * committer and node heartbeat are such jobs; each says only what one run does and how often.
 */
import { IntervalJob, type IntervalJobOptions } from "./interval-job";

/** A job whose {@link BackgroundJob.runOnce} runs at a fixed rate between `start()` and `stop()`. */
export abstract class BackgroundJob {
  readonly job: IntervalJob;

  protected constructor(schedule: Omit<IntervalJobOptions, "run">) {
    this.job = new IntervalJob({ ...schedule, run: () => this.runOnce() });
  }

  /** One run: what the interval calls, and what tests call directly. */
  abstract runOnce(): unknown;

  /** Schedules the runs (the first at once or after one interval, as the job was declared). */
  start(): void {
    this.job.start();
  }

  /** Stops scheduling and waits for a run in flight. */
  async stop(): Promise<void> {
    await this.job.stop();
  }
}
