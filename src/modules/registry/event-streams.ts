/**
 * @module The open event streams of `GET /registry-svc/events` (the console's live view): each gets a
 * snapshot of the instances its caller sees, then every change the registry publishes (this node's and,
 * through remote-changes.ts, other nodes'), heartbeats at most once per instance per second, and a
 * keep-alive comment when it was quiet for 15 s. Bounded on every side: a stream's queue holds at most
 * {@link STREAM_QUEUE_BYTES} (a reader that falls further behind is cut off, not buffered for), one
 * account holds at most OB_EVENT_STREAMS_PER_USER, and a stream ends with an `end` frame when its
 * session is revoked, its token expires, or the server stops. Each frame is encoded once and the same
 * bytes are queued on every stream that may see it.
 */
import { BackgroundJob } from "../../lib/background-job";
import type { Clock } from "../../lib/clock";
import type { Logger } from "../../lib/log";
import type { Caller } from "../auth-gate";
import type { StreamEndCode } from "../../contracts/registry/events";
import type { InstanceEventType } from "../../contracts/registry/events";
import { streamsFull, tooManyStreams } from "./errors";
import type { InstanceRecord, InstanceTable } from "./instance-table";
import type { RegistryEvent, RoutedInstance } from "./routing";
import type { InstanceService } from "./service";
import { normalizeInstanceUrl } from "./url";

/**
 * Bytes a stream may have queued beyond its snapshot and what its socket took, or the snapshot's size
 * when that is larger (a sweep that marks every instance Unreachable publishes a frame per instance in
 * one turn of the event loop, before any reader can read: ~300 bytes each, so a snapshot's worth).
 * Past the kernel's socket buffers (a few MiB on loopback), a reader this far behind is not reading,
 * and holding more for it would let one connection grow the server's memory without end.
 */
export const STREAM_QUEUE_BYTES = 1024 * 1024;
/** A stream quiet this long gets a `: keep-alive` comment, so proxies and idle timeouts keep it open. */
export const KEEP_ALIVE_MS = 15_000;
/** A heartbeat frame per instance at most this often: the console shows ages in seconds. */
export const HEARTBEAT_FRAME_MS = 1000;
/** How often the job checks for quiet streams and expired tokens. */
const CHECK_MS = 1000;

const encoder = new TextEncoder();
const KEEP_ALIVE = encoder.encode(": keep-alive\n\n");

/** What the streams are built from. */
export interface EventStreamsOptions {
  instances: InstanceService;
  table: InstanceTable;
  clock: Clock;
  log: Logger;
  /** OB_EVENT_STREAMS_PER_USER. */
  perUser: number;
  /** OB_EVENT_STREAMS_MAX: streams open on this node over all accounts. */
  max: number;
  /** Replaces {@link STREAM_QUEUE_BYTES} (tests). */
  queueBytes?: number;
}

/** One open stream: its caller and queue. */
class Stream {
  lastWriteAt: number;
  /** Set once the stream is over (ended, dropped, or cancelled by its reader): nothing more is queued. */
  closed = false;
  /** Most bytes it may have queued: its snapshot, and the cap or the snapshot's size again beyond it. */
  private limit: number;

  constructor(
    readonly caller: Caller,
    readonly seesAll: boolean,
    private readonly controller: ReadableStreamDefaultController<Uint8Array>,
    now: number,
    private readonly queueBytes: number,
    private readonly onDropped: () => void,
  ) {
    this.lastWriteAt = now;
    this.limit = queueBytes;
  }

  /** Queues the snapshot, which the cap starts after. */
  writeSnapshot(bytes: Uint8Array, now: number): void {
    this.limit = bytes.length + Math.max(this.queueBytes, bytes.length);
    this.write(bytes, now);
  }

  /** Queues `bytes`; a reader that let the queue grow past its cap is cut off (its queue discarded). */
  write(bytes: Uint8Array, now: number): void {
    if (this.closed) return;
    this.controller.enqueue(bytes);
    this.lastWriteAt = now;
    // desiredSize is the high-water mark (the cap) minus the bytes queued.
    if (this.queueBytes - (this.controller.desiredSize ?? 0) > this.limit) {
      this.closed = true;
      this.controller.error(new Error("event stream reader too slow"));
      this.onDropped();
    }
  }

  /** Sends the `end` frame and closes; what was queued before it is still delivered. */
  end(code: StreamEndCode, now: number): void {
    this.write(frame("end", `{"code":"${code}"}`), now);
    if (this.closed) return;
    this.closed = true;
    this.controller.close();
  }
}

/** Every open stream, fed by registry events; `runOnce()` sends keep-alives and ends expired tokens. */
export class EventStreams extends BackgroundJob {
  private readonly streams = new Set<Stream>();
  private readonly perUser = new Map<string, number>();
  /** Instance id → when its last heartbeat frame went out (removed with the instance). */
  private readonly heartbeatSent = new Map<string, number>();
  private readonly queueBytes: number;
  /** Streams cut off for reading too slowly, since start (tests and logs). */
  dropped = 0;

