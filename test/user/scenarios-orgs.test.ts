/** Scenario tables: organizations, memberships and API keys. */
import { expect } from "bun:test";
import { runScenarios, type Step } from "../helpers/scenario";
import { userFixture, type UserApp } from "./fixture";
import { claimsOf } from "./helpers";

const APP = "test.app";
const orgPath = (c: UserApp, rest: string) => `/user-svc/organization/${c.ids.org}${rest}`;
const asOrgAdmin = (c: UserApp) => c.ids.aliceOrgToken!;

/** alice creates `acme`: its id is `c.ids.org`, her org-admin token `c.ids.aliceOrgToken`. */
const createAcme = async (c: UserApp) => {
  const b = await c.step("PUT", "/user-svc/organization", { as: "alice", body: { slug: "acme", name: "Acme" } });
  c.ids.org = b.organization.id;
  c.ids.aliceOrgToken = b.token.token;
};
const addBob = (c: UserApp) => c.step("PUT", orgPath(c, `/user/${c.ids.bob}`), { token: asOrgAdmin(c), body: { roles: [`user-svc:org:{${c.ids.org}}:editors`] } });
const bobAcceptsAndActivates = (c: UserApp) => c.step("POST", orgPath(c, "/membership/accept"), { as: "bob", body: { activate: true } });
const bobDeactivates = (c: UserApp) => c.step("POST", "/user-svc/organization/deactivate", { as: "bob" });
const bobDeclines = (c: UserApp) => c.step("POST", orgPath(c, "/membership/decline"), { as: "bob" });
const removeBob = (c: UserApp) => c.step("DELETE", orgPath(c, `/user/${c.ids.bob}`), { token: asOrgAdmin(c) });
/** acme with bob added by alice (an accepted membership). */
const acmeWithBob: Step<UserApp>[] = [createAcme, addBob];

/** alice's API key: the key `c.ids.key`, its id `c.ids.keyId`. */
const aliceCreatesKey = async (c: UserApp) => {
  const b = await c.step("POST", "/user-svc/api-key", { as: "alice", body: { name: "ci" } });
  c.ids.key = b.key;
  c.ids.keyId = b.apiKey.id;
};
const adminCreatesBobsKey = async (c: UserApp) => {
  c.ids.bobKeyId = (await c.step("POST", "/user-svc/api-key", { as: "admin", body: { userId: c.ids.bob } })).apiKey.id;
};
const exchangeAlicesKey = async (c: UserApp) => {
  c.ids.keyToken = (await c.step("POST", "/user-svc/api-key/exchange", { token: c.ids.key })).token.token;
};
const revokeAlicesKey = (c: UserApp) => c.step("DELETE", "/user-svc/api-keys", { as: "alice", body: { id: c.ids.keyId } });

