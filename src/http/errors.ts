/**
 * @module Typed application errors and the one place they become HTTP responses.
 * Contract §2: every error body is `{"error": "<human message>", "code": "<module.snake_case>"}` and
 * never carries a stack, SQL or upstream internals.
 */
import { t } from "elysia";

/** The wire shape of every error response; used in each route's `response` map for OpenAPI. */
export const ErrorBody = t.Object(
  {
    error: t.String({ description: "Human-readable message." }),
    code: t.String({ description: "Stable machine-readable code, `<module>.<snake_case>`." }),
  },
  { $id: "#/components/schemas/ErrorBody", title: "ErrorBody" },
);

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
export const notFound = (code: string, message: string) => new AppError(404, code, message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const payloadTooLarge = (limit: number) =>
  new AppError(413, "http.body_too_large", `request body is larger than the limit of ${limit} bytes`);
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

/** Common error statuses for OpenAPI `response` maps: `{ ...errors(400, 401) }`. */
export function errors<const S extends number>(...statuses: S[]): { [K in S]: typeof ErrorBody } {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as { [K in S]: typeof ErrorBody };
}
