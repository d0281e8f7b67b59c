/**
 * @module Organizations and memberships. The creator becomes org admin (`user-svc:org:{id}:admin`);
 * an org admin adds members (`…:user`, accepted at once as in 1Backend) who may later decline;
 * the active organization is the `1ao` claim of newly minted tokens.
 */
import type { Caller } from "../../../auth-gate";
import { permissionDenied } from "../../../../http/errors";
import { membershipNotAccepted, membershipNotFound, notOrganizationAdmin, organizationIdTaken, organizationNameMissing, organizationNotFound, organizationSlugTaken, roleNotOwned, userNotFound } from "../../errors";
import type { Clock } from "../../../../lib/clock";
import { newId } from "../../../../lib/ids";
import type * as M from "../../../../contracts/user/models";
import type { ListMembershipsBody, ListOrganizationsBody, SaveOrganizationBody } from "../../../../contracts/user/requests";
import type { PermitIndex } from "../../access/permit-index";
import { orgRole, orgRolePrefix, P } from "../../access/permissions";
import type { OrgStore } from "../store/orgs";
import type { UserStore } from "../../identity/store/users";
import { membershipView, organizationView, type MembershipRow, type OrganizationRow } from "../wire";
import { userView } from "../../identity/wire";
import type { AccessService } from "../../access/services/access";
import type { SessionService } from "../../identity/services/sessions";
import { parseTime } from "../../rules";

/** What the organization service needs. */
export interface OrgDeps {
  orgs: OrgStore;
  users: UserStore;
  /** The writer of roles: org roles are given and taken through it. */
  access: AccessService;
  sessions: SessionService;
  permits: PermitIndex;
  clock: Clock;
}

/** Organizations, memberships and the active organization. */
export class OrgService {
  constructor(private readonly d: OrgDeps) {}

  /** Creates (caller becomes admin and gets a fresh token) or updates (org admins only) an organization. */
  async save(caller: Caller, body: SaveOrganizationBody): Promise<{ organization: M.Organization; token?: M.Token }> {
    const byId = body.id ? await this.d.orgs.findById(body.id) : undefined;
    if (byId && byId.appId !== caller.appId) throw organizationIdTaken(byId.id);
    const existing = byId ?? (await this.d.orgs.findBySlug(caller.appId, body.slug));
    const now = this.d.clock.now();
    if (existing) {
      await this.assertOrgAdmin(caller, existing.id, true);
      const other = await this.d.orgs.findBySlug(caller.appId, body.slug);
      if (other && other.id !== existing.id) throw organizationSlugTaken(body.slug);
      const row = { ...existing, slug: body.slug, name: body.name || existing.name, thumbnailFileId: body.thumbnailFileId ?? existing.thumbnailFileId, updatedAt: now };
      await this.upsertOrganization(row);
      return { organization: organizationView(row) };
    }
    if (!body.name) throw organizationNameMissing();
    const row: OrganizationRow = { id: body.id || newId("org"), appId: caller.appId, slug: body.slug, name: body.name, thumbnailFileId: body.thumbnailFileId ?? "", createdAt: now, updatedAt: now };
    await this.upsertOrganization(row);
    const admin = orgRole(row.id, "admin");
    await this.d.orgs.upsertMembership(this.membership(row, caller.userId, [admin], caller.userId, now));
    await this.d.access.assignRole(caller.appId, caller.userId, admin);
    if (body.activate !== false) await this.d.orgs.setActive(caller.userId, caller.appId, row.id);
    return { organization: organizationView(row), token: await this.freshToken(caller) };
  }

  /** Admins (with the view permission) see every organization of the app; others see their own. */
  async list(caller: Caller, body: ListOrganizationsBody): Promise<M.Organization[]> {
    const all = this.d.permits.allows(caller, P.orgView);
    const rows = await this.d.orgs.list(caller.appId, { ids: body.ids, limit: body.limit ?? 20, afterTime: parseTime(body.afterTime, "afterTime"), memberOf: all ? undefined : caller.userId });
    return rows.map(organizationView);
  }

  /** An org admin adds a user (accepted at once, 1Backend semantics), with optional extra org roles. */
  async saveMembership(caller: Caller, organizationId: string, userId: string, roles: string[] = []): Promise<M.Membership> {
    const org = await this.organization(organizationId);
    await this.assertOrgAdmin(caller, org.id, true);
    if (!(await this.d.users.findById(userId))) throw userNotFound(userId);
    const prefix = orgRolePrefix(org.id);
    const bad = roles.find((r) => !r.startsWith(prefix));
    if (bad) throw roleNotOwned(`membership roles must start with ${prefix}`);
    const now = this.d.clock.now();
    const prior = await this.d.orgs.findMembership(org.id, userId);
    const allRoles = [...new Set([...(prior?.roles ?? []), orgRole(org.id, "user"), ...roles])];
    const row = { ...this.membership(org, userId, allRoles, caller.userId, now), id: prior?.id ?? newId("memb"), createdAt: prior?.createdAt ?? now };
    row.active = prior?.active ?? !(await this.d.orgs.activeOrganizationOf(userId, org.appId));
    await this.d.orgs.upsertMembership(row);
    for (const role of allRoles) await this.d.access.assignRole(org.appId, userId, role);
    return membershipView(row);
  }

  /** An org admin removes a member (or a member leaves): org roles and the membership go. */
  async deleteMembership(caller: Caller, organizationId: string, userId: string): Promise<void> {
    const org = await this.organization(organizationId);
    if (userId !== caller.userId) await this.assertOrgAdmin(caller, org.id, true);
    const membership = await this.d.orgs.findMembership(org.id, userId);
    if (!membership) throw membershipNotFound(org.id, userId);
    await this.dropRoles(org, userId);
    await this.d.orgs.deleteMembership(membership.id);
  }

