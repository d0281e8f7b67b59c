/**
 * @module Frames of `GET /registry-svc/events` (TypeBox): the server-sent event stream the console
 * follows instances by. Each frame is `event: <name>` plus one `data:` line of JSON; these are the
 * JSON shapes per event name, the single source of the console's types and of the OpenAPI document.
 */
import { Type as t, type Static } from "@sinclair/typebox";
import { Instance } from "./instances.js";

/** `event: snapshot`, always the first frame: every instance the caller may see, as `GET /registry-svc/instances` lists them. */
export const InstanceSnapshotFrame = t.Object(
  { instances: t.Array(Instance, { description: "The instances the caller sees (admins: all; others: their own slug's)." }) },
  { description: "First frame: the caller's instances at the moment the stream opened; every later change arrives as an `instance` frame." },
);
export type InstanceSnapshotFrame = Static<typeof InstanceSnapshotFrame>;

/** What happened to the instance of an `instance` frame. */
export const InstanceEventType = t.Union([t.Literal("registered"), t.Literal("status"), t.Literal("removed"), t.Literal("heartbeat")], {
  description:
    "registered: new, or its URL, owner or settings changed. status: its health changed. removed: removed or expired (the instance as last known). " +
    "heartbeat: seen alive again, status unchanged (at most once per instance per second).",
});
export type InstanceEventType = Static<typeof InstanceEventType>;

/** `event: instance`: one change, in the order the registry made it (local or from another node). */
export const InstanceEventFrame = t.Object(
  { type: InstanceEventType, instance: Instance },
  { description: "A change of one instance the caller may see: the instance after it (for `removed`: as it was)." },
);
export type InstanceEventFrame = Static<typeof InstanceEventFrame>;

/** Why a stream ended; the codes are the ones a request would be refused with, so a client treats them alike. */
export const StreamEndCode = t.Union([t.Literal("user.token_revoked"), t.Literal("user.token_expired"), t.Literal("registry.server_stopping")], {
  description:
    "user.token_revoked: the caller's session ended (sign in again). user.token_expired: the token's lifetime is over (reconnect with a fresh token). " +
    "registry.server_stopping: this server is shutting down (reconnect, possibly to another node).",
});
export type StreamEndCode = Static<typeof StreamEndCode>;

/** `event: end`, the last frame of a stream the server ends (a dropped slow reader gets none: its connection is cut). */
export const StreamEndFrame = t.Object({ code: StreamEndCode }, { description: "Last frame; the server closes the stream after it." });
export type StreamEndFrame = Static<typeof StreamEndFrame>;

/** The frames of the stream by event name, for the OpenAPI document (`text/event-stream` has no JSON schema of its own). */
export const InstanceEventStream = t.Object(
  {
    snapshot: InstanceSnapshotFrame,
    instance: InstanceEventFrame,
    end: StreamEndFrame,
  },
  {
    description:
      "A `text/event-stream`: `event: snapshot` first, then `event: instance` per change, `: keep-alive` comments every 15 s, and `event: end` when the server ends it. " +
      "This object maps each event name to the JSON of its `data:` line.",
  },
);
