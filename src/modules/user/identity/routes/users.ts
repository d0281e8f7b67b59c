/** @module Routes: self-service and user administration. HTTP only. */
import { Elysia, t } from "elysia";
import { Contact, Organization, User, UserRecord } from "../../../../contracts/user/models";
import { ChangePasswordBody, CreateUserBody, ListUsersBody, ReadSelfBody, ResetPasswordBody, SaveSelfBody, SaveUserBody } from "../../../../contracts/user/requests";
import { Empty, Name } from "../../../../contracts/user/fields";
import { authGuard } from "../../../../http/auth-guard";
import { errors } from "../../../../contracts/error";
import { P } from "../../access/permissions";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "../../route-context";

const UserIdParams = t.Object({ userId: Name("User id.") });

const ReadSelfResponse = t.Object({
  user: User,
  roles: t.Optional(t.Array(t.String())),
  organizations: t.Optional(t.Array(Organization)),
  contacts: t.Optional(t.Array(Contact)),
  activeOrganizationId: t.Optional(t.String()),
  tokenCount: t.Integer(),
  totpEnabled: t.Optional(t.Boolean({ description: "Whether TOTP (the second factor) is on." })),
});

const ListUsersResponse = t.Object({ users: t.Array(UserRecord), after: t.Optional(t.String()), count: t.Integer() });

/** Self-service and user administration routes. */
export function userRoutes(c: UserRoutesContext) {
  const del = async ({ params }: { params: { userId: string } }) => {
    await c.users.delete(params.userId);
    return {};
  };
  const deleteOptions = {
    auth: P.userDelete,
    params: UserIdParams,
    response: { 200: Empty, ...errors(400, 401, 403, 404, 409) },
  } as const;
  return new Elysia({ name: "user-svc/users" })
    .use(authGuard(c.gate))
    .onTransform(rejectNonObjectBody)
    .post("/user-svc/self", ({ caller, body }) => c.users.readSelf(caller, body.countTokens === true), {
      auth: true,
      parse: "json",
      body: ReadSelfBody,
      response: { 200: ReadSelfResponse, ...errors(400, 401, 413) },
      detail: { summary: "The caller's user, roles, organizations and contacts", tags: TAGS, operationId: "readSelf", description: "Who the token belongs to: the user, its roles in the token's app, its organizations and contacts, and the active organization. `countTokens` also counts the user's active sessions." },
    })
    .put(
      "/user-svc/self",
      async ({ caller, body }) => {
        await c.users.saveSelf(caller, body);
        return {};
      },
      {
        auth: true,
        parse: "json",
        body: SaveSelfBody,
        response: { 200: Empty, ...errors(400, 401, 413) },
        detail: { summary: "Save the caller's name, thumbnail and labels (labels merge)", tags: TAGS, operationId: "saveSelf", description: "Changes the caller's display name, thumbnail and labels. Labels are merged into the existing ones (a key not given is kept). The slug cannot be changed." },
      },
    )
    .post(
      "/user-svc/change-password",
      async ({ caller, body }) => {
        await c.users.changePassword(caller, body.currentPassword, body.newPassword);
        return {};
      },
      {
        auth: P.passwordChange,
        parse: "json",
        body: ChangePasswordBody,
        response: { 200: Empty, ...errors(400, 401, 403, 413, 429) },
        detail: { summary: "Change the caller's password", tags: TAGS, operationId: "changePassword", description: "Needs the current password (400 `user.wrong_password` otherwise) and a new one of 8 characters or more. Attempts are rate-limited like logins (429 with `Retry-After`). Every user holds the permission through the `user-svc:user` role." },
      },
    )
    .post(
      "/user-svc/:userId/reset-password",
      async ({ params, body }) => {
        await c.users.resetPassword(params.userId, body.newPassword);
        return {};
      },
      {
        auth: P.passwordReset,
        params: UserIdParams,
        parse: "json",
        body: ResetPasswordBody,
        response: { 200: Empty, ...errors(400, 401, 403, 404, 413) },
        detail: { summary: "Set another user's password (admin)", tags: TAGS, operationId: "resetPassword", description: "Sets the password of the user with id `userId` without knowing the old one; needs `user-svc:user:password-reset` (admins). 404 when the user does not exist." },
      },
    )
    .post(
      "/user-svc/user",
      async ({ body }) => {
        await c.users.create(body);
        return {};
      },
      {
        auth: P.userCreate,
        parse: "json",
        body: CreateUserBody,
        response: { 200: Empty, ...errors(400, 401, 403, 409, 413) },
        detail: { summary: "Create a user (admin)", tags: TAGS, operationId: "createUser", description: "Creates a user with a slug, optional contact, password and roles in the app named by `appHost`, without logging in as it; needs `user-svc:user:create` (admins). 409 when the slug, id or contact is taken." },
      },
    )
    .put(
      "/user-svc/user/:userId",
      async ({ params, body }) => {
        await c.users.save(params.userId, body);
        return {};
      },
      {
        auth: P.userEdit,
        params: UserIdParams,
        parse: "json",
        body: SaveUserBody,
        response: { 200: Empty, ...errors(400, 401, 403, 404, 413) },
        detail: { summary: "Save a user's name and thumbnail (admin)", tags: TAGS, operationId: "saveUser", description: "Changes another user's display name and thumbnail; needs `user-svc:user:edit` (admins). 404 when the user does not exist." },
      },
    )
    .delete("/user-svc/user/:userId", del, { ...deleteOptions, detail: { summary: "Delete a user (admin)", tags: TAGS, operationId: "deleteUser", description: "Deletes the user with id `userId` and ends its sessions; needs `user-svc:user:delete` (admins). 404 when it does not exist; 409 `user.last_admin` for the last admin." } })
    .get("/user-svc/user/:userId", del, {
      ...deleteOptions,
      detail: { summary: "Delete a user (admin; GET kept for 1Backend's Go server parity)", tags: TAGS, operationId: "deleteUserGet", description: "The same as `DELETE /user-svc/user/{userId}`, kept because 1Backend's Go server also deletes on GET. Prefer DELETE: a GET that deletes can be triggered by a link.", deprecated: true },
    })
    .post("/user-svc/users", ({ caller, body }) => c.users.list(caller, body), {
      auth: true,
      parse: "json",
      body: ListUsersBody,
      response: { 200: ListUsersResponse, ...errors(400, 401, 403, 413) },
      detail: { summary: "List users (admin; contact-scoped lookups for everyone)", tags: TAGS, operationId: "listUsers", description: "Admins (permission `user-svc:user:view`) list and search users, paged with `limit` and `afterTime`. Anyone may look up the owner of a contact (`contactId`, `contactIds`) to invite or enroll it." },
    });
}
