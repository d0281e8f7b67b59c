/**
 * @module Authentication and permissions as a route option. A route declares `{ auth: true }` (any
 * valid token) or `{ auth: "registry-svc:instance:view" }` (a permission, as data); the guard answers
 * 401 or 403 and hands the handler `caller`, and declares the bearer scheme in the route's OpenAPI
 * operation, so the document cannot disagree with the guard. The interface it asks (`AuthGate`, implemented
 * by the User Svc) lives in `modules/auth-gate.ts`, so services need no Elysia to name a caller.
 */
import { Elysia } from "elysia";
import { permissionDenied } from "./errors";
import type { AuthGate } from "../modules/auth-gate";

/** Name of the OpenAPI security scheme (HTTP bearer, a JWT) declared in the document's components. */
export const BEARER_SCHEME = "BearerAuth";

/** Name of the scheme of the one operation that takes an API key instead of a token (`exchangeApiKey`). */
export const API_KEY_SCHEME = "ApiKey";

/** What a route option `auth` asks for: any valid token, or one whose caller holds a permission. */
export type AuthOption = true | string;

/** The OpenAPI `security` of an operation that needs a token (no scopes: OpenAPI 3.0 allows none for HTTP schemes). */
export function bearerSecurity(): Record<string, string[]>[] {
  return [{ [BEARER_SCHEME]: [] }];
}

/** The OpenAPI operation fields the guard adds: the security requirement and, for a permission, `x-permission`. */
export function guardDetail(auth: AuthOption): { security: Record<string, string[]>[]; "x-permission"?: string } {
  return auth === true ? { security: bearerSecurity() } : { security: bearerSecurity(), "x-permission": auth };
}

/** The resolver of each guarded route → its `auth` option (Elysia drops the option once applied). */
const guardedResolvers = new WeakMap<object, AuthOption>();

/**
 * The `auth` option a registered route was built with, read from its hooks (`app.routes[i].hooks`), or
 * undefined for a route the guard does not protect. For tests and tooling that check the OpenAPI
 * document against what the guard really enforces.
 */
export function authOptionOf(hooks: Record<string, unknown> | undefined): AuthOption | undefined {
  for (const hook of Object.values(hooks ?? {})) {
    for (const entry of Array.isArray(hook) ? hook : [hook]) {
      const fn = typeof entry === "function" ? entry : (entry as { fn?: unknown } | null)?.fn;
      const auth = typeof fn === "function" ? guardedResolvers.get(fn) : undefined;
      if (auth !== undefined) return auth;
    }
  }
  return undefined;
}

/** The guard plugin; `.use()` it in each module's routes. */
export function authGuard(gate: AuthGate) {
  return new Elysia({ name: "auth-guard", seed: gate }).macro({
    auth: (permission: AuthOption) => {
      // `request` rather than `headers`: Elysia only fills `headers` when it infers their use, and that
      // inference misses macro resolvers in the compiled binary (headers was undefined → 500 there).
      const resolve = async ({ request }: { request: Request }) => {
        const caller = await gate.authenticate(request.headers.get("authorization"));
        if (typeof permission === "string" && !(await gate.hasPermission(caller, permission))) {
          throw permissionDenied(`permission ${permission} is required`);
        }
        return { caller };
      };
      guardedResolvers.set(resolve, permission);
      // Merged into the route's own `detail`: Swagger UI's Authorize then sends the token on this operation.
      return { resolve, detail: guardDetail(permission) };
    },
  });
}