runScenarios("organizations and memberships", userFixture(), [
  {
    name: "alice creates an organization and gets an org-admin token",
    method: "PUT",
    path: "/user-svc/organization",
    as: "alice",
    body: { slug: "acme", name: "Acme" },
    status: 200,
    check: ({ body: b }) => {
      const claims = claimsOf(b.token.token);
      expect(claims["1ro"]).toContain(`user-svc:org:{${b.organization.id}}:admin`);
      expect(claims["1ao"]).toBe(b.organization.id);
    },
  },
  { name: "an id that would forge role names", setup: createAcme, method: "PUT", path: "/user-svc/organization", as: "bob", body: (c) => ({ id: `${c.ids.org}}:team:{x`, slug: "forged", name: "Forged" }), status: 400, code: "http.invalid_request" },
  { name: "a new organization needs a name", method: "PUT", path: "/user-svc/organization", as: "alice", body: { slug: "nameless" }, status: 400, code: "user.name_missing" },
  { name: "a bad slug", method: "PUT", path: "/user-svc/organization", as: "alice", body: { slug: "Bad Slug", name: "x" }, status: 400 },
  { name: "bob cannot update alice's organization", setup: createAcme, method: "PUT", path: "/user-svc/organization", as: "bob", body: { slug: "acme", name: "Mine" }, status: 403, code: "user.not_organization_admin" },
  { name: "alice renames it", setup: createAcme, method: "PUT", path: "/user-svc/organization", as: asOrgAdmin, body: { slug: "acme", name: "Acme Inc" }, status: 200, check: ({ body: b }) => expect(b.organization.name).toBe("Acme Inc") },
  { name: "an admin may update any organization, by id", setup: createAcme, method: "PUT", path: "/user-svc/organization", as: "admin", body: (c) => ({ id: c.ids.org, slug: "acme-2", name: "Acme 2" }), status: 200, check: ({ body: b }) => expect(b.organization.slug).toBe("acme-2") },
  { name: "alice lists her organizations", setup: createAcme, method: "POST", path: "/user-svc/organizations", as: "alice", status: 200, check: ({ body: b }, c) => expect(b.organizations.map((o: any) => o.id)).toEqual([c.ids.org]) },
  { name: "bob sees none", setup: createAcme, method: "POST", path: "/user-svc/organizations", as: "bob", status: 200, check: ({ body: b }) => expect(b.organizations).toEqual([]) },
  { name: "admins see all of the app", setup: createAcme, method: "POST", path: "/user-svc/organizations", as: "admin", body: { all: true }, status: 200, check: ({ body: b }, c) => expect(b.organizations.map((o: any) => o.id)).toContain(c.ids.org) },
  { name: "bob cannot add members", setup: createAcme, method: "PUT", path: (c) => orgPath(c, `/user/${c.ids.bob}`), as: "bob", status: 403, code: "user.not_organization_admin" },
  { name: "an unknown organization", method: "PUT", path: (c) => `/user-svc/organization/org-nope/user/${c.ids.bob}`, as: "alice", status: 404, code: "user.organization_not_found" },
  { name: "an unknown user", setup: createAcme, method: "PUT", path: (c) => orgPath(c, "/user/usr-nope"), as: asOrgAdmin, status: 404, code: "user.user_not_found" },
  { name: "roles outside the organization", setup: createAcme, method: "PUT", path: (c) => orgPath(c, `/user/${c.ids.bob}`), as: asOrgAdmin, body: { roles: ["alice:x"] }, status: 403, code: "user.role_not_owned" },
  { name: "alice adds bob", setup: createAcme, method: "PUT", path: (c) => orgPath(c, `/user/${c.ids.bob}`), as: asOrgAdmin, body: (c) => ({ roles: [`user-svc:org:{${c.ids.org}}:editors`] }), status: 200, check: ({ body: b }) => expect(b.membership.status).toBe("accepted") },
  {
    name: "bob's next login has the org role and organization",
    setup: acmeWithBob,
    method: "POST",
    path: "/user-svc/login",
    body: { appHost: APP, slug: "bob", password: "bob-password", device: "laptop" },
    status: 200,
    check: ({ body: b }, c) => {
      const claims = claimsOf(b.token.token);
      expect(claims["1ro"]).toContain(`user-svc:org:{${c.ids.org}}:user`);
      expect(claims["1ao"]).toBe(c.ids.org);
    },
  },
  { name: "the org admin lists the members", setup: acmeWithBob, method: "POST", path: "/user-svc/memberships", as: asOrgAdmin, body: (c) => ({ organizationId: c.ids.org }), status: 200, check: ({ body: b }) => expect(b.memberships.map((m: any) => m.user.slug).sort()).toEqual(["alice", "bob"]) },
  { name: "bob lists his own", setup: acmeWithBob, method: "POST", path: "/user-svc/memberships", as: "bob", status: 200, check: ({ body: b }) => expect(b.memberships.length).toBe(1) },
  { name: "bob cannot list alice's", setup: acmeWithBob, method: "POST", path: "/user-svc/memberships", as: "bob", body: (c) => ({ userId: c.ids.alice }), status: 403 },
  { name: "bob accepts (idempotent) and activates", setup: acmeWithBob, method: "POST", path: (c) => orgPath(c, "/membership/accept"), as: "bob", body: { activate: true }, status: 200, check: ({ body: b }, c) => expect(claimsOf(b.token.token)["1ao"]).toBe(c.ids.org) },
  { name: "accepting without a membership", setup: createAcme, method: "POST", path: (c) => orgPath(c, "/membership/accept"), as: "admin", status: 404 },
  { name: "bob deactivates", setup: [...acmeWithBob, bobAcceptsAndActivates], method: "POST", path: "/user-svc/organization/deactivate", as: "bob", status: 200, check: ({ body: b }) => expect(claimsOf(b.token.token)["1ao"]).toBeUndefined() },
  { name: "bob activates it again", setup: [...acmeWithBob, bobAcceptsAndActivates, bobDeactivates], method: "POST", path: "/user-svc/organization/activate", as: "bob", body: (c) => ({ organizationId: c.ids.org }), status: 200, check: ({ body: b }, c) => expect(claimsOf(b.token.token)["1ao"]).toBe(c.ids.org) },
  { name: "activating a foreign organization", method: "POST", path: "/user-svc/organization/activate", as: "bob", body: { organizationId: "org-nope" }, status: 404 },
  { name: "bob declines (leaves)", setup: [...acmeWithBob, bobAcceptsAndActivates], method: "POST", path: (c) => orgPath(c, "/membership/decline"), as: "bob", status: 200, check: ({ body: b }) => expect(b.membership.status).toBe("declined") },
  { name: "a declined membership cannot be activated", setup: [...acmeWithBob, bobDeclines], method: "POST", path: "/user-svc/organization/activate", as: "bob", body: (c) => ({ organizationId: c.ids.org }), status: 409, code: "user.membership_not_accepted" },
  { name: "declining without a membership", setup: createAcme, method: "POST", path: (c) => orgPath(c, "/membership/decline"), as: "admin", status: 404 },
  { name: "bob cannot remove alice", setup: acmeWithBob, method: "DELETE", path: (c) => orgPath(c, `/user/${c.ids.alice}`), as: "bob", status: 403 },
  { name: "alice removes bob", setup: acmeWithBob, method: "DELETE", path: (c) => orgPath(c, `/user/${c.ids.bob}`), as: asOrgAdmin, status: 200 },
  { name: "removing a non-member", setup: [...acmeWithBob, removeBob], method: "DELETE", path: (c) => orgPath(c, `/user/${c.ids.bob}`), as: asOrgAdmin, status: 404, code: "user.membership_not_found" },
  { name: "bob's new login has no org role", setup: [...acmeWithBob, removeBob], method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "bob", password: "bob-password", device: "tablet" }, status: 200, check: ({ body: b }) => expect(claimsOf(b.token.token)["1ro"]).toEqual(["user-svc:user"]) },
]);

