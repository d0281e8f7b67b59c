/**
 * @module The edge's error catalogue (contract §2, §8): every `edge.*` code the management API, the
 * edge listeners and ACME answer or log is declared here once, as a named constructor. Bad input is
 * 400 naming the field (1Backend answers 500); a missing permission is http/errors.ts
 * `permissionDenied`, what the route guard answers. Owners add their codes here by small edits.
 */
import { AppError, badRequest, notFound } from "../../http/errors";

// --- management API: routes, redirects, certificates (E1) -------------------------------------

/** A body field failed a rule the schema cannot say; `field` is its dotted path (`routes.0.id`). */
export const invalidField = (field: string, message: string) => badRequest("edge.invalid_field", `invalid field ${field}: ${message}`);
/** A save named the same id twice. */
export const duplicateId = (field: string, id: string) => badRequest("edge.duplicate_id", `invalid field ${field}: id ${JSON.stringify(id)} appears twice`);
/** A certificate bundle that does not parse, lacks its key, has a key of another certificate, or has expired. */
export const invalidCertificate = (field: string, message: string) => badRequest("edge.invalid_certificate", `invalid field ${field}: ${message}`);
/** Too many items in one save or one filter. */
export const tooMany = (field: string, max: number) => badRequest("edge.too_many", `invalid field ${field}: at most ${max} items per request`);
/** The edge needs OB_ENCRYPTION_KEY to store or read private keys and none is configured. */
export const encryptionKeyMissing = () => new AppError(503, "edge.encryption_key_missing", "certificates cannot be stored: OB_ENCRYPTION_KEY is not set");

// --- edge listeners (E2) -----------------------------------------------------------------------

/** No redirect and no route matches the request's host and path. */
export const routeNotFound = (host: string, path: string) => notFound("edge.route_not_found", `no route for host ${JSON.stringify(host)} and path ${JSON.stringify(path)}`);
/** The HTTP listener got an ACME challenge path whose token no order under way has. */
export const challengeNotFound = () => notFound("edge.challenge_not_found", "no ACME challenge with this token");
