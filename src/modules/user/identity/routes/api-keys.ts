/** @module Routes: API keys. HTTP only. */
import { Elysia, t } from "elysia";
import { ApiKeyView, CreatedApiKey, TokenResponse } from "../../../../contracts/user/models";
import { CreateApiKeyBody, ListApiKeysBody, RevokeApiKeysBody } from "../../../../contracts/user/requests";
import { Empty } from "../../../../contracts/user/fields";
import { API_KEY_SCHEME, authGuard } from "../../../../http/auth-guard";
import { errors } from "../../../../contracts/error";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "../../route-context";

/** API key routes. */
export function apiKeyRoutes(c: UserRoutesContext) {
  return new Elysia({ name: "user-svc/api-keys" })
    .use(authGuard(c.gate))
    .onTransform(rejectNonObjectBody)
    .post("/user-svc/api-key", ({ caller, body }) => c.apiKeys.create(caller, body), {
      auth: true,
      parse: "json",
      body: CreateApiKeyBody,
      response: { 200: CreatedApiKey, ...errors(400, 401, 403, 404, 413) },
      detail: { summary: "Create an API key for the caller (admins: for anyone)", tags: TAGS, operationId: "createApiKey", description: "Creates a long-lived API key for the caller (admins: for `userId`) in an app, optionally with an expiry and an active organization. The key itself is in the answer only this once; store it. Exchange it for a normal token with `exchangeApiKey`." },
    })
    .post("/user-svc/api-keys", async ({ caller, body }) => ({ apiKeys: await c.apiKeys.list(caller, body) }), {
      auth: true,
      parse: "json",
      body: ListApiKeysBody,
      response: { 200: t.Object({ apiKeys: t.Array(ApiKeyView) }), ...errors(400, 401, 403, 413) },
      detail: { summary: "List API key metadata (never the keys)", tags: TAGS, operationId: "listApiKeys", description: "Metadata of the caller's API keys (admins: anyone's), never the keys themselves; revoked keys only with `includeRevoked`." },
    })
    .post("/user-svc/api-key/exchange", async ({ headers }) => ({ token: await c.apiKeys.exchange(headers.authorization) }), {
      response: { 200: TokenResponse, ...errors(401) },
      detail: { summary: "Exchange an API key (in Authorization) for a normal token", tags: TAGS, operationId: "exchangeApiKey", security: [{ [API_KEY_SCHEME]: [] }], description: "Send an API key as `Authorization: Bearer <key>` and get a normal short-lived token of its user, app and organization. 401 `user.invalid_api_key` when the key is unknown, revoked or expired. Authorize with the API key (not a token) to try it here." },
    })
    .delete(
      "/user-svc/api-keys",
      async ({ caller, body }) => {
        await c.apiKeys.revoke(caller, body);
        return {};
      },
      {
        auth: true,
        parse: "json",
        body: RevokeApiKeysBody,
        response: { 200: Empty, ...errors(400, 401, 403, 404, 413) },
        detail: { summary: "Revoke API keys and the tokens minted from them", tags: TAGS, operationId: "revokeApiKeys", description: "Revokes API keys by id, or every key of `userId`; non-admins only their own. The tokens minted from them are refused at once. 404 for an unknown id." },
      },
    );
}