runScenarios("API keys", userFixture(), [
  { name: "alice creates a key", method: "POST", path: "/user-svc/api-key", as: "alice", body: { name: "ci" }, status: 200, check: ({ body: b }) => expect(b.key.startsWith(b.apiKey.prefix)).toBe(true) },
  { name: "an expired expiry", method: "POST", path: "/user-svc/api-key", as: "alice", body: { expiresAt: "2000-01-01T00:00:00Z" }, status: 400 },
  { name: "for another user: not an admin", method: "POST", path: "/user-svc/api-key", as: "alice", body: (c) => ({ userId: c.ids.bob }), status: 403 },
  { name: "an unknown app", method: "POST", path: "/user-svc/api-key", as: "alice", body: { appId: "app-nope" }, status: 404 },
  { name: "an admin creates one for bob", method: "POST", path: "/user-svc/api-key", as: "admin", body: (c) => ({ userId: c.ids.bob }), status: 200 },
  { name: "alice lists hers (never the key)", setup: [aliceCreatesKey, adminCreatesBobsKey], method: "POST", path: "/user-svc/api-keys", as: "alice", body: {}, status: 200, check: ({ body: b }, c) => { expect(b.apiKeys.map((k: any) => k.id)).toEqual([c.ids.keyId]); expect(JSON.stringify(b)).not.toContain(c.ids.key!); } },
  { name: "alice cannot list bob's", method: "POST", path: "/user-svc/api-keys", as: "alice", body: (c) => ({ userId: c.ids.bob }), status: 403 },
  { name: "exchange the key", setup: aliceCreatesKey, method: "POST", path: "/user-svc/api-key/exchange", as: (c) => c.ids.key!, status: 200, check: ({ body: b }, c) => expect(b.token.userId).toBe(c.ids.alice) },
  { name: "exchange garbage", method: "POST", path: "/user-svc/api-key/exchange", headers: { authorization: "obk_nope_nope" }, status: 401, code: "user.invalid_api_key" },
  { name: "exchange nothing", method: "POST", path: "/user-svc/api-key/exchange", status: 401 },
  { name: "revoke needs a target", method: "DELETE", path: "/user-svc/api-keys", as: "alice", body: {}, status: 400 },
  { name: "revoke an unknown key", method: "DELETE", path: "/user-svc/api-keys", as: "alice", body: { ids: ["apik-nope"] }, status: 404 },
  { name: "alice cannot revoke bob's key", setup: adminCreatesBobsKey, method: "DELETE", path: "/user-svc/api-keys", as: "alice", body: (c) => ({ ids: [c.ids.bobKeyId] }), status: 403 },
  { name: "alice revokes hers", setup: aliceCreatesKey, method: "DELETE", path: "/user-svc/api-keys", as: "alice", body: (c) => ({ id: c.ids.keyId }), status: 200 },
  { name: "the key no longer exchanges", setup: [aliceCreatesKey, revokeAlicesKey], method: "POST", path: "/user-svc/api-key/exchange", as: (c) => c.ids.key!, status: 401 },
  { name: "and its token is revoked", setup: [aliceCreatesKey, exchangeAlicesKey, revokeAlicesKey], method: "POST", path: "/user-svc/self", as: (c) => c.ids.keyToken!, status: 401, code: "user.token_revoked" },
  { name: "revoked keys are listed on request", setup: [aliceCreatesKey, revokeAlicesKey], method: "POST", path: "/user-svc/api-keys", as: "alice", body: { includeRevoked: true }, status: 200, check: ({ body: b }) => expect(b.apiKeys[0].revokedAt).toBeString() },
]);
