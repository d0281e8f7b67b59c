/** @module Bounded concurrency: at most `max` tasks run at once; the rest wait in FIFO order. */

export class Limiter {
  private active = 0;
  private queue: (() => void)[] = [];
  private head = 0;

  constructor(private readonly max: number) {}

  /** Runs `task` when a slot is free; resolves or rejects with it. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    if (this.head < this.queue.length) {
      // The slot passes straight to the next waiter, so `active` stays the same.
      const next = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      next();
    } else {
      this.active--;
    }
  }
}
