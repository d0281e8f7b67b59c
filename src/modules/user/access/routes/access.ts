/** @module Routes: permits, enrolls, permissions and has-permission. HTTP only. */
import { Elysia, t } from "elysia";
import { App, Enroll, Permit, User } from "../../../../contracts/user/models";
import { DeleteEnrollsBody, DeletePermitsBody, ListEnrollsBody, ListPermissionsBody, ListPermitsBody, SaveEnrollsBody, SavePermitsBody } from "../../../../contracts/user/requests";
import { Empty } from "../../../../contracts/user/fields";
import { authGuard } from "../../../../http/auth-guard";
import { errors } from "../../../../contracts/error";
import { P } from "../permissions";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "../../route-context";

const EnrollsResponse = t.Object({ enrolls: t.Array(Enroll) });
const HasPermissionResponse = t.Object({ authorized: t.Boolean(), appId: t.String(), until: t.String(), user: User, app: App });

/** Permit, enroll, permission and has-permission routes. */
export function accessRoutes(c: UserRoutesContext) {
  return new Elysia({ name: "user-svc/access" })
    .use(authGuard(c.gate))
    .onTransform(rejectNonObjectBody)
    .put(
      "/user-svc/permits",
      async ({ caller, body }) => {
        await c.access.savePermits(caller, body.permits);
        return {};
      },
      {
        auth: true,
        parse: "json",
        body: SavePermitsBody,
        response: { 200: Empty, ...errors(400, 401, 403, 413) },
        detail: { summary: "Grant permissions to slugs and roles (non-admins: only `<slug>:` permissions)", tags: TAGS, operationId: "savePermits", description: "Grants permissions to slugs and/or roles in an app (`*` for every app). Non-admins may only grant permissions they own, i.e. named `<their slug>:…` (403 otherwise). A permit with the same id is replaced; new grants take effect at once." },
      },
    )
    .delete(
      "/user-svc/permits",
      async ({ caller, body }) => {
        await c.access.deletePermits(caller, body.ids);
        return {};
      },
      {
        auth: true,
        parse: "json",
        body: DeletePermitsBody,
        response: { 200: Empty, ...errors(400, 401, 403, 404, 413) },
        detail: { summary: "Delete permits by id (non-admins: only `<slug>:` permissions; a module's defaults return at the next start)", tags: TAGS, operationId: "deletePermits", description: "Removes permits by id. Non-admins may only remove permits of permissions they own (`<their slug>:…`). 404 for an unknown id. A module's default permits are saved again at the next start." },
      },
    )
    .post("/user-svc/permits", async ({ body }) => ({ permits: await c.access.listPermits(body) }), {
      auth: P.permitView,
      parse: "json",
      body: ListPermitsBody,
      response: { 200: t.Object({ permits: t.Array(Permit) }), ...errors(400, 401, 403, 413) },
      detail: { summary: "List permits (admin)", tags: TAGS, operationId: "listPermits", description: "Lists permits, optionally only those of one permission or one slug; needs `user-svc:permit:view` (admins)." },
    })
    .post("/user-svc/permissions", ({ caller, body }) => ({ permissions: c.access.listPermissions(caller, body.roles) }), {
      auth: true,
      parse: "json",
      body: ListPermissionsBody,
      response: { 200: t.Object({ permissions: t.Array(t.String()) }), ...errors(400, 401, 403, 413) },
      detail: { summary: "Permissions of roles the caller holds (default: all its roles)", tags: TAGS, operationId: "listPermissions", description: "The permissions granted to the given roles (default: every role of the caller) in the caller's app. Asking about roles the caller does not hold is refused with 403." },
    })
    .post("/user-svc/self/has/:permission", async ({ caller, params }) => c.access.hasPermissionView(caller, params.permission, (await c.gate.verify(caller.token))?.claims.exp), {
      auth: true,
      params: t.Object({ permission: t.String({ minLength: 1, maxLength: 256, description: "Permission to check, e.g. `skeleton-svc:pet:read`." }) }),
      response: { 200: HasPermissionResponse, ...errors(400, 401) },
      detail: { summary: "Whether the caller holds a permission (200 with authorized:false when not)", tags: TAGS, operationId: "hasPermission", description: "Whether the caller holds `permission` in its app, through a permit for its slug or for one of its roles; answers 200 with `authorized: false` when not, with the user, the app and when the token expires. Services use it to check a caller they were sent." },
    })
    .put("/user-svc/enrolls", async ({ caller, body }) => ({ enrolls: await c.access.saveEnrolls(caller, body.enrolls) }), {
      auth: true,
      parse: "json",
      body: SaveEnrollsBody,
      response: { 200: EnrollsResponse, ...errors(400, 401, 403, 404, 409, 413) },
      detail: { summary: "Give roles to users or contacts (non-admins: only roles they own)", tags: TAGS, operationId: "saveEnrolls", description: "Gives roles to users (`userId`) or to contacts (`contactId`, applied once the contact registers and is verified). Non-admins may only give roles they own (`<their slug>:…`, or under a prefix they administer). 404 for an unknown user." },
    })
    .post("/user-svc/enrolls", async ({ caller, body }) => ({ enrolls: await c.access.listEnrolls(caller, body) }), {
      auth: P.enrollView,
      parse: "json",
      body: ListEnrollsBody,
      response: { 200: EnrollsResponse, ...errors(400, 401, 403, 413) },
      detail: { summary: "List enrolls by role, user or contact", tags: TAGS, operationId: "listEnrolls", description: "Lists enrolls by role, user or contact (permission `user-svc:enroll:view`, held by every user). Non-admins see only their own enrolls and enrolls of roles they own." },
    })
    .delete(
      "/user-svc/enrolls",
      async ({ caller, body }) => {
        await c.access.deleteEnrolls(caller, body.ids);
        return {};
      },
      {
        auth: P.enrollEdit,
        parse: "json",
        body: DeleteEnrollsBody,
        response: { 200: Empty, ...errors(400, 401, 403, 404, 409, 413) },
        detail: { summary: "Delete enrolls by id (non-admins: only of roles they own; never the last admin's admin role)", tags: TAGS, operationId: "deleteEnrolls", description: "Removes enrolls by id; non-admins only those of roles they own (403 otherwise). 404 for an unknown id; 409 `user.last_admin` when it would take the admin role from the last admin." },
      },
    );
}
