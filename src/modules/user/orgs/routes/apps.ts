/** @module Routes: apps (tenants). HTTP only. */
import { Elysia, t } from "elysia";
import { App } from "../../../../contracts/user/models";
import { ListAppsBody, ReadAppBody, UpdateAppBody } from "../../../../contracts/user/requests";
import { Empty } from "../../../../contracts/user/fields";
import { authGuard, bearerSecurity } from "../../../../http/auth-guard";
import { errors } from "../../../../contracts/error";
import { P } from "../../access/permissions";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "../../route-context";

/** App routes. */
export function appRoutes(c: UserRoutesContext) {
  return new Elysia({ name: "user-svc/apps" })
    .use(authGuard(c.gate))
    .onTransform(rejectNonObjectBody)
    .post("/user-svc/apps", async ({ body, headers }) => ({ apps: await c.apps.list(body, () => c.gate.authenticate(headers.authorization)) }), {
      parse: "json",
      body: ListAppsBody,
      response: { 200: t.Object({ apps: t.Array(App) }), ...errors(400, 401, 403, 413) },
      detail: { summary: "List apps (filtered: anyone; unfiltered: admins)", tags: TAGS, operationId: "listApps", security: [{}, ...bearerSecurity()], description: "Lists apps (tenants, by host). A listing filtered by `ids` or `host` is public; the unfiltered list of every app needs a token with `user-svc:app:multi-view` (admins)." },
    })
    .post("/user-svc/app", async ({ body }) => ({ app: await c.apps.read(body.host) }), {
      auth: true,
      parse: "json",
      body: ReadAppBody,
      response: { 200: t.Object({ app: App }), ...errors(400, 401, 413) },
      detail: { summary: "Read an app by host, creating it when missing", tags: TAGS, operationId: "readApp", description: "The app with the given host; it is created when it does not exist yet (apps are created on first use, as on register and login). Any logged-in user." },
    })
    .put(
      "/user-svc/app",
      async ({ body }) => {
        await c.apps.update(body.id, body.newHost);
        return {};
      },
      {
        auth: P.appEdit,
        parse: "json",
        body: UpdateAppBody,
        response: { 200: Empty, ...errors(400, 401, 403, 404, 409, 413) },
        detail: { summary: "Change an app's host (admin)", tags: TAGS, operationId: "updateApp", description: "Renames an app's host; needs `user-svc:app:edit` (admins). 404 for an unknown app id; 409 when another app has that host." },
      },
    );
}
