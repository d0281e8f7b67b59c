/**
 * @module Permits and enrolls: who may hold which permission, and who has which role. Writes are
 * validated in full before anything is stored (a refused request changes nothing), and the
 * in-memory permit index is updated after every permit change, here at once and on the other nodes of
 * a cluster through the change feed (permit-sync.ts). This service is the only writer of
 * roles and enrolls: organizations and user administration change roles through it, so "a role change
 * makes the user's sessions inactive" and "the last admin stays" are each said once, here. The
 * ownership checks, enroll targets and content ids it applies before a write are in access-plan.ts.
 */
import type { Caller, DefaultPermit } from "../../../auth-gate";
import { permissionDenied } from "../../../../http/errors";
import { enrollNotFound, filterMissing, lastAdmin, permissionMissing, permitNotFound, roleNotHeld, roleNotOwned, tooManyPermits, userGone } from "../../errors";
import type { Db, PendingQuery } from "../../../../db/database";
import { isoTime } from "../../../../lib/clock";
import type { Clock } from "../../../../lib/clock";
import { newId } from "../../../../lib/ids";
import type * as M from "../../../../contracts/user/models";
import type { EnrollInput, PermitInput } from "../../../../contracts/user/requests";
import type { PermitIndex } from "../permit-index";
import { PermitSync } from "../permit-sync";
import { silentLogger, type Logger } from "../../../../lib/log";
import { ownsName, ROLE_ADMIN } from "../permissions";
import type { AccessStore } from "../store/access";
import type { AppStore } from "../../orgs/store/apps";
import type { UserStore } from "../../identity/store/users";
import { enrollView, permitView, type EnrollRow, type PermitRow } from "../wire";
import { userView } from "../../identity/wire";
import { appView } from "../../orgs/wire";
import type { SessionService } from "../../identity/services/sessions";
import { firstMissingId, normaliseContactId } from "../../rules";
import { appIdOf, assertOwns, contentId, permitKey, planEnroll, type Owner, type PermitKey } from "./access-plan";

/** What the access service needs. */
export interface AccessDeps {
  access: AccessStore;
  apps: AppStore;
  users: UserStore;
  sessions: SessionService;
  permits: PermitIndex;
  clock: Clock;
  /** Where a failed read of other nodes' permit changes is reported. */
  log?: Logger;
}

/**
 * Permissions one save may store, counting each of a permit's `permissions`. The schema bounds permits
 * (500) and permissions per permit (100) separately, which let one request ask for 50,000 rows and
 * hold the event loop for seconds.
 */
const MAX_PERMITS_PER_SAVE = 500;

const SYSTEM: Owner = { slug: "", roles: [], isAdmin: true };

/** Permits (who holds a permission) and enrolls (who holds a role), with ownership checks. */
export class AccessService {
  /** Applies this node's and other nodes' permit changes to the index. */
  private readonly sync: PermitSync;

  constructor(private readonly d: AccessDeps) {
    this.sync = new PermitSync({ index: d.permits, read: (ids) => d.access.findPermitsById(ids), readAll: () => d.access.allPermits(), log: d.log ?? silentLogger });
    d.access.onPermitsChangedElsewhere((ids) => this.sync.changedElsewhere(ids));
  }

  /** Loads the permit index from the table (at start). */
  async reloadPermits(): Promise<void> {
    this.d.permits.load(await this.d.access.allPermits());
  }

  /**
   * In a cluster, once the change feed is followed: reads every permit again, so a change another node
   * made between {@link reloadPermits} and the feed's start (not delivered: the feed starts where it
   * ends) is not missed. Nothing on one node.
   */
  async catchUpPermits(): Promise<void> {
    if (this.d.access.followsOtherNodes) await this.sync.resyncAll();
  }

  /** Stops following other nodes' permit changes (at shutdown). */
  async stop(): Promise<void> {
    await this.sync.stop();
  }

