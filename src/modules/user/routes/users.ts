/** @module Routes: self-service and user administration. HTTP only. */
import { Elysia, t } from "elysia";
import { Contact, Organization, User, UserRecord } from "../../../contracts/user/models";
import { ChangePasswordBody, CreateUserBody, ListUsersBody, ReadSelfBody, ResetPasswordBody, SaveSelfBody, SaveUserBody } from "../../../contracts/user/requests";
import { Empty, Name } from "../../../contracts/user/fields";
import { authGuard } from "../../../http/auth-guard";
import { errors } from "../../../http/errors";
import { P } from "../permissions";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "./context";

const UserIdParams = t.Object({ userId: Name("User id.") });

const ReadSelfResponse = t.Object({
  user: User,
  roles: t.Optional(t.Array(t.String())),
  organizations: t.Optional(t.Array(Organization)),
  contacts: t.Optional(t.Array(Contact)),
  activeOrganizationId: t.Optional(t.String()),
  tokenCount: t.Integer(),
});

const ListUsersResponse = t.Object({ users: t.Array(UserRecord), after: t.Optional(t.String()), count: t.Integer() });

/** Self-service and user administration routes. */
export function userRoutes(c: UserRoutesContext) {
  const del = async ({ params }: { params: { userId: string } }) => {
    c.users.delete(params.userId);
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
      detail: { summary: "The caller's user, roles, organizations and contacts", tags: TAGS, operationId: "readSelf" },
    })
    .put(
      "/user-svc/self",
      ({ caller, body }) => {
        c.users.saveSelf(caller, body);
        return {};
      },
      {
        auth: true,
        parse: "json",
        body: SaveSelfBody,
        response: { 200: Empty, ...errors(400, 401, 413) },
        detail: { summary: "Save the caller's name, thumbnail and labels (labels merge)", tags: TAGS, operationId: "saveSelf" },
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
        detail: { summary: "Change the caller's password", tags: TAGS, operationId: "changePassword" },
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
        detail: { summary: "Set another user's password (admin)", tags: TAGS, operationId: "resetPassword" },
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
        detail: { summary: "Create a user (admin)", tags: TAGS, operationId: "createUser" },
      },
    )
    .put(
      "/user-svc/user/:userId",
      ({ params, body }) => {
        c.users.save(params.userId, body);
        return {};
      },
      {
        auth: P.userEdit,
        params: UserIdParams,
        parse: "json",
        body: SaveUserBody,
        response: { 200: Empty, ...errors(400, 401, 403, 404, 413) },
        detail: { summary: "Save a user's name and thumbnail (admin)", tags: TAGS, operationId: "saveUser" },
      },
    )
    .delete("/user-svc/user/:userId", del, { ...deleteOptions, detail: { summary: "Delete a user (admin)", tags: TAGS, operationId: "deleteUser" } })
    .get("/user-svc/user/:userId", del, {
      ...deleteOptions,
      detail: { summary: "Delete a user (admin; GET kept for 1Backend's Go server parity)", tags: TAGS, operationId: "deleteUserGet", deprecated: true },
    })
    .post("/user-svc/users", ({ caller, body }) => c.users.list(caller, body), {
      auth: true,
      parse: "json",
      body: ListUsersBody,
      response: { 200: ListUsersResponse, ...errors(400, 401, 403, 413) },
      detail: { summary: "List users (admin; contact-scoped lookups for everyone)", tags: TAGS, operationId: "listUsers" },
    });
}
