/**
 * @module A request body that can be offered to a second instance if the first could not be reached.
 * The client's stream is read only when fetch pulls from it; fetch pulls only once connected, so a
 * body that was never pulled was never sent and can be handed to the next attempt. Once a chunk has
 * been read the body is "disturbed" and a failure can no longer be retried (the bytes are gone).
 */

/** The client's body, wrapped once per request; `stream()` makes the view for one attempt. */
export class ReplayableBody {
  private readonly reader: { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(reason?: unknown): Promise<void> };
  /** True once any byte was read from the client's stream. */
  disturbed = false;

  constructor(source: ReadableStream<Uint8Array>) {
    this.reader = source.getReader();
  }

  /** A stream for one upstream attempt; pulls (and so disturbs) only when fetch reads it. */
  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          this.disturbed = true;
          const { done, value } = await this.reader.read();
          if (done || value === undefined) controller.close();
          else controller.enqueue(value);
        },
        // A fetch that never connected cancels its body; the client's stream stays usable for a retry.
        cancel: (reason) => (this.disturbed ? this.reader.cancel(reason) : undefined),
      },
      { highWaterMark: 0 },
    );
  }

  /** Gives the client's stream back (nothing more will be sent). */
  release(): void {
    this.reader.cancel().catch(() => {});
  }
}