  /**
   * Saves permits idempotently: a permit equal to an existing one (permission, app, slugs, roles) is
   * skipped. `idOf` names a permit given without id (default: a new random id).
   */
  async savePermits(caller: Owner & { appId: string }, inputs: PermitInput[], idOf: (row: PermitKey) => string = () => newId("perm")): Promise<void> {
    const expanded = inputs.flatMap((p) => {
      const names = [...(p.permission ? [p.permission] : []), ...(p.permissions ?? [])];
      if (names.length === 0) throw permissionMissing();
      return names.map((permission, i) => ({ ...p, permission, id: i === 0 ? p.id : undefined }));
    });
    if (expanded.length > MAX_PERMITS_PER_SAVE) throw tooManyPermits(MAX_PERMITS_PER_SAVE, expanded.length);
    for (const p of expanded) assertOwns(caller, p.permission, "permission");
    // A permit named by id is overwritten: its current permission must be the caller's too.
    for (const prior of await this.d.access.findPermitsById(expanded.flatMap((p) => (p.id ? [p.id] : [])))) assertOwns(caller, prior.permission, "permission");
    const seen = new Set((await this.d.access.permitsOf(expanded.map((p) => p.permission))).map(permitKey));
    const now = this.d.clock.now();
    const rows: PermitRow[] = [];
    for (const p of expanded) {
      const grant = { appId: await appIdOf(this.d.apps, p.appHost, caller.appId), permission: p.permission, slugs: p.slugs ?? [], roles: p.roles ?? [] };
      const key = permitKey(grant);
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({ id: p.id || idOf(grant), ...grant, createdAt: now, updatedAt: now });
    }
    await this.d.access.upsertPermits(rows);
    this.sync.savedHere(rows);
  }

  /**
   * Deletes permits by id (`oo permit rm`); non-admins only permits of their own `<slug>:` permissions.
   * A module's default permits come back at the next start (they are granted at every start).
   */
  async deletePermits(caller: Owner, ids: string[]): Promise<void> {
    const rows = await this.d.access.findPermitsById(ids);
    const missing = firstMissingId(ids, rows);
    if (missing) throw permitNotFound(missing);
    for (const row of rows) assertOwns(caller, row.permission, "permission");
    await this.d.access.deletePermits(ids);
    this.sync.deletedHere(ids);
  }

  /**
   * Default permits of a module, in every app (idempotent, called at start). Each is named by its
   * content, so nodes starting at once on one database write one row per default, not one each.
   */
  async grantDefaults(permits: DefaultPermit[]): Promise<void> {
    await this.savePermits({ ...SYSTEM, appId: "*" }, permits.map((p) => ({ ...p, appHost: "*" })), (grant) => contentId("perm", permitKey(grant)));
  }

  async listPermits(filter: { permission?: string; slug?: string }): Promise<M.Permit[]> {
    return (await this.d.access.allPermits())
      .filter((p) => (!filter.permission || p.permission === filter.permission) && (!filter.slug || p.slugs.includes(filter.slug)))
      .map(permitView);
  }

  /** Permissions of roles the caller holds (default: all of them). */
  listPermissions(caller: Caller, roles: string[] | undefined): string[] {
    const asked = roles && roles.length > 0 ? roles : caller.roles;
    for (const role of asked) if (!caller.roles.includes(role)) throw roleNotHeld(role);
    return this.d.permits.permissionsOfRoles(asked);
  }

  /** `POST /self/has/{permission}`: 200 either way, with the caller's user and app (reference §6.14). */
  async hasPermissionView(caller: Caller, permission: string, expSeconds: number | undefined) {
    const user = await this.d.users.findById(caller.userId);
    if (!user) throw userGone();
    const app = await this.d.apps.findById(caller.appId);
    return {
      authorized: this.d.permits.allows(caller, permission),
      appId: caller.appId,
      until: isoTime((expSeconds ?? 0) * 1000),
      user: userView(user),
      app: app ? appView(app) : { id: caller.appId, host: "" },
    };
  }

  /** Saves enrolls; returns the pending (contact) enrolls stored, as 1Backend does. */
  async saveEnrolls(caller: Caller, inputs: EnrollInput[]): Promise<M.Enroll[]> {
    for (const e of inputs) assertOwns(caller, e.role, "role");
    const priorById = new Map((await this.d.access.findEnrollsById(inputs.flatMap((e) => (e.id ? [e.id] : [])))).map((r) => [r.id, r]));
    // An id names an existing enroll that the upsert would overwrite: its role must be the caller's too
    // (1Backend checks only the new role, so knowing an enroll id let anyone rewrite, e.g., an admin's).
    for (const prior of priorById.values()) assertOwns(caller, prior.role, "role");
    const plans = [];
    for (const e of inputs) plans.push(await planEnroll(this.d, caller, e, priorById));
    const pending: EnrollRow[] = [];
    const now = this.d.clock.now();
    for (const plan of plans) {
      const appId = await appIdOf(this.d.apps, plan.input.appHost, caller.appId);
      if (plan.userId) {
        await this.assignRole(appId, plan.userId, plan.input.role);
        continue;
      }
      const prior = plan.input.id ? priorById.get(plan.input.id) : undefined;
      const row: EnrollRow = {
        id: plan.input.id || newId("enr"),
        appId,
        role: plan.input.role,
        userId: null,
        contactId: plan.contactId!,
        createdBy: caller.userId,
        createdAt: prior?.createdAt ?? now,
        updatedAt: now,
      };
      await this.d.access.upsertEnroll(row);
      pending.push(row);
    }
    return pending.map(enrollView);
  }

