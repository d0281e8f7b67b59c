/**
 * @module Counters whose label values are fixed up front, counted into a plain Float64Array and
 * handed to prom-client only when scraped (its `collect` hook). prom-client's own `inc` hashes the
 * labels and validates them on every call (~0.3-0.6 µs measured, even through a `labels()` child);
 * an array slot costs nothing on the paths that count (logins, token checks, probes).
 */
import { Counter, type Registry } from "prom-client";

/** A counter with one label whose values are known in advance; `inc(i)` counts value `values[i]`. */
export class FixedCounter<const V extends string> {
  private readonly counts: Float64Array;

  constructor(registry: Registry, name: string, help: string, label: string, readonly values: readonly V[]) {
    const counts = (this.counts = new Float64Array(values.length));
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (let i = 0; i < values.length; i++) this.inc({ [label]: values[i]! }, counts[i]!);
      },
    });
  }

  /** Counts one event with label value `value`. */
  inc(value: V): void {
    this.counts[this.values.indexOf(value)]!++;
  }

  /** Current count of `value` (tests). */
  get(value: V): number {
    return this.counts[this.values.indexOf(value)]!;
  }
}

/** A counter without labels, counted into a number and handed over when scraped. */
export class PlainCounter {
  count = 0;

  constructor(registry: Registry, name: string, help: string) {
    const self = this;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(self.count);
      },
    });
  }

  inc(): void {
    this.count++;
  }
}
