/**
 * @module `GET /registry-svc/events`: the instances the caller may see as a server-sent event stream
 * (event-streams.ts), guarded like the list (`registry-svc:instance:view`) and authenticated by the
 * `Authorization` header only: the console reads it with fetch, so the token never goes into a URL.
 */
import { Elysia } from "elysia";
import { authGuard } from "../../http/auth-guard";
import { errors } from "../../contracts/error";
import { InstanceEventStream } from "../../contracts/registry/events";
import type { AuthGate } from "../auth-gate";
import type { EventStreams } from "./event-streams";
import { INSTANCE_VIEW } from "./permissions";

const DESCRIPTION =
  "A `text/event-stream` of the instances the caller sees (the same ones as `GET /registry-svc/instances`: admins all, others their own slug's). " +
  "First `event: snapshot` with `{\"instances\":[…]}`, then `event: instance` with `{\"type\",\"instance\"}` for every change, in order, made on any node: " +
  "`registered`, `status`, `removed`, and `heartbeat` (at most once per instance per second). A `: keep-alive` comment follows 15 s of quiet. " +
  "The stream ends with `event: end` and `{\"code\"}` when the caller's session is revoked (`user.token_revoked`), its token expires (`user.token_expired`) " +
  "or the server stops (`registry.server_stopping`); a reader that falls further behind than 1 MiB (or its snapshot's size, when larger) is disconnected. " +
  "Send the token in `Authorization` (read the stream with fetch, not EventSource). 429 `registry.too_many_streams` past OB_EVENT_STREAMS_PER_USER open streams per account; 503 `registry.streams_full` past OB_EVENT_STREAMS_MAX on the node.";

/** The event-stream route over `streams`. */
export function eventRoutes(gate: AuthGate, streams: EventStreams) {
  return new Elysia({ name: "registry-svc-events" })
    .use(authGuard(gate))
    .get("/registry-svc/events", ({ caller }) => streams.open(caller), {
      auth: INSTANCE_VIEW,
      response: { 200: InstanceEventStream, ...errors(401, 403, 429, 503) },
      detail: {
        operationId: "streamInstanceEvents",
        summary: "Follow instances live (server-sent events: snapshot, then every change)",
        description: DESCRIPTION,
        tags: ["Registry Svc"],
        // The generator would call the 200 JSON; it is an event stream whose frames the schema maps by event name.
        "x-content-type": "text/event-stream",
      },
    });
}
