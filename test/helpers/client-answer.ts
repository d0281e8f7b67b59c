/**
 * @module What a call through the official `@1backend/client` answered: 200 and its value, or the refusal's
 * status, `{error, code}` body and Retry-After. The client throws `ResponseError` for every non-2xx answer;
 * this is the one place tests turn that back into an answer to compare.
 */
import { ResponseError } from "@1backend/client";

export interface ClientAnswer<T> {
  status: number;
  /** The call's result when it succeeded. */
  value?: T;
  code?: string;
  error?: string;
  retryAfter: string | null;
  /** The refusal's parsed body (undefined when it had none or was not JSON). */
  body?: { error?: string; code?: string } & Record<string, unknown>;
}

/** Awaits `call`: 200 with its value, or the refusal it threw; any other error is rethrown. */
export async function answerOf<T>(call: Promise<T>): Promise<ClientAnswer<T>> {
  try {
    return { status: 200, value: await call, retryAfter: null };
  } catch (err) {
    if (!(err instanceof ResponseError)) throw err;
    const text = await err.response.text();
    let body: ClientAnswer<T>["body"];
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: err.response.status, code: body?.code, error: body?.error, retryAfter: err.response.headers.get("retry-after"), body };
  }
}
