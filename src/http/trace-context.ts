/**
 * @module W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` of a request,
 * kept per Request object like its id. A valid incoming value (§3.2: `00-<32 hex trace-id>-<16 hex
 * parent-id>-<2 hex flags>`, ids not all zero) is passed on unchanged: the server records no spans,
 * so a parent-id of its own would point at a span no collector ever sees and break the caller's trace
 * tree (§3.2 lets a participant forward the header as it came). An absent or invalid one is replaced
 * by a new trace (§4.3, "restart the trace"): random trace-id and parent-id, flags 00 (not sampled:
 * nobody here decided to sample). `tracestate` is forwarded untouched with the other fields.
 */

const traces = new WeakMap<Request, string>();
const HEX = "0123456789abcdef";
const randomBytes = new Uint8Array(24);

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
  crypto.getRandomValues(randomBytes);
  let trace = "";
  for (let i = 0; i < 16; i++) trace += HEX[randomBytes[i]! >> 4]! + HEX[randomBytes[i]! & 15]!;
  let parent = "";
  for (let i = 16; i < 24; i++) parent += HEX[randomBytes[i]! >> 4]! + HEX[randomBytes[i]! & 15]!;
  // An all-zero id is invalid (§3.2.2.3/4); 2^-128 and 2^-64, but cheap to rule out.
  if (/^0+$/.test(trace) || /^0+$/.test(parent)) return newTraceparent();
  return `00-${trace}-${parent}-00`;
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
