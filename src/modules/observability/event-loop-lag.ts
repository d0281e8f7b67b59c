/**
 * @module Event-loop lag: a timer asks to run every `intervalMs` and records how late it ran, into a
 * histogram (how often the loop was blocked, and how long) and a gauge of the worst lag since the last
 * scrape. prom-client's own lag percentiles rest on `perf_hooks.monitorEventLoopDelay`, which reports
 * nothing under Bun (min 9.2e9 s, mean NaN), so those series are removed (metrics.ts) and this one stands in.
 */
import { Gauge, Histogram, type Registry } from "prom-client";

const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Samples the lag while started; {@link EventLoopLag.record} is the sample itself (tests call it). */
export class EventLoopLag {
  private readonly histogram: Histogram;
  private worstMs = 0;
  private timer: Timer | undefined;
  private expectedAt = 0;

  constructor(registry: Registry, private readonly intervalMs = 500) {
    const self = this;
    this.histogram = new Histogram({
      name: "ob_event_loop_lag_seconds",
      help: `How late a timer due every ${intervalMs} ms ran: time the JavaScript thread was blocked.`,
      buckets: LAG_BUCKETS,
      registers: [registry],
    });
    new Gauge({
      name: "ob_event_loop_lag_max_seconds",
      help: "Worst event-loop lag sampled since the previous scrape.",
      registers: [registry],
      collect() {
        this.set(self.worstMs / 1000);
        self.worstMs = 0;
      },
    });
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One sample: the timer ran `lateMs` after it was due. */
  record(lateMs: number): void {
    const lag = Math.max(0, lateMs);
    this.histogram.observe(lag / 1000);
    if (lag > this.worstMs) this.worstMs = lag;
  }

  private schedule(): void {
    this.expectedAt = performance.now() + this.intervalMs;
    this.timer = setTimeout(() => {
      this.record(performance.now() - this.expectedAt);
      this.schedule();
    }, this.intervalMs);
    this.timer.unref?.();
  }
}
