/**
 * @module Routes that exist for `@1backend/client` 0.9.18 but whose features come later (contract §3):
 * none left since issue 14 (one-time codes: identity/otp/; OpenID Connect sign-in and its provider lists: identity/oidc/).
 */
import { Elysia, t } from "elysia";
import { notBuiltYet } from "../../errors";
import { errors } from "../../../../contracts/error";
import { TAGS } from "../../route-context";

const LATER: [method: "get" | "post" | "delete", path: string, summary: string, operationId: string, what: string][] = [
];

/** Says what 501 means here; the summary says "501" itself, so a listing shows it without opening the operation. */
const laterDescription = (what: string) =>
  `Not built yet: answers 501 \`user.not_implemented\` (${what}: planned, contract §3). Declared so that \`@1backend/client\` 0.9.18 finds the operation; ` +
  "the summary stops saying 501 once it works.";

const PATH_PARAMETERS: Record<string, string> = { provider: "Contact-auth provider id, e.g. `google`.", totpId: "Id of the TOTP setup being confirmed." };

/** The schema of a path's parameters, so that each is documented. */
const paramsOf = (path: string) =>
  t.Object(Object.fromEntries([...path.matchAll(/:([A-Za-z]+)/g)].map((m) => [m[1]!, t.String({ description: PATH_PARAMETERS[m[1]!] })])));

/** The 501 routes. */
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
  return app;
}
