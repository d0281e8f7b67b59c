/**
 * @module Routes that exist for `@1backend/client` 0.9.18 but whose features come later (contract §3):
 * One-time passwords by email and external contact-auth answer 501; provider lists are empty.
 */
import { Elysia, t } from "elysia";
import { notBuiltYet } from "../../errors";
import { errors } from "../../../../contracts/error";
import { TAGS } from "../../route-context";

const LATER: [method: "get" | "post" | "delete", path: string, summary: string, operationId: string, what: string][] = [
  ["post", "/user-svc/otp/send", "Send a one-time password (501: not built yet)", "sendOtp", "one-time passwords"],
  ["post", "/user-svc/auth/:provider/login", "Contact-auth login (501: not built yet)", "contactAuthLogin", "contact-auth providers"],
  ["get", "/user-svc/auth/:provider/start", "Start contact auth (501: not built yet)", "contactAuthStart", "contact-auth providers"],
  ["get", "/user-svc/auth/:provider/callback", "Contact-auth callback (501: not built yet)", "contactAuthCallback", "contact-auth providers"],
];

/** Says what 501 means here; the summary says "501" itself, so a listing shows it without opening the operation. */
const laterDescription = (what: string) =>
  `Not built yet: answers 501 \`user.not_implemented\` (${what}: planned, contract §3). Declared so that \`@1backend/client\` 0.9.18 finds the operation; ` +
  "the summary stops saying 501 once it works.";

const PATH_PARAMETERS: Record<string, string> = { provider: "Contact-auth provider id, e.g. `google`.", totpId: "Id of the TOTP setup being confirmed." };

/** The schema of a path's parameters, so that each is documented. */
const paramsOf = (path: string) =>
  t.Object(Object.fromEntries([...path.matchAll(/:([A-Za-z]+)/g)].map((m) => [m[1]!, t.String({ description: PATH_PARAMETERS[m[1]!] })])));

const Providers = t.Object({ providers: t.Array(t.Object({ id: t.String(), kind: t.String(), name: t.String() })) });

/** The 501 routes and the empty provider lists. */
export function notImplementedRoutes() {
  let app = new Elysia({ name: "user-svc/later" });
  for (const [method, path, summary, operationId, what] of LATER) {
    app = app.route(
      method.toUpperCase(),
      path,
      () => {
        throw notBuiltYet(what);
      },
      { ...(path.includes(":") ? { params: paramsOf(path) } : {}), response: { 200: t.Object({}), ...errors(501) }, detail: { summary, tags: TAGS, operationId, description: laterDescription(what) } },
    ) as unknown as typeof app;
  }
  const providers = { response: { 200: Providers, ...errors(400) }, query: t.Object({ appHost: t.Optional(t.String({ maxLength: 253, description: "The app whose providers to list, e.g. `unnamed`; ignored while there are none." })) }) };
  return app
    .get("/user-svc/auth/providers", () => ({ providers: [] }), { ...providers, detail: { summary: "Contact-auth providers (none yet)", tags: TAGS, operationId: "listContactAuthProviders", description: "External contact-auth providers (sign-in with a third party) for an app. None exist yet, so the list is empty; kept so that `@1backend/client` 0.9.18 works unchanged." } })
    .get("/user-svc/oidc/providers", () => ({ providers: [] }), { ...providers, detail: { summary: "OIDC contact-auth providers (none yet)", tags: TAGS, operationId: "listOIDCContactAuthProviders", description: "OpenID Connect providers for an app. None exist yet, so the list is empty; kept so that `@1backend/client` 0.9.18 works unchanged." } });
}
