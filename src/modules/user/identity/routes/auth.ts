/** @module Routes: register, login, refresh, exchange, revoke tokens, public key. HTTP only. */
import type { Server } from "bun";
import { Elysia, t } from "elysia";
import { TokenResponse } from "../../../../contracts/user/models";
import { ExchangeTokenBody, LoginBody, RegisterBody, RevokeTokensBody } from "../../../../contracts/user/requests";
import { Empty } from "../../../../contracts/user/fields";
import { authGuard, bearerSecurity } from "../../../../http/auth-guard";
import { clientAddress } from "../../../../http/client-address";
import { errors } from "../../../../contracts/error";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "../../route-context";

/** The caller's address for the limits (a trusted proxy's X-Forwarded-For, else the TCP peer); "unknown" in-process. */
const callerAddress = (c: UserRoutesContext, request: Request, server: Server<unknown> | null) =>
  clientAddress(request.headers, server?.requestIP(request)?.address, c.trust) ?? "unknown";

/** Register, login, refresh, exchange, revoke and public-key routes. */
export function authRoutes(c: UserRoutesContext) {
  return new Elysia({ name: "user-svc/auth" })
    .use(authGuard(c.gate))
    .onTransform(rejectNonObjectBody)
    .post("/user-svc/register", async ({ body, request, server }) => ({ token: await c.accounts.register(body, callerAddress(c, request, server)) }), {
      parse: "json",
      body: RegisterBody,
      response: { 200: TokenResponse, ...errors(400, 409, 413, 429, 501) },
      detail: { summary: "Register a user and get a token; rate-limited per client network", tags: TAGS, operationId: "register", description: "Creates a user in the app named by `appHost` (created when new) and answers a token for it. The slug must be free and not reserved (409 `user.slug_taken`); a password needs 8 characters or more. Anyone may call it; registrations are rate-limited per client network (429 with `Retry-After`). One-time passwords and TOTP answer 501 until they are built." },
    })
    .post(
      "/user-svc/login",
      async ({ body, request, server }) => ({ token: await c.accounts.login(body, callerAddress(c, request, server)) }),
      {
        parse: "json",
        body: LoginBody,
        response: { 200: TokenResponse, ...errors(400, 401, 413, 429, 501) },
        detail: { summary: "Log in by slug or contact and password; failures are rate-limited per client, per slug and client, and per slug", tags: TAGS, operationId: "login", description: "Checks a slug (or a verified contact) and password in the app named by `appHost` and answers a new token (a stored session; see `revokeTokens`). A wrong password and an unknown slug give the same 401 `user.invalid_credentials`. Failed attempts are limited per client, per slug and client, and per slug, so guessing is bounded without letting a stranger lock the owner out (429 with `Retry-After`)." },
      },
    )
    .post("/user-svc/refresh-token", async ({ headers }) => ({ token: await c.accounts.refresh(headers.authorization) }), {
      response: { 200: TokenResponse, ...errors(401) },
      detail: { summary: "Refresh a token (even an expired one) whose session was not revoked", tags: TAGS, operationId: "refreshToken", security: bearerSecurity(), description: "Send the token in `Authorization`; the answer is a fresh token of the same session, also when the old one has expired. 401 when the session was revoked or the token is not ours. Authorize with the token to try it here." },
    })
    .put("/user-svc/token/exchange", async ({ caller, body }) => ({ token: await c.accounts.exchange(caller, body) }), {
      auth: true,
      parse: "json",
      body: ExchangeTokenBody,
      response: { 200: TokenResponse, ...errors(400, 401, 404, 413) },
      detail: { summary: "Exchange the caller's token for one in another app", tags: TAGS, operationId: "exchangeToken", description: "Answers a token of the caller's user in another app (`newAppHost`, created when new, or `newAppId`), optionally for another device. The caller's own token stays valid. 404 when `newAppId` names no app." },
    })
    .delete(
      "/user-svc/tokens",
      async ({ caller, body }) => {
        await c.accounts.revoke(caller, body);
        return {};
      },
      {
        auth: true,
        parse: "json",
        body: RevokeTokensBody,
        response: { 200: Empty, ...errors(400, 401, 403, 413) },
        detail: { summary: "Revoke tokens; they are refused at once everywhere", tags: TAGS, operationId: "revokeTokens", description: "Ends sessions: by default every token of the caller (or only those of `device`). `userId` revokes another user's tokens (permission `user-svc:token:revoke`); `allTokens` lets an admin revoke everyone's. Revoked tokens are refused at once by every endpoint and by the proxy." },
      },
    )
    .get("/user-svc/public-key", () => ({ publicKey: c.signer.publicKeyPem }), {
      response: { 200: t.Object({ publicKey: t.String({ description: "SPKI PEM of the RS256 key." }) }), ...errors(404) },
      detail: { summary: "The public key that verifies tokens offline", tags: TAGS, operationId: "getPublicKey", description: "The RS256 public key (SPKI PEM) that signs every token, so a service can verify tokens offline without calling the server for each request. Public." },
    });
}
