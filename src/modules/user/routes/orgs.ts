/** @module Routes: organizations and memberships. HTTP only. */
import { Elysia, t } from "elysia";
import { Membership, Organization, Token, User } from "../../../contracts/user/models";
import { AcceptMembershipBody, ActivateOrganizationBody, ListMembershipsBody, ListOrganizationsBody, SaveMembershipBody, SaveOrganizationBody } from "../../../contracts/user/requests";
import { Empty, Name } from "../../../contracts/user/fields";
import { authGuard } from "../../../http/auth-guard";
import { errors } from "../../../http/errors";
import { P } from "../permissions";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "./context";

const OrgParams = t.Object({ organizationId: Name("Organization id.") });
const OrgUserParams = t.Object({ organizationId: Name("Organization id."), userId: Name("User id.") });
const TokenResponse = t.Object({ token: Token });
const MembershipResponse = t.Object({ membership: Membership });

/** Organization and membership routes. */
export function orgRoutes(c: UserRoutesContext) {
  return new Elysia({ name: "user-svc/orgs" })
    .use(authGuard(c.gate))
    .onTransform(rejectNonObjectBody)
    .put("/user-svc/organization", ({ caller, body }) => c.orgs.save(caller, body), {
      auth: P.orgCreate,
      parse: "json",
      body: SaveOrganizationBody,
      response: { 200: t.Object({ organization: Organization, token: t.Optional(Token) }), ...errors(400, 401, 403, 409, 413) },
      detail: { summary: "Create an organization (the caller becomes its admin) or update one", tags: TAGS, operationId: "saveOrganization" },
    })
    .post("/user-svc/organizations", ({ caller, body }) => ({ organizations: c.orgs.list(caller, body) }), {
      auth: true,
      parse: "json",
      body: ListOrganizationsBody,
      response: { 200: t.Object({ organizations: t.Array(Organization) }), ...errors(400, 401, 413) },
      detail: { summary: "List organizations (admins: all of the app; others: their own)", tags: TAGS, operationId: "listOrganizations" },
    })
    .put("/user-svc/organization/:organizationId/user/:userId", ({ caller, params, body }) => ({ membership: c.orgs.saveMembership(caller, params.organizationId, params.userId, body.roles) }), {
      auth: P.orgAddUser,
      params: OrgUserParams,
      parse: "json",
      body: SaveMembershipBody,
      response: { 200: MembershipResponse, ...errors(400, 401, 403, 404, 413) },
      detail: { summary: "Add a user to an organization (org admins)", tags: TAGS, operationId: "saveMembership" },
    })
    .delete(
      "/user-svc/organization/:organizationId/user/:userId",
      ({ caller, params }) => {
        c.orgs.deleteMembership(caller, params.organizationId, params.userId);
        return {};
      },
      {
        auth: P.orgRemoveUser,
        params: OrgUserParams,
        response: { 200: Empty, ...errors(400, 401, 403, 404) },
        detail: { summary: "Remove a user from an organization (org admins, or the member)", tags: TAGS, operationId: "deleteMembership" },
      },
    )
    .post("/user-svc/memberships", ({ caller, body }) => ({ memberships: c.orgs.listMemberships(caller, body) }), {
      auth: true,
      parse: "json",
      body: ListMembershipsBody,
      response: { 200: t.Object({ memberships: t.Array(t.Object({ membership: Membership, organization: Organization, user: User })) }), ...errors(400, 401, 403, 413) },
      detail: { summary: "List memberships (own; org admins: their org's; admins: any)", tags: TAGS, operationId: "listMemberships" },
    })
    .post("/user-svc/organization/:organizationId/membership/accept", ({ caller, params, body }) => c.orgs.accept(caller, params.organizationId, body.activate === true), {
      auth: true,
      params: OrgParams,
      parse: "json",
      body: AcceptMembershipBody,
      response: { 200: t.Object({ membership: Membership, token: t.Optional(Token) }), ...errors(400, 401, 404, 413) },
      detail: { summary: "Accept the caller's membership of an organization", tags: TAGS, operationId: "acceptMembership" },
    })
    .post("/user-svc/organization/:organizationId/membership/decline", ({ caller, params }) => ({ membership: c.orgs.decline(caller, params.organizationId) }), {
      auth: true,
      params: OrgParams,
      response: { 200: MembershipResponse, ...errors(400, 401, 404) },
      detail: { summary: "Decline (or leave) the caller's membership of an organization", tags: TAGS, operationId: "declineMembership" },
    })
    .post("/user-svc/organization/activate", async ({ caller, body }) => ({ token: await c.orgs.activate(caller, body.organizationId) }), {
      auth: true,
      parse: "json",
      body: ActivateOrganizationBody,
      response: { 200: TokenResponse, ...errors(400, 401, 404, 409, 413) },
      detail: { summary: "Make an organization the caller's active one; returns a fresh token", tags: TAGS, operationId: "activateOrganization" },
    })
    .post("/user-svc/organization/deactivate", async ({ caller }) => ({ token: await c.orgs.deactivate(caller) }), {
      auth: true,
      response: { 200: TokenResponse, ...errors(401) },
      detail: { summary: "Clear the caller's active organization; returns a fresh token", tags: TAGS, operationId: "deactivateOrganization" },
    });
}
