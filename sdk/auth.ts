/**
 * @module Request authentication for service handlers: works on a plain `Request` (Bun.serve, fetch
 * handlers) and therefore in Elysia too (`derive` + `onError`), without depending on any framework.
 */
import { ForbiddenError, InvalidTokenError } from "./errors.js";
import { PermissionChecker } from "./permissions.js";
import { TokenVerifier, type Caller } from "./verify.js";

/**
 * The JSON error response for an {@link InvalidTokenError} (401) or {@link ForbiddenError} (403), with
 * the server's body shape and codes (`user.missing_token`, `user.invalid_token`,
 * `auth.permission_denied`); `undefined` for any other error, so Elysia's `onError` falls through.
 *
 * @example
 * new Elysia().onError(({ error }) => authErrorResponse(error))
 */
export function authErrorResponse(err: unknown): Response | undefined {
  if (err instanceof InvalidTokenError || err instanceof ForbiddenError) return json(err.status, { error: err.message, code: err.code });
  return undefined;
}

/**
 * A fetch-style handler that also receives the verified caller.
 *
 * @example
 * const hello: AuthedHandler = (_req, caller) => Response.json({ hello: caller.slug });
 */
export type AuthedHandler = (request: Request, caller: Caller) => Response | Promise<Response>;

/**
 * Authenticates requests against one 1Backend server.
 *
 * @example
 * const auth = new Authenticator("http://127.0.0.1:11337");
 * Bun.serve({ fetch: auth.guard((req, caller) => Response.json({ hello: caller.slug })) });
 *
 * @example
 * // Elysia
 * new Elysia()
 *   .onError(({ error }) => authErrorResponse(error))
 *   .derive(async ({ request }) => ({ caller: await auth.authenticate(request) }))
 *   .get("/my-svc/me", ({ caller }) => ({ slug: caller.slug }));
 */
export class Authenticator {
  constructor(
    serverUrl: string,
    readonly verifier = new TokenVerifier(serverUrl),
    readonly permissions = new PermissionChecker(serverUrl),
  ) {}

  /**
   * Verifies the request's token offline and, when `permission` is given, asks the server (which also
   * catches revoked tokens). Throws {@link InvalidTokenError} (401) or {@link ForbiddenError} (403).
   */
  async authenticate(request: Request | Headers | string | null | undefined, permission?: string): Promise<Caller> {
    const caller = await this.verifier.verify(authorizationOf(request));
    if (permission && !(await this.permissions.has(caller.token, permission)).authorized) {
      throw new ForbiddenError(permission);
    }
    return caller;
  }

  /** Wraps a handler: 401/403 JSON answers for unauthenticated or unauthorised requests, else `handler(request, caller)`. */
  guard(handler: AuthedHandler, options: { permission?: string } = {}): (request: Request) => Promise<Response> {
    return async (request) => {
      let caller: Caller;
      try {
        caller = await this.authenticate(request, options.permission);
      } catch (err) {
        const response = authErrorResponse(err);
        if (response) return response;
        throw err;
      }
      return handler(request, caller);
    };
  }
}

function authorizationOf(source: Request | Headers | string | null | undefined): string | null | undefined {
  if (source instanceof Request) return source.headers.get("authorization");
  if (source instanceof Headers) return source.get("authorization");
  return source;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}