  /**
   * Gives a user a role in an app (no-op when held); their sessions there go inactive so the next login
   * re-mints. The enroll is named by (app, user, role), so two concurrent grants write one row.
   */
  async assignRole(appId: string, userId: string, role: string): Promise<void> {
    if (await this.d.access.findEnroll(appId, userId, role)) return;
    await this.d.access.upsertEnroll(this.roleEnroll(appId, userId, role, this.d.clock.now()));
    await this.rolesChanged(userId, appId);
  }

  /**
   * The writes giving a user who is being created `roles` in an app (or `*`), for the batch that creates
   * it (AccountService.createUser): no node can read the user without them, so none can mint it a token
   * without its roles (the bootstrap admin, created while other nodes may be starting). It has no
   * sessions yet, so none go inactive.
   */
  rolesOfNewUser(appId: string, userId: string, roles: string[]): (db: Db) => PendingQuery[] {
    const now = this.d.clock.now();
    const rows = roles.map((role) => this.roleEnroll(appId, userId, role, now));
    return (db) => this.d.access.enrollInserts(db, rows);
  }

  /** A user's enroll in a role, named by (app, user, role), so two concurrent grants write one row. */
  private roleEnroll(appId: string, userId: string, role: string, now: number): EnrollRow {
    return { id: contentId("enr", JSON.stringify([appId, userId, role])), appId, role, userId, contactId: null, createdBy: null, createdAt: now, updatedAt: now };
  }

  /** Takes roles of a user in an app (or `*`) away; their sessions there go inactive so the next login re-mints. */
  async removeRoles(appId: string, userId: string, roles: string[]): Promise<void> {
    await this.d.access.removeRoles(appId, userId, roles);
    await this.rolesChanged(userId, appId);
  }

  /** Roles of a user in an app (see AccessStore.rolesOf). */
  rolesOf(userId: string, appId: string): Promise<string[]> {
    return this.d.access.rolesOf(userId, appId);
  }

  /** Refuses to delete the user who is the last admin (409 `user.last_admin`). */
  async assertUserDeletable(userId: string): Promise<void> {
    await this.assertAdminRemains(await this.d.access.listEnrolls({ userId, role: ROLE_ADMIN }), "the last admin cannot be deleted");
  }

  async listEnrolls(caller: Caller, filter: { userId?: string; contactId?: string; role?: string }): Promise<M.Enroll[]> {
    if (!filter.userId && !filter.contactId && !filter.role) throw filterMissing("role, contactId or userId");
    if (!caller.isAdmin) {
      if (filter.role && !ownsName(caller, filter.role)) throw roleNotOwned(`the caller does not own role ${filter.role}`);
      if (filter.contactId) throw permissionDenied("only admins can list enrolls by contact");
      if (filter.userId && filter.userId !== caller.userId) throw permissionDenied("only admins can list other users' enrolls");
    }
    const contactId = filter.contactId ? normaliseContactId(filter.contactId) : undefined;
    const rows = await this.d.access.listEnrolls({ ...filter, contactId });
    return rows.filter((r) => caller.isAdmin || ownsName(caller, r.role)).map(enrollView);
  }

  async deleteEnrolls(caller: Caller, ids: string[]): Promise<void> {
    const rows = await this.d.access.findEnrollsById(ids);
    const missing = firstMissingId(ids, rows);
    if (missing) throw enrollNotFound(missing);
    for (const row of rows) assertOwns(caller, row.role, "role");
    await this.assertAdminRemains(rows, "the last admin's admin role cannot be removed");
    await this.d.access.deleteEnrolls(ids);
    for (const row of rows) if (row.userId) await this.rolesChanged(row.userId, row.appId);
  }

  /** The last admin rule: a change that removes `leaving` must leave some user holding the admin role directly. */
  private async assertAdminRemains(leaving: EnrollRow[], refusal: string): Promise<void> {
    if (!leaving.some((r) => r.role === ROLE_ADMIN && r.userId)) return;
    if ((await this.d.access.countUsersWithRole(ROLE_ADMIN, leaving.map((r) => r.id))) === 0) throw lastAdmin(refusal);
  }

  /** Tokens carry roles (`1ro`): after a change the user's sessions in the app go inactive, so the next login re-mints. */
  private async rolesChanged(userId: string, appId: string): Promise<void> {
    await this.d.sessions.inactivate({ userId, appId });
  }
}
