/** @module Routes: permits, enrolls, permissions and has-permission. HTTP only. */
import { Elysia, t } from "elysia";
import { App, Enroll, Permit, User } from "../../../contracts/user/models";
import { DeleteEnrollsBody, DeletePermitsBody, ListEnrollsBody, ListPermissionsBody, ListPermitsBody, SaveEnrollsBody, SavePermitsBody } from "../../../contracts/user/requests";
import { Empty } from "../../../contracts/user/fields";
import { authGuard } from "../../../http/auth-guard";
import { errors } from "../../../http/errors";
import { P } from "../permissions";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "./context";

const EnrollsResponse = t.Object({ enrolls: t.Array(Enroll) });
const HasPermissionResponse = t.Object({ authorized: t.Boolean(), appId: t.String(), until: t.String(), user: User, app: App });

/** Permit, enroll, permission and has-permission routes. */
export function accessRoutes(c: UserRoutesContext) {
  return new Elysia({ name: "user-svc/access" })
    .use(authGuard(c.gate))
    .onTransform(rejectNonObjectBody)
    .put(
      "/user-svc/permits",
      ({ caller, body }) => {
        c.access.savePermits(caller, body.permits);
        return {};
      },
      {
        auth: true,
        parse: "json",
        body: SavePermitsBody,
        response: { 200: Empty, ...errors(400, 401, 403, 413) },
        detail: { summary: "Grant permissions to slugs and roles (non-admins: only `<slug>:` permissions)", tags: TAGS, operationId: "savePermits" },
      },
    )
    .delete(
      "/user-svc/permits",
      ({ caller, body }) => {
        c.access.deletePermits(caller, body.ids);
        return {};
      },
      {
        auth: true,
        parse: "json",
        body: DeletePermitsBody,
        response: { 200: Empty, ...errors(400, 401, 403, 404, 413) },
        detail: { summary: "Delete permits by id (non-admins: only `<slug>:` permissions; a module's defaults return at the next start)", tags: TAGS, operationId: "deletePermits" },
      },
    )
    .post("/user-svc/permits", ({ body }) => ({ permits: c.access.listPermits(body) }), {
      auth: P.permitView,
      parse: "json",
      body: ListPermitsBody,
      response: { 200: t.Object({ permits: t.Array(Permit) }), ...errors(400, 401, 403, 413) },
      detail: { summary: "List permits (admin)", tags: TAGS, operationId: "listPermits" },
    })
    .post("/user-svc/permissions", ({ caller, body }) => ({ permissions: c.access.listPermissions(caller, body.roles) }), {
      auth: true,
      parse: "json",
      body: ListPermissionsBody,
      response: { 200: t.Object({ permissions: t.Array(t.String()) }), ...errors(400, 401, 403, 413) },
      detail: { summary: "Permissions of roles the caller holds (default: all its roles)", tags: TAGS, operationId: "listPermissions" },
    })
    .post("/user-svc/self/has/:permission", async ({ caller, params }) => c.access.hasPermissionView(caller, params.permission, (await c.gate.verify(caller.token))?.claims.exp), {
      auth: true,
      params: t.Object({ permission: t.String({ minLength: 1, maxLength: 256 }) }),
      response: { 200: HasPermissionResponse, ...errors(400, 401) },
      detail: { summary: "Whether the caller holds a permission (200 with authorized:false when not)", tags: TAGS, operationId: "hasPermission" },
    })
    .put("/user-svc/enrolls", ({ caller, body }) => ({ enrolls: c.access.saveEnrolls(caller, body.enrolls) }), {
      auth: true,
      parse: "json",
      body: SaveEnrollsBody,
      response: { 200: EnrollsResponse, ...errors(400, 401, 403, 404, 409, 413) },
      detail: { summary: "Give roles to users or contacts (non-admins: only roles they own)", tags: TAGS, operationId: "saveEnrolls" },
    })
    .post("/user-svc/enrolls", ({ caller, body }) => ({ enrolls: c.access.listEnrolls(caller, body) }), {
      auth: P.enrollView,
      parse: "json",
      body: ListEnrollsBody,
      response: { 200: EnrollsResponse, ...errors(400, 401, 403, 413) },
      detail: { summary: "List enrolls by role, user or contact", tags: TAGS, operationId: "listEnrolls" },
    })
    .delete(
      "/user-svc/enrolls",
      ({ caller, body }) => {
        c.access.deleteEnrolls(caller, body.ids);
        return {};
      },
      {
        auth: P.enrollEdit,
        parse: "json",
        body: DeleteEnrollsBody,
        response: { 200: Empty, ...errors(400, 401, 403, 404, 409, 413) },
        detail: { summary: "Delete enrolls by id (non-admins: only of roles they own; never the last admin's admin role)", tags: TAGS, operationId: "deleteEnrolls" },
      },
    );
}
