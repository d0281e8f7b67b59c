/** @module Routes: organizations and memberships. HTTP only. */
import { Elysia, t } from "elysia";
import { Membership, Organization, Token, TokenResponse, User } from "../../../../contracts/user/models";
import { AcceptMembershipBody, ActivateOrganizationBody, ListMembershipsBody, ListOrganizationsBody, SaveMembershipBody, SaveOrganizationBody } from "../../../../contracts/user/requests";
import { Empty, Name } from "../../../../contracts/user/fields";
import { authGuard } from "../../../../http/auth-guard";
import { errors } from "../../../../contracts/error";
import { P } from "../../access/permissions";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "../../route-context";

const OrgParams = t.Object({ organizationId: Name("Organization id.") });
const OrgUserParams = t.Object({ organizationId: Name("Organization id."), userId: Name("User id.") });
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
      detail: { summary: "Create an organization (the caller becomes its admin) or update one", tags: TAGS, operationId: "saveOrganization", description: "Without an existing `id`, creates an organization: the caller becomes its admin (role `user-svc:org:{id}:admin`) and, unless `activate` is false, it becomes the caller's active one (a fresh `token` is returned then). With the id of an organization the caller administers, updates its slug, name and thumbnail. 409 when the slug is taken in the app." },
    })
    .post("/user-svc/organizations", async ({ caller, body }) => ({ organizations: await c.orgs.list(caller, body) }), {
      auth: true,
      parse: "json",
      body: ListOrganizationsBody,
      response: { 200: t.Object({ organizations: t.Array(Organization) }), ...errors(400, 401, 413) },
      detail: { summary: "List organizations (admins: all of the app; others: their own)", tags: TAGS, operationId: "listOrganizations", description: "The caller's organizations; holders of `user-svc:organization:view` (admins) see every organization of the app. Paged with `limit` and `afterTime`." },
    })
    .put("/user-svc/organization/:organizationId/user/:userId", async ({ caller, params, body }) => ({ membership: await c.orgs.saveMembership(caller, params.organizationId, params.userId, body.roles) }), {
      auth: P.orgAddUser,
      params: OrgUserParams,
      parse: "json",
      body: SaveMembershipBody,
      response: { 200: MembershipResponse, ...errors(400, 401, 403, 404, 413) },
      detail: { summary: "Add a user to an organization (org admins)", tags: TAGS, operationId: "saveMembership", description: "Adds the user `userId` to the organization (accepted at once, as in 1Backend), with extra roles under the organization's prefix; needs `user-svc:organization:add-user` and being an admin of that organization. 404 for an unknown organization or user." },
    })
    .delete(
      "/user-svc/organization/:organizationId/user/:userId",
      async ({ caller, params }) => {
        await c.orgs.deleteMembership(caller, params.organizationId, params.userId);
        return {};
      },
      {
        auth: P.orgRemoveUser,
        params: OrgUserParams,
        response: { 200: Empty, ...errors(400, 401, 403, 404) },
        detail: { summary: "Remove a user from an organization (org admins, or the member)", tags: TAGS, operationId: "deleteMembership", description: "Removes the user from the organization and takes its organization roles; allowed to the organization's admins and to the member itself. 404 when there is no such membership." },
      },
    )
    .post("/user-svc/memberships", async ({ caller, body }) => ({ memberships: await c.orgs.listMemberships(caller, body) }), {
      auth: true,
      parse: "json",
      body: ListMembershipsBody,
      response: { 200: t.Object({ memberships: t.Array(t.Object({ membership: Membership, organization: Organization, user: User })) }), ...errors(400, 401, 403, 413) },
      detail: { summary: "List memberships (own; org admins: their org's; admins: any)", tags: TAGS, operationId: "listMemberships", description: "Memberships with their organization and user: the caller's own; an organization's admins see that organization's; admins see any. Filter by organization, user or status; paged with `limit` and `afterTime`." },
    })
    .post("/user-svc/organization/:organizationId/membership/accept", ({ caller, params, body }) => c.orgs.accept(caller, params.organizationId, body.activate === true), {
      auth: true,
      params: OrgParams,
      parse: "json",
      body: AcceptMembershipBody,
      response: { 200: t.Object({ membership: Membership, token: t.Optional(Token) }), ...errors(400, 401, 404, 413) },
      detail: { summary: "Accept the caller's membership of an organization", tags: TAGS, operationId: "acceptMembership", description: "Accepts the caller's pending membership of the organization, giving its roles; with `activate`, also makes it the active organization and returns a fresh token. 404 when the caller has no membership there." },
    })
    .post("/user-svc/organization/:organizationId/membership/decline", async ({ caller, params }) => ({ membership: await c.orgs.decline(caller, params.organizationId) }), {
      auth: true,
      params: OrgParams,
      response: { 200: MembershipResponse, ...errors(400, 401, 404) },
      detail: { summary: "Decline (or leave) the caller's membership of an organization", tags: TAGS, operationId: "declineMembership", description: "Declines a pending membership, or leaves an accepted one, of the caller in the organization. 404 when the caller has no membership there." },
    })
    .post("/user-svc/organization/activate", async ({ caller, body }) => ({ token: await c.orgs.activate(caller, body.organizationId) }), {
      auth: true,
      parse: "json",
      body: ActivateOrganizationBody,
      response: { 200: TokenResponse, ...errors(400, 401, 404, 409, 413) },
      detail: { summary: "Make an organization the caller's active one; returns a fresh token", tags: TAGS, operationId: "activateOrganization", description: "Makes one of the caller's organizations the active one and answers a fresh token that names it (claim `1ao`); use that token from now on. 404 when the caller is not a member." },
    })
    .post("/user-svc/organization/deactivate", async ({ caller }) => ({ token: await c.orgs.deactivate(caller) }), {
      auth: true,
      response: { 200: TokenResponse, ...errors(401) },
      detail: { summary: "Clear the caller's active organization; returns a fresh token", tags: TAGS, operationId: "deactivateOrganization", description: "Clears the caller's active organization and answers a fresh token without it; use that token from now on." },
    });
}