  constructor(private readonly o: EventStreamsOptions) {
    super({ name: "event streams", intervalMs: CHECK_MS, log: o.log });
    this.queueBytes = o.queueBytes ?? STREAM_QUEUE_BYTES;
  }

  /** Streams open now. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Opens a stream for `caller`: the response, whose first frame is the snapshot. The snapshot and the
   * subscription are taken in one synchronous step, so no change falls between them or arrives twice.
   * Throws 429 when the caller's account holds the most streams it may.
   */
  open(caller: Caller): Response {
    const held = this.perUser.get(caller.userId) ?? 0;
    if (held >= this.o.perUser) throw tooManyStreams(this.o.perUser);
    if (this.streams.size >= this.o.max) throw streamsFull();
    let stream: Stream | undefined;
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          const now = this.o.clock.now();
          stream = new Stream(caller, this.o.instances.seesAll(caller), controller, now, this.queueBytes, () => this.forget(stream!, "dropped"));
          this.streams.add(stream);
          this.perUser.set(caller.userId, held + 1);
          stream.writeSnapshot(frame("snapshot", this.o.instances.listJson(caller, {})), now);
        },
        cancel: () => {
          stream!.closed = true;
          this.forget(stream!, "closed");
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: this.queueBytes }),
    );
    return new Response(body, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
    });
  }

  /** The registry's published changes (subscribed in index.ts). */
  readonly onEvent = (event: RegistryEvent): void => {
    if (this.streams.size === 0) {
      if (event.type === "removed") this.heartbeatSent.delete(event.instance.id);
      return;
    }
    const record = event.type === "removed" ? undefined : this.o.table.get(event.instance.id);
    this.broadcast(event.type, event.instance.slug, () => (record ? this.o.instances.wireJson(record) : this.lastKnownJson(event.instance)));
    if (event.type === "removed") this.heartbeatSent.delete(event.instance.id);
  };

  /** A heartbeat alone (InstanceTable's `onHeartbeat`): at most one frame per instance per second. */
  readonly onHeartbeat = (record: InstanceRecord): void => {
    if (this.streams.size === 0) return;
    const now = this.o.clock.now();
    const last = this.heartbeatSent.get(record.id);
    if (last !== undefined && now - last < HEARTBEAT_FRAME_MS) return;
    this.heartbeatSent.set(record.id, now);
    this.broadcast("heartbeat", record.slug, () => this.o.instances.wireJson(record));
  };

  /** Revoked sessions (AuthGate.onRevoke): their streams end. */
  readonly onRevoke = (sessionIds: readonly string[]): void => {
    if (this.streams.size === 0) return;
    const ended = new Set(sessionIds);
    for (const stream of this.streams) if (ended.has(stream.caller.tokenId)) this.end(stream, "user.token_revoked");
  };

  /** Keep-alives for quiet streams; streams whose token expired end. */
  runOnce(): void {
    const now = this.o.clock.now();
    for (const stream of this.streams) {
      if (stream.caller.expiresAt !== undefined && stream.caller.expiresAt <= now) this.end(stream, "user.token_expired");
      else if (now - stream.lastWriteAt >= KEEP_ALIVE_MS) stream.write(KEEP_ALIVE, now);
    }
  }

  /** Ends every stream (the server stops: in-flight requests can then finish). */
  endAll(code: StreamEndCode): void {
    for (const stream of this.streams) this.end(stream, code);
  }

  /** Frames `{"type","instance"}` for the streams that may see `slug`'s instance; encoded once, if anyone sees it. */
  private broadcast(type: InstanceEventType, slug: string, json: () => string): void {
    let bytes: Uint8Array | undefined;
    const now = this.o.clock.now();
    for (const stream of this.streams) {
      if (!stream.seesAll && stream.caller.slug !== slug) continue;
      bytes ??= frame("instance", `{"type":"${type}","instance":${json()}}`);
      stream.write(bytes, now);
    }
  }

  /** A removed instance's wire JSON from what the event carries (its row is gone): the URL's parts, no heartbeat. */
  private lastKnownJson(instance: RoutedInstance): string {
    const record: InstanceRecord = { ...normalizeInstanceUrl({ url: instance.url }), id: instance.id, slug: instance.slug, status: instance.status, lastHeartbeat: null, createdAt: 0 };
    return this.o.instances.wireJson(record);
  }

  private end(stream: Stream, code: StreamEndCode): void {
    this.forget(stream, "ended");
    stream.end(code, this.o.clock.now());
  }

  private forget(stream: Stream, why: "closed" | "dropped" | "ended"): void {
    if (!this.streams.delete(stream)) return;
    const held = (this.perUser.get(stream.caller.userId) ?? 1) - 1;
    if (held > 0) this.perUser.set(stream.caller.userId, held);
    else this.perUser.delete(stream.caller.userId);
    if (why === "dropped") {
      this.dropped++;
      this.o.log.warn("event stream dropped: its reader fell behind", { slug: stream.caller.slug, queueBytes: this.queueBytes });
    }
  }
}

/** One server-sent event (WHATWG HTML §9.2): the name and one `data:` line (JSON holds no newline). */
function frame(event: string, data: string): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${data}\n\n`);
}
