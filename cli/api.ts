/** @module HTTP calls to the selected server; a non-2xx answer becomes a {@link CliError} with the server's message. */
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

/** Like {@link apiCall} but returns the body text (for raw calls). */
export async function apiText(baseUrl: string, method: string, path: string, options: ApiOptions = {}): Promise<string> {
  const url = new URL(baseUrl.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`));
  const query = options.query ?? {};
  for (const [k, v] of Array.isArray(query) ? query : Object.entries(query)) url.searchParams.append(k, v);
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new CliError(`cannot reach ${url.origin}: ${(err as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw serverError(response.status, text);
  return text;
}

/** The server's `{error, code}` (contract §2) as an {@link ApiError}; a body that is not JSON is shown as is. */
function serverError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: unknown; code?: unknown };
    if (typeof body.error === "string") return new ApiError(`${body.error} (HTTP ${status})`, status, typeof body.code === "string" ? body.code : undefined);
  } catch {
    // not JSON: show the text itself
  }
  return new ApiError(`${text.trim() || "request failed"} (HTTP ${status})`, status);
}