  async listMemberships(caller: Caller, body: ListMembershipsBody) {
    const mayListOrg = body.organizationId && (caller.isAdmin || (await this.isOrgAdmin(caller, body.organizationId)));
    const userId = caller.isAdmin || mayListOrg ? body.userId : body.userId || caller.userId;
    if (userId && userId !== caller.userId && !caller.isAdmin && !mayListOrg) throw permissionDenied("only admins can list other users' memberships");
    const rows = await this.d.orgs.listMemberships({ appId: caller.appId, organizationId: body.organizationId || undefined, userId, status: body.status, limit: body.limit ?? 100, afterTime: parseTime(body.afterTime, "afterTime") });
    const orgs = new Map((await this.d.orgs.findByIds([...new Set(rows.map((r) => r.organizationId))])).map((o) => [o.id, o]));
    const users = new Map((await this.d.users.findByIds([...new Set(rows.map((r) => r.userId))])).map((u) => [u.id, u]));
    return rows.flatMap((r) => {
      const org = orgs.get(r.organizationId);
      const user = users.get(r.userId);
      return org && user ? [{ membership: membershipView(r), organization: organizationView(org), user: userView(user) }] : [];
    });
  }

  async accept(caller: Caller, organizationId: string, activate: boolean): Promise<{ membership: M.Membership; token?: M.Token }> {
    const membership = await this.ownMembership(caller, organizationId);
    const now = this.d.clock.now();
    const row: MembershipRow = { ...membership, status: "accepted", acceptedAt: membership.acceptedAt ?? now, updatedAt: now };
    await this.d.orgs.upsertMembership(row);
    for (const role of row.roles) await this.d.access.assignRole(row.appId, caller.userId, role);
    if (!activate) return { membership: membershipView(row) };
    await this.d.orgs.setActive(caller.userId, row.appId, organizationId);
    return { membership: membershipView({ ...row, active: true }), token: await this.freshToken(caller) };
  }

  async decline(caller: Caller, organizationId: string): Promise<M.Membership> {
    const membership = await this.ownMembership(caller, organizationId);
    const row: MembershipRow = { ...membership, status: "declined", active: false, updatedAt: this.d.clock.now() };
    await this.dropRoles(await this.organization(organizationId), caller.userId);
    await this.d.orgs.upsertMembership(row);
    return membershipView(row);
  }

  async activate(caller: Caller, organizationId: string): Promise<M.Token> {
    const membership = await this.ownMembership(caller, organizationId);
    if (membership.status !== "accepted") throw membershipNotAccepted(organizationId, membership.status);
    await this.d.orgs.setActive(caller.userId, membership.appId, organizationId);
    return this.freshToken(caller);
  }

  async deactivate(caller: Caller): Promise<M.Token> {
    await this.d.orgs.setActive(caller.userId, caller.appId, null);
    return this.freshToken(caller);
  }

  private async freshToken(caller: Caller): Promise<M.Token> {
    await this.d.sessions.inactivate({ userId: caller.userId, appId: caller.appId, device: caller.device });
    return await this.d.sessions.view(await this.d.sessions.mint({ id: caller.userId, slug: caller.slug }, caller.appId, caller.device));
  }

  private async dropRoles(org: OrganizationRow, userId: string): Promise<void> {
    const prefix = orgRolePrefix(org.id);
    const roles = (await this.d.access.rolesOf(userId, org.appId)).filter((r) => r.startsWith(prefix));
    if ((await this.d.orgs.activeOrganizationOf(userId, org.appId)) === org.id) await this.d.orgs.setActive(userId, org.appId, null);
    await this.d.access.removeRoles(org.appId, userId, roles);
  }

  private async ownMembership(caller: Caller, organizationId: string): Promise<MembershipRow> {
    const m = await this.d.orgs.findMembership(organizationId, caller.userId);
    if (!m) throw membershipNotFound(organizationId);
    return m;
  }

  private async organization(id: string): Promise<OrganizationRow> {
    const org = await this.d.orgs.findById(id);
    if (!org) throw organizationNotFound(id);
    return org;
  }

  /** Writes an organization; a concurrent save that took the slug first is answered 409 like one that was already there. */
  private async upsertOrganization(row: OrganizationRow): Promise<void> {
    if (!(await this.d.orgs.upsert(row))) throw organizationSlugTaken(row.slug);
  }

  private async isOrgAdmin(caller: Caller, organizationId: string, fromDb = false): Promise<boolean> {
    if (caller.isAdmin) return true;
    const role = orgRole(organizationId, "admin");
    if (caller.roles.includes(role)) return true;
    const org = fromDb ? await this.d.orgs.findById(organizationId) : undefined;
    return org ? (await this.d.access.rolesOf(caller.userId, org.appId)).includes(role) : false;
  }

  private async assertOrgAdmin(caller: Caller, organizationId: string, fromDb = false): Promise<void> {
    if (!(await this.isOrgAdmin(caller, organizationId, fromDb))) throw notOrganizationAdmin();
  }

  private membership(org: OrganizationRow, userId: string, roles: string[], invitedBy: string, now: number): MembershipRow {
    return { id: newId("memb"), appId: org.appId, organizationId: org.id, userId, status: "accepted", roles, active: false, invitedBy, acceptedAt: now, createdAt: now, updatedAt: now };
  }
}
