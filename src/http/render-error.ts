/**
 * @module The one place an {@link AppError} becomes a response (contract §2 body `{error, code}`), for
 * the app's error handler, the request-target refusals, the proxy, Bun's last-resort callback and the
 * start-up stub alike, so no answer can differ from another in shape.
 */
import { applyCors } from "./cors";
import type { AppError } from "./errors";
import { requestIdOf } from "./request-id";

/**
 * `err` as a JSON response with its status and headers. Given the `request`, the answer also carries
 * CORS (a browser can read it) and `x-request-id` (to find the log line): pass it where nothing else
 * adds them. The Elysia app's answers get both from handler.ts, so its error handler passes none.
 */
export function renderError(err: AppError, request?: Request): Response {
  const headers = new Headers(err.headers);
  headers.set("content-type", "application/json");
  if (request !== undefined) {
    headers.set("x-request-id", requestIdOf(request));
    applyCors(headers, request.headers.get("origin"));
  }
  return new Response(JSON.stringify({ error: err.message, code: err.code }), { status: err.status, headers });
}
