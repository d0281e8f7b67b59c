/**
 * @module The console's one way to call the server: `api<T>(method, path, body?)` adds the in-memory
 * token, turns our `{error, code}` bodies into a thrown `ApiError`, keeps the token fresh (a token near
 * its expiry is refreshed first, so long-open pages keep working), and on a 401 it cannot recover from
 * ends the session — the router then shows sign-in.
 */
import { clearSession, session, setSession } from "./session";
import type { TokenResponse } from "../../src/contracts/user/models";

/** A failed call: the HTTP status and our stable error code (`network` when the server was not reached). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** 401 codes that mean the token itself is no good (others, e.g. a wrong current password, do not sign out). */
const SESSION_ENDED = new Set(["user.missing_token", "user.invalid_token", "user.token_revoked", "user.token_expired", "user.user_gone", "user.device_not_allowed"]);

/** Refresh a token this long before it expires (at most a quarter of its lifetime early). */
const REFRESH_AHEAD_MS = 30_000;
let refreshing: Promise<boolean> | undefined;

/** Calls `path` (e.g. `/registry-svc/instances`) and answers its JSON body (`{}` for an empty 2xx). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  await freshToken();
  const token = session()?.token;
  const response = await send(method, path, body, token);
  if (response.status === 401 && token && SESSION_ENDED.has(await codeOf(response))) clearSession();
  return read<T>(response);
}

/** Calls `path` without a token (sign-in). */
export async function publicApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  return read<T>(await send(method, path, body, undefined));
}

/**
 * Makes sure the session's token is not about to expire: refreshes it (POST /user-svc/refresh-token)
 * when it is. Answers false, and ends the session, when the server refuses (revoked).
 */
export async function freshToken(force = false): Promise<boolean> {
  const current = session();
  if (!current) return false;
  if (!force && current.expiresAt - Date.now() > Math.min(REFRESH_AHEAD_MS, current.lifetimeMs / 4)) return true;
  refreshing ??= refresh(current.token).finally(() => (refreshing = undefined));
  return refreshing;
}

async function refresh(token: string): Promise<boolean> {
  try {
    const response = await send("POST", "/user-svc/refresh-token", undefined, token);
    if (response.status === 401) {
      clearSession();
      return false;
    }
    const answer = await read<TokenResponse>(response);
    if (session()?.token === token) setSession(answer.token.token);
    return true;
  } catch {
    return false; // unreachable server: keep the session, the next call reports it
  }
}

async function send(method: string, path: string, body: unknown, token: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  try {
    return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "network", "The server could not be reached.");
  }
}

async function codeOf(response: Response): Promise<string> {
  try {
    return ((await response.clone().json()) as { code?: string }).code ?? "";
  } catch {
    return "";
  }
}

async function read<T>(response: Response): Promise<T> {
  const text = await response.text();
  let parsed: unknown = {};
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = {};
    }
  }
  if (!response.ok) {
    const error = parsed as { error?: string; code?: string };
    throw new ApiError(response.status, error.code ?? `http.${response.status}`, error.error ?? `${response.status} ${response.statusText}`);
  }
  return parsed as T;
}

/** A human message for any error a call threw (403s say so plainly). */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return `You do not have permission for this (${err.code}).`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
