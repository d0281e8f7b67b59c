/**
 * @module The proxy's own error answers (contract §2 body, never upstream internals; those are
 * logged with the request id). They carry CORS headers, like every response the server makes itself,
 * so a browser can read them, and the request id to find the log line.
 */
import { AppError, errorResponse, notFound } from "../../http/errors";
import { applyCors } from "../../http/cors";
import { requestIdOf } from "../../http/request-id";

export const noInstances = () => notFound("proxy.no_instances", "no instances found");
export const noHealthyInstances = () => new AppError(503, "proxy.no_healthy_instances", "no healthy instances found");
export const upstreamUnreachable = () => new AppError(502, "proxy.upstream_unreachable", "could not connect to any instance");
/** The registry's network policy refused the instance's address (contract §4); the reason is logged, not sent. */
export const addressDenied = () => new AppError(502, "proxy.address_denied", "the instance's address is denied by the network policy");
export const badHandshake = () => new AppError(400, "proxy.bad_handshake", "malformed WebSocket handshake (Sec-WebSocket-Protocol must be distinct comma-separated tokens)");
export const badGateway = () => new AppError(502, "proxy.bad_gateway", "the instance failed to answer");
export const upstreamTimeout = () => new AppError(504, "proxy.upstream_timeout", "the instance did not answer in time");
/** RFC 5842 §7.2 508 Loop Detected: the request came back around more than hops.ts's MAX_HOPS times. */
export const loopDetected = () => new AppError(508, "proxy.loop_detected", "request passed through too many proxies (a proxy loop?)");
/** A bug on our side (the caller logs it with the request id); same answer as the app's error handler. */
export const internalError = (requestId: string) => new AppError(500, "http.internal", `internal error (request id ${requestId})`);

/** The JSON error response for `err`, with CORS and `x-request-id`. */
export function proxyErrorResponse(request: Request, err: AppError): Response {
  const response = errorResponse(err, { "x-request-id": requestIdOf(request) });
  applyCors(response.headers, request.headers.get("origin"));
  return response;
}
