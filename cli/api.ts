/**
 * @module HTTP calls to the selected server through the SDK's client (sdk/http.ts); a non-2xx answer
 * becomes an {@link ApiError} with the server's message, an unreachable server a {@link CliError}, and
 * an answer that does not fit its contract (src/contracts) a {@link CliError} naming the field.
 */
import type { Static } from "@sinclair/typebox";
import { ApiClient, ServerError } from "../sdk/http";
import type { AnswerName, Answers } from "./answers";
import { ApiError, CliError } from "./errors";

/** Body, token and query of one call. */
export interface ApiOptions {
  body?: unknown;
  /** Sent as `Authorization: Bearer …` when given (raw calls on public endpoints go without). */
  token?: string;
  /** Query parameters; pairs allow a repeated name. */
  query?: Record<string, string> | [string, string][];
}

/** Calls `method path` on `baseUrl` and returns the parsed JSON (`{}` for an empty body). */
export async function apiCall<T = any>(baseUrl: string, method: string, path: string, options: ApiOptions = {}): Promise<T> {
  const text = await apiText(baseUrl, method, path, options);
  if (text.trim() === "") return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CliError(`the server answered ${method} ${path} with something that is not JSON`);
  }
}

/** Like {@link apiCall}, with the answer checked against its contract schema (cli/answers.ts). */
export async function apiAnswer<N extends AnswerName>(name: N, baseUrl: string, method: string, path: string, options: ApiOptions = {}): Promise<Static<(typeof Answers)[N]>> {
  const answer: unknown = await apiCall(baseUrl, method, path, options);
  // Loaded here, not at start-up: TypeBox is most of what the CLI would otherwise load first.
  const [{ Answers }, { answerMismatch }] = await Promise.all([import("./answers"), import("../sdk/answer")]);
  const mismatch = answerMismatch(Answers[name], answer, `${method} ${path}`);
  if (mismatch) throw new CliError(mismatch);
  return answer as Static<(typeof Answers)[N]>;
}

/** Like {@link apiCall} but returns the body text (for raw calls). */
export async function apiText(baseUrl: string, method: string, path: string, options: ApiOptions = {}): Promise<string> {
  const api = new ApiClient(baseUrl);
  try {
    // A redirect is shown as it is, not followed; a slow server gets 30 s (the SDK's default is 10).
    return await api.text(method, path.startsWith("/") ? path : `/${path}`, { ...options, redirect: "manual", timeoutMs: 30_000 });
  } catch (err) {
    if (err instanceof ServerError) throw serverError(err);
    throw new CliError(`cannot reach ${new URL(api.baseUrl).origin}: ${(err as Error).message}`);
  }
}

/** The server's `{error, code}` (contract §2) as an {@link ApiError}; a body that is not JSON is shown as is. */
function serverError(err: ServerError): ApiError {
  const message = err.body.trim() === "" ? "request failed" : err.message;
  return new ApiError(`${message} (HTTP ${err.status})`, err.status, err.code);
}
