/**
 * @module Typed application errors: AppError, the generic constructors module catalogues build on, and
 * the catalogue of the server's own `http.*` answers. Contract §2: every error body is
 * `{"error": "<human message>", "code": "<module.snake_case>"}` and never carries a stack, SQL or
 * upstream internals. Each module declares its codes once, in its own `errors.ts` (registry, proxy,
 * user); render-error.ts turns any of them into the response. No Elysia here: services throw these,
 * and the wire schema of the body is `contracts/error.ts`.
 */
import { AuthCodes } from "../contracts/authorization";

/** An expected failure with its HTTP status and a stable code. Services throw these; routes never branch on messages. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `Retry-After` on 429 or `Allow` on 405. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new AppError(400, code, message);
export const unauthorized = (code: string, message = "Unauthorized") => new AppError(401, code, message);
export const forbidden = (code: string, message = "Forbidden") => new AppError(403, code, message);
/** 403 for a caller without a permission (or not the owner of what it names): one code everywhere. */
export const permissionDenied = (message: string) => forbidden(AuthCodes.permissionDenied, message);
export const notFound = (code: string, message: string) => new AppError(404, code, message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const tooManyRequests = (code: string, retryAfterSeconds: number) =>
  new AppError(429, code, `too many attempts, retry in ${retryAfterSeconds}s`, { "retry-after": String(retryAfterSeconds) });
export const notImplemented = (code: string, message: string) => new AppError(501, code, message);

// The http.* catalogue: what the server answers before or outside any module.

/** The body is larger than `limit` bytes (OB_BODY_LIMIT), refused while it is read. */
export const payloadTooLarge = (limit: number) =>
  new AppError(413, "http.body_too_large", `request body is larger than the limit of ${limit} bytes`);
/** The body is not JSON (RFC 8259). */
export const invalidJson = () => new AppError(400, "http.invalid_json", "request body is not valid JSON");
/** The body nests arrays/objects deeper than `max` (contract §2: 32), refused before it is parsed. */
export const jsonTooDeep = (max: number) =>
  new AppError(400, "http.json_too_deep", `request body nests arrays or objects deeper than ${max} levels`);
/** The body holds more JSON values than `max` (OB_JSON_MAX_VALUES), refused before it is parsed. */
export const jsonTooManyValues = (max: number) =>
  new AppError(413, "http.json_too_many_values", `request body holds more than ${max} JSON values`);
/**
 * A body field, query or path parameter failed its schema; `path` is a JSON pointer (`/a/0/b`). The
 * name is cut at 200 characters: a label key is the client's text and may be as long as the body.
 */
export const invalidInput = (where: "field" | "query parameter" | "path parameter", path: string, message: string) =>
  badRequest("http.invalid_request", `invalid ${where} ${path.slice(1, 201).replaceAll("/", ".") || "body"}: ${message}`);
/** The request target is not origin-form (`/path`), or the method is CONNECT (request-target.ts). */
export const invalidTarget = () => badRequest("http.invalid_target", "only origin-form request targets (/path) are served");
/** More than one Host line (RFC 9112 §3.2; request-target.ts). */
export const duplicateHost = () => badRequest("http.duplicate_host", "a request carries exactly one Host header field");
/** Repeated Content-Length lines, even identical ones (request-target.ts says why). */
export const duplicateContentLength = () => badRequest("http.duplicate_content_length", "a request carries at most one Content-Length header field");
/** No built-in route has this path. */
export const endpointNotFound = () => notFound("http.not_found", "no such endpoint");
/** 405 for a path that exists with other methods; `Allow` lists them (method-not-allowed.ts finds them). */
export const methodNotAllowed = (allowed: readonly string[]) =>
  new AppError(405, "http.method_not_allowed", `method not allowed; allowed: ${allowed.join(", ")}`, { allow: allowed.join(", ") });
/**
 * A bug on our side, logged with `requestId`: the body says nothing internal, only the id, which is
 * also the response's `x-request-id` so a client can quote it without parsing the message.
 */
export const internalError = (requestId: string) =>
  new AppError(500, "http.internal", `internal error (request id ${requestId})`, { "x-request-id": requestId });
/** Between bind and ready (migrations, key pair): every route but liveness answers this (serve.ts). */
export const serverStarting = () => new AppError(503, "http.starting", "the server is starting, retry in a moment", { "retry-after": "1" });
