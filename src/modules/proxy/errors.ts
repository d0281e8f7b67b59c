/**
 * @module The proxy's error catalogue: every `proxy.*` code (contract §2 body, never upstream
 * internals; those are logged with the request id). The proxy answers them with render-error.ts
 * given the request, so they carry CORS, like every response the server makes itself, and the
 * request id to find the log line.
 */
import { AppError, notFound } from "../../http/errors";

/** A bug on our side: the one http.internal answer, also the proxy's (it logs the id first). */
export { internalError } from "../../http/errors";

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
