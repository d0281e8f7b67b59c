/** @module Request ids: the client's `X-Request-Id` when it is sane, else a new one; kept per Request object. */
import { randomBase62 } from "../lib/ids";

const ids = new WeakMap<Request, string>();
const SANE = /^[\w.:-]{1,128}$/;

/** Whether a client's `X-Request-Id` is kept (word characters, `.`, `:` and `-`, up to 128). */
export function isSaneRequestId(value: string): boolean {
  return SANE.test(value);
}

/** The id of this request, assigned on first use. */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (!id) {
    const incoming = request.headers.get("x-request-id");
    id = incoming && SANE.test(incoming) ? incoming : randomBase62(16);
    ids.set(request, id);
  }
  return id;
}
