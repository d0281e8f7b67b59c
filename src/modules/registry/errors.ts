/**
 * @module The Registry Svc's error catalogue: every `registry.*` code it answers is declared here once,
 * as a named constructor, so services throw `instanceNotFound(id)` and a code cannot drift between two
 * places that mean the same refusal. A missing permission is not ours: it is http/errors.ts
 * `permissionDenied`, what the route guard answers.
 */
import { AppError, badRequest, conflict, forbidden, notFound } from "../../http/errors";

/** The instance URL or one of its parts (`field`) is malformed or disagrees with the URL (url.ts). */
export const invalidUrl = (field: string, why: string) => badRequest("registry.invalid_url", `invalid field ${field}: ${why}`);
/** The instance URL is this server (a request to it would loop through us). */
export const selfUrlRefused = (url: string, why: string) => badRequest("registry.self_url", `url ${url} points at this server (${why})`);
/** The instance URL's host is denied by the network policy; the message names the rule. */
export const addressDenied = (reason: string) => badRequest("registry.address_denied", reason);
/** Another instance (another id) already has this URL. */
export const urlRegistered = (url: string) => conflict("registry.url_registered", `url ${url} is already registered as another instance`);
/** `what` (an instance id or URL) belongs to another slug. */
export const instanceOwned = (what: string) => conflict("registry.instance_owned", `${what} is owned by another account`);
export const instanceNotFound = (id: string) => notFound("registry.instance_not_found", `instance ${id} not found`);
/** The caller may remove instances, but this one is another slug's. */
export const notInstanceOwner = (id: string) => forbidden("registry.not_instance_owner", `instance ${id} is owned by another account`);
/**
 * The caller already holds as many event streams as one account may (OB_EVENT_STREAMS_PER_USER): each
 * is a connection and a queue held for as long as it lasts, so one token cannot open them without end.
 */
export const tooManyStreams = (max: number) =>
  new AppError(429, "registry.too_many_streams", `at most ${max} event streams per account are open at once; close one and retry`, { "retry-after": "5" });
/**
 * This node holds OB_EVENT_STREAMS_MAX event streams: the per-account cap does not bound the total (accounts
 * are free to register), so each node also caps what it keeps open. 503, because it is this node's state, not
 * the caller's doing (RFC 9110 §15.6.4): another node, or this one shortly, may take it.
 */
export const streamsFull = () =>
  new AppError(503, "registry.streams_full", "this node holds as many event streams as it may; retry shortly", { "retry-after": "5" });
export const nodeNotFound = (url: string) => notFound("registry.node_not_found", `node ${url} not found`);
/**
 * The answer to a registration or removal whose commit failed. The change was undone in memory
 * (see InstanceTable.rollBack), so 503 means "nothing happened, retry" (RFC 9110 §15.6.4, with
 * Retry-After §10.2.3), never a half-applied change. The cause is logged, not sent (flusher.ts).
 */
export const notPersisted = () =>
  new AppError(503, "registry.not_persisted", "the change could not be stored and was not made; retry later", { "retry-after": "1" });
