/**
 * @module Permission checks through the server (POST /user-svc/self/has/{permission}), cached per
 * token and permission until the token's expiry, like 1Backend's Go SDK.
 */
import { createHash } from "node:crypto";
import { ApiClient, ServerError } from "./http.js";

/**
 * The server's answer to has-permission (fields of 1Backend's `HasPermissionResponse`).
 *
 * @example
 * const { authorized, user } = await permissions.has(token, "my-svc:pet:view");
 */
export interface PermissionAnswer {
  authorized: boolean;
  user?: { id: string; slug: string };
  appId?: string;
  /** ISO time until which the answer holds (the token's expiry). */
  until?: string;
}

/** Bound on cached answers; the oldest entries go first. */
const MAX_CACHED = 10_000;

/**
 * Asks the server whether the holder of a token has a permission. A revoked or invalid token answers
 * `{authorized: false}` rather than throwing.
 *
 * @example
 * const permissions = new PermissionChecker("http://127.0.0.1:11337");
 * if (!(await permissions.has(caller.token, "skeleton-svc:hello:view")).authorized) return new Response(null, { status: 403 });
 */
export class PermissionChecker {
  private readonly api: ApiClient;
  private readonly cache = new Map<string, { answer: PermissionAnswer; until: number }>();

  constructor(serverUrl: string) {
    this.api = new ApiClient(serverUrl);
  }

  /** Checks `permission` for `token`; answers are cached until `until` (at most 60 s). */
  async has(token: string, permission: string): Promise<PermissionAnswer> {
    const key = createHash("sha256").update(token).digest("base64url") + ":" + permission;
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.answer;
    const answer = await this.ask(token, permission);
    if (answer.authorized) this.remember(key, answer);
    return answer;
  }

  private async ask(token: string, permission: string): Promise<PermissionAnswer> {
    try {
      const path = `/user-svc/self/has/${encodeURIComponent(permission)}`;
      return await this.api.call<PermissionAnswer>("POST", path, { token });
    } catch (err) {
      if (err instanceof ServerError && (err.status === 401 || err.status === 403 || err.status === 422)) {
        return { authorized: false };
      }
      throw err;
    }
  }

  private remember(key: string, answer: PermissionAnswer): void {
    // Revocation must show up soon, so even a long-lived token is re-asked within a minute.
    const until = Math.min(answer.until ? Date.parse(answer.until) : 0, Date.now() + 60_000);
    if (!(until > Date.now())) return;
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { answer, until });
  }
}
