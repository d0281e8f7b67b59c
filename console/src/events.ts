/**
 * @module The live registry feed: reads `GET /registry-svc/events` (server-sent events) with fetch and
 * a ReadableStream rather than EventSource, so the token travels in the Authorization header, never in
 * a URL or cookie. Reconnects with capped exponential backoff (plus jitter, so a restarted server is
 * not hit by every tab at once); each reconnect starts with a fresh snapshot, so nothing is missed.
 */
import { freshToken } from "./api";
import { clearSession, session } from "./session";
import { FrameParser } from "./sse";
import type { Instance } from "../../src/contracts/registry/instances";
import type { InstanceEventFrame, InstanceSnapshotFrame, StreamEndFrame } from "../../src/contracts/registry/events";

/** One change of an instance (frame `event: instance`). */
export type InstanceEvent = InstanceEventFrame;

/** Where the stream is: connecting, live (snapshot received), or waiting `retryInMs` to reconnect. */
export type StreamState = { kind: "connecting" } | { kind: "live" } | { kind: "retrying"; retryInMs: number; reason: string } | { kind: "stopped"; reason: string };

export interface InstanceStreamHandlers {
  snapshot(instances: Instance[]): void;
  change(event: InstanceEvent): void;
  state(state: StreamState): void;
}

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15_000;

/** Watches the registry's instances until the returned function is called. */
export function watchInstances(handlers: InstanceStreamHandlers, path = "/registry-svc/events"): () => void {
  const controller = new AbortController();
  void run(path, handlers, controller.signal);
  return () => controller.abort();
}

async function run(path: string, handlers: InstanceStreamHandlers, signal: AbortSignal): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    handlers.state({ kind: "connecting" });
    let reason = "the stream closed";
    try {
      const outcome = await readOnce(path, handlers, signal, () => (failures = 0));
      if (outcome === "signed-out") {
        clearSession();
        return handlers.state({ kind: "stopped", reason: "signed out" });
      }
      if (outcome === "forbidden") return handlers.state({ kind: "stopped", reason: "You do not have permission to watch instances." });
      if (outcome !== "closed") reason = outcome;
    } catch (err) {
      if (signal.aborted) return;
      reason = err instanceof Error ? err.message : String(err);
    }
    failures++;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (failures - 1));
    const retryInMs = Math.round(base / 2 + Math.random() * (base / 2));
    handlers.state({ kind: "retrying", retryInMs, reason });
    await delay(retryInMs, signal);
  }
}

type Outcome = "closed" | "signed-out" | "forbidden" | string;

async function readOnce(path: string, handlers: InstanceStreamHandlers, signal: AbortSignal, connected: () => void): Promise<Outcome> {
  if (!(await freshToken())) return "signed-out";
  const token = session()?.token;
  if (!token) return "signed-out";
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" }, signal, cache: "no-store" });
  if (response.status === 401) return (await freshToken(true)) ? "the token was refreshed" : "signed-out";
  if (response.status === 403) return "forbidden";
  if (!response.ok || !response.body) return `the server answered ${response.status}`;
  const parser = new FrameParser();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let ended: Outcome = "closed";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const frame of parser.push(value)) {
        if (frame.event === "snapshot") {
          handlers.snapshot((JSON.parse(frame.data) as InstanceSnapshotFrame).instances);
          connected();
          handlers.state({ kind: "live" });
        } else if (frame.event === "instance") {
          handlers.change(JSON.parse(frame.data) as InstanceEvent);
        } else if (frame.event === "end") {
          const { code } = JSON.parse(frame.data) as StreamEndFrame;
          // Revoked: the session is over. Expired: a fresh token first (refresh fails, and signs out, if revoked
          // meanwhile). Server stopping: reconnect with backoff.
          if (code === "user.token_revoked") ended = "signed-out";
          else if (code === "user.token_expired") ended = (await freshToken(true)) ? "the token expired and was refreshed" : "signed-out";
          else ended = `the server ended the stream (${code})`;
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
  return ended;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
