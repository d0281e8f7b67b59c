/**
 * @module Typed application errors and the one place they become HTTP responses.
 * Contract §2: every error body is `{"error": "<human message>", "code": "<module.snake_case>"}` and
 * never carries a stack, SQL or upstream internals. No Elysia here: services throw these, and the
 * wire schema of the body is `contracts/error.ts`.
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
export const tooManyRequests = (code: string, retryAfterSeconds: number) =>
  new AppError(429, code, `too many attempts, retry in ${retryAfterSeconds}s`, { "retry-after": String(retryAfterSeconds) });
export const notImplemented = (code: string, message: string) => new AppError(501, code, message);

/** JSON error response for an {@link AppError}. */
export function errorResponse(err: AppError, extraHeaders?: Record<string, string>): Response {
  const headers = new Headers(extraHeaders);
  headers.set("content-type", "application/json");
  for (const [k, v] of Object.entries(err.headers)) headers.set(k, v);
  return new Response(JSON.stringify({ error: err.message, code: err.code }), { status: err.status, headers });
}
