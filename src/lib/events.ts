/** @module A tiny typed in-process publisher: status changes reach subscribers synchronously, at once. */
import type { Logger } from "./log";

/** Publishes events of type `E` to subscribers; a throwing subscriber is logged and never breaks the publisher. */
export class Publisher<E> {
  private readonly listeners = new Set<(event: E) => void>();

  constructor(private readonly log: Logger) {}

  subscribe(listener: (event: E) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: E): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error("registry event listener failed", { error: String(err) });
      }
    }
  }
}
