/**
 * @module W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` of a request,
 * kept per Request object like its id. A valid incoming value (§3.2: `00-<32 hex trace-id>-<16 hex
 * parent-id>-<2 hex flags>`, ids not all zero) is passed on unchanged: the server records no spans,
 * so a parent-id of its own would point at a span no collector ever sees and break the caller's trace
 * tree (§3.2 lets a participant forward the header as it came). An absent or invalid one is replaced
 * by a new trace (§4.3, "restart the trace"): random trace-id and parent-id, flags 00 (not sampled:
 * nobody here decided to sample). `tracestate` is forwarded untouched with the other fields.
 */
import { isSaneRequestId } from "./request-id";

const traces = new WeakMap<Request, string>();
/** One random draw per request serves a new trace-id, parent-id and request id (hex, natively encoded). */
const random = Buffer.alloc(32);

/** The request's traceparent: the client's when valid, else a new one; the same on every call. */
export function traceparentOf(request: Request): string {
  let value = traces.get(request);
  if (value === undefined) {
    const incoming = request.headers.get("traceparent");
    value = incoming !== null && isValidTraceparent(incoming) ? incoming : newTraceparent();
    traces.set(request, value);
  }
  return value;
}

/**
 * Makes sure `headers` (a request's own, edited in place by the proxy) carry a valid traceparent and a
 * sane `x-request-id`, the client's or new ones (16 hex digits for the id). No per-request map entry:
 * traceparentOf() and requestIdOf() read the same values back. One random draw for both: 0.5 µs
 * against 1.8 µs for two draws encoded by hand (measured, best of 12 × 20,000).
 */
export function ensureTraceHeaders(headers: Headers): void {
  const id = headers.get("x-request-id");
  const trace = headers.get("traceparent");
  const newId = id === null || !isSaneRequestId(id);
  const newTrace = trace === null || !isValidTraceparent(trace);
  if (!newId && !newTrace) return;
  crypto.getRandomValues(random);
  if (newId) headers.set("x-request-id", random.toString("hex", 24, 32));
  if (newTrace) headers.set("traceparent", traceparentFromRandom());
}

/** The 32-hex trace-id part of a traceparent (what the request log line shows). */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}

/**
 * Version 00 exactly as §3.2 writes it (lowercase hex, fixed lengths). A higher version is also
 * accepted when its first four fields have the version-00 shape (§4.3: parse what is known, keep the
 * rest); version ff is invalid, and so are all-zero ids.
 */
export function isValidTraceparent(value: string): boolean {
  if (value.length < 55 || value[2] !== "-" || value[35] !== "-" || value[52] !== "-") return false;
  if (value.length > 55 && (value.startsWith("00") || value[55] !== "-")) return false;
  if (!isHex(value, 0, 2) || value.startsWith("ff") || !isHex(value, 3, 35) || !isHex(value, 36, 52) || !isHex(value, 53, 55)) return false;
  return !isZero(value, 3, 35) && !isZero(value, 36, 52);
}

/** A new traceparent: version 00, random 16-byte trace-id and 8-byte parent-id, flags 00. */
export function newTraceparent(): string {
  crypto.getRandomValues(random);
  return traceparentFromRandom();
}

/** The traceparent of the first 24 bytes of `random`. */
function traceparentFromRandom(): string {
  const value = `00-${random.toString("hex", 0, 16)}-${random.toString("hex", 16, 24)}-00`;
  // An all-zero id is invalid (§3.2.2.3/4); odds of 2^-128 and 2^-64, but cheap to rule out.
  return isZero(value, 3, 35) || isZero(value, 36, 52) ? newTraceparent() : value;
}

function isHex(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function isZero(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (value.charCodeAt(i) !== 48) return false;
  return true;
}
