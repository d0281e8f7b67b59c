/** @module Routes of OpenID Connect sign-in (client 0.9.18 contact-auth operations). HTTP only: the rules are service.ts. */
import type { Server } from "bun";
import { Elysia, t } from "elysia";
import { clientAddress } from "../../../../http/client-address";
import type { TrustCheck } from "../../../../http/trust";
import { errors } from "../../../../contracts/error";
import { TokenResponse, type Token } from "../../../../contracts/user/models";
import { ContactAuthCallbackQuery, ContactAuthLoginBody, ContactAuthStartQuery, ListContactAuthProvidersResponse, ProviderParams, ProvidersQuery } from "../../../../contracts/user/contact-auth";
import { appHostMissing, oidcCallbackIncomplete, oidcProviderRefused, oidcTokenMissing } from "../../errors";
import { rejectNonObjectBody, TAGS } from "../../route-context";
import type { OidcService } from "./service";
import { STATE_COOKIE, STATE_TTL_MS } from "./states";

const COOKIE_PATH = "/user-svc/auth/";

/** The value of cookie `name` in a Cookie header. */
function cookieOf(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The token in the fragment, as 1Backend: token, tokenId, userId, appId, expiresAt. */
function withToken(returnTo: string, token: Token): string {
  const fragment = new URLSearchParams({ token: token.token, tokenId: token.id, userId: token.userId, appId: token.appId, expiresAt: token.expiresAt ?? "" });
  return `${returnTo.split("#")[0]}#${fragment}`;
}

const noStore = { "cache-control": "no-store", "referrer-policy": "no-referrer" };

const loginDetail = (operationId?: string) => ({
  summary: "Sign in with an ID token a native app got from a configured OpenID provider",
  tags: TAGS,
  ...(operationId ? { operationId } : {}),
  description:
    "Verifies the ID token (signature by the issuer's keys, issuer, audience = the provider's client id, expiry) and signs in the user owning its verified e-mail, registering one (slug from `slug` or derived from the e-mail) when nobody does. An ID token signs in once: used again (on any node) it is 401 `user.oidc_token_replayed`. A user with TOTP on needs `totpCode`; wrong codes count against the login limits (429 `user.too_many_logins` with Retry-After). 401 `user.oidc_token_invalid` or `user.oidc_email_unverified` when the token does not hold.",
});

/** Provider lists, start, callback and login; `trust` says whose forwarding headers name the client (its login limits key on it). */
export function oidcRoutes(oidc: OidcService, trust: TrustCheck) {
  const ipOf = (request: Request, server: Server<unknown> | null) => clientAddress(request.headers, server?.requestIP(request)?.address, trust) ?? "unknown";
  const providers = () => ({ providers: oidc.list() });
  const login = async ({ params, body, request, server }: { params: { provider: string }; body: ContactAuthLoginBody; request: Request; server: Server<unknown> | null }) => {
    if (!body.appHost) throw appHostMissing();
    const idToken = body.idToken || body.token || body.accessToken;
    if (!idToken) throw oidcTokenMissing();
    return { token: await oidc.login(params.provider, idToken, { appHost: body.appHost, ...(body.slug ? { slug: body.slug } : {}), ...(body.device ? { device: body.device } : {}), ...(body.totpCode ? { totpCode: body.totpCode } : {}) }, ipOf(request, server)) };
  };
  const loginOptions = { params: ProviderParams, body: ContactAuthLoginBody, parse: "json" as const, response: { 200: TokenResponse, ...errors(400, 401, 404, 409, 429, 503) } };
  return new Elysia({ name: "user-svc/oidc" })
    .onTransform(rejectNonObjectBody)
    .get("/user-svc/auth/providers", providers, { query: ProvidersQuery, response: { 200: ListContactAuthProvidersResponse, ...errors(400) }, detail: { summary: "Contact-auth providers: the OpenID providers of OB_OIDC_CONFIG", tags: TAGS, operationId: "listContactAuthProviders", description: "Exactly the providers the operator configured in the OB_OIDC_CONFIG file (none without it); secrets are never shown." } })
    .get("/user-svc/oidc/providers", providers, { query: ProvidersQuery, response: { 200: ListContactAuthProvidersResponse, ...errors(400) }, detail: { summary: "OIDC contact-auth providers (same list as listContactAuthProviders)", tags: TAGS, operationId: "listOIDCContactAuthProviders", description: "Compatibility alias of `listContactAuthProviders`." } })
    .get(
      "/user-svc/auth/:provider/start",
      async ({ params, query, request }) => {
        if (!query.appHost) throw appHostMissing();
        const cookie = cookieOf(request.headers.get("cookie"), STATE_COOKIE);
        const { location, binding, secure } = await oidc.start(params.provider, query, request.headers.get("host") ?? undefined, cookie);
        const setCookie = `${STATE_COOKIE}=${binding}; Path=${COOKIE_PATH}; Max-Age=${STATE_TTL_MS / 1000}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
        return new Response(null, { status: 302, headers: { location, "set-cookie": setCookie, ...noStore } });
      },
      {
        params: ProviderParams,
        query: ContactAuthStartQuery,
        response: { 302: t.Void({ description: "To the provider's authorization endpoint." }), ...errors(400, 404, 503) },
        detail: { summary: "Start signing in with a configured OpenID provider (302 to the provider)", tags: TAGS, operationId: "contactAuthStart", description: "Redirects the browser to the provider's authorization endpoint (code flow with `state`, `nonce` and PKCE S256). The state is sealed, lives 10 minutes, is bound to this browser by an HttpOnly cookie and is consumed by the first callback. `returnTo` must start with an entry of the returnTo list of OB_OIDC_CONFIG (400 `user.return_to_not_allowed`)." },
      },
    )
    .get(
      "/user-svc/auth/:provider/callback",
      async ({ params, query, request, server }) => {
        if (query.error) throw oidcProviderRefused(query.error);
        if (!query.state || !query.code) throw oidcCallbackIncomplete();
        const cookie = cookieOf(request.headers.get("cookie"), STATE_COOKIE);
        const { token, returnTo } = await oidc.callback(params.provider, query.state, query.code, cookie, ipOf(request, server));
        if (!returnTo) return new Response(JSON.stringify({ token }), { status: 200, headers: { "content-type": "application/json", ...noStore } });
        return new Response(null, { status: 302, headers: { location: withToken(returnTo, token), ...noStore } });
      },
      {
        params: ProviderParams,
        query: ContactAuthCallbackQuery,
        response: { 200: TokenResponse, 302: t.Void({ description: "To returnTo, with token, tokenId, userId, appId and expiresAt in the fragment." }), ...errors(400, 401, 404, 409, 503) },
        detail: { summary: "Finish an OpenID sign-in: the provider's redirect back (302 to returnTo with the token, or 200 {token})", tags: TAGS, operationId: "contactAuthCallback", description: "Checks the state (sealed by this server, not expired, for this provider, started in this browser, not used before), exchanges the code (with the PKCE verifier), verifies the ID token (issuer, audience, expiry, nonce) and signs in the user owning its verified e-mail, registering one when nobody does. With a returnTo the browser is sent there with the token in the URL fragment; else the token is answered as JSON." },
      },
    )
    .post("/user-svc/auth/:provider/login", login, { ...loginOptions, detail: loginDetail("contactAuthLogin") })
    .post("/user-svc/oidc/:provider/login", login, { ...loginOptions, detail: { ...loginDetail(), summary: "Same as contactAuthLogin (server-only alias)" } });
}
