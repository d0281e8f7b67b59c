/**
 * @module Server answers checked against the contract (src/contracts, TypeBox) before the SDK or the
 * CLI relies on them: a server of another version, or something else at its address, is named as such
 * instead of surfacing later as `undefined` somewhere.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import { Errors } from "@sinclair/typebox/errors";
import { Check } from "@sinclair/typebox/value";
import { ServerError } from "./http.js";

/**
 * Why `answer` does not fit `schema` (the first field that does not, and how), or `undefined` when it
 * fits. `what` names the call, e.g. `POST /user-svc/login`.
 *
 * @internal
 */
export function answerMismatch(schema: TSchema, answer: unknown, what: string): string | undefined {
  if (Check(schema, answer)) return undefined;
  const first = Errors(schema, answer).First();
  const detail = first ? `${first.path || "the body"}: ${first.message}` : "unexpected shape";
  return `the server's answer to ${what} does not match the contract (${detail})`;
}

/**
 * `answer` as the contract's type, or a {@link ServerError} 502 saying what does not fit.
 *
 * @internal
 */
export function checkAnswer<S extends TSchema>(schema: S, answer: unknown, what: string): Static<S> {
  const mismatch = answerMismatch(schema, answer, what);
  if (mismatch) throw new ServerError(502, mismatch);
  return answer as Static<S>;
}
