/**
 * @module Permits and enrolls: who may hold which permission, and who has which role. Writes are
 * validated in full before anything is stored (a refused request changes nothing), and the
 * in-memory permit index is rebuilt after every permit change. This service is the only writer of
 * roles and enrolls: organizations and user administration change roles through it, so "a role change
 * makes the user's sessions inactive" and "the last admin stays" are each said once, here.
 */
import type { Caller, DefaultPermit } from "../../../auth-gate";
import { permissionDenied } from "../../../../http/errors";
import { enrollConflict, enrollNotFound, enrollTargetMissing, filterMissing, lastAdmin, permissionMissing, permissionNotOwned, permitNotFound, roleNotHeld, roleNotOwned, tooManyPermits, userGone, userNotFound } from "../../errors";
import { isoTime } from "../../../../lib/clock";
import type { Clock } from "../../../../lib/clock";
import { newId } from "../../../../lib/ids";
import type * as M from "../../../../contracts/user/models";
import type { EnrollInput, PermitInput } from "../../../../contracts/user/requests";
import type { PermitIndex } from "../permit-index";
import { ownsName, ROLE_ADMIN } from "../permissions";
import type { AccessStore } from "../store/access";
import type { AppStore } from "../../orgs/store/apps";
import type { UserStore } from "../../identity/store/users";
import { enrollView, permitView, type EnrollRow, type PermitRow } from "../wire";
import { userView } from "../../identity/wire";
import { appView } from "../../orgs/wire";
import type { SessionService } from "../../identity/services/sessions";
import { firstMissingId, normaliseContactId } from "../../rules";

/** What the access service needs. */
export interface AccessDeps {
  access: AccessStore;
  apps: AppStore;
  users: UserStore;
  sessions: SessionService;
  permits: PermitIndex;
  clock: Clock;
}

/**
 * Permissions one save may store, counting each of a permit's `permissions`. The schema bounds permits
 * (500) and permissions per permit (100) separately, which let one request ask for 50,000 rows and
 * hold the event loop for seconds.
 */
const MAX_PERMITS_PER_SAVE = 500;

type Owner = Pick<Caller, "slug" | "roles" | "isAdmin">;
const SYSTEM: Owner = { slug: "", roles: [], isAdmin: true };

/** Permits (who holds a permission) and enrolls (who holds a role), with ownership checks. */
export class AccessService {
  constructor(private readonly d: AccessDeps) {}

  /** Loads the permit index from the table (at start). */
  reloadPermits(): void {
    this.d.permits.load(this.d.access.allPermits());
  }

  /** Saves permits idempotently: a permit equal to an existing one (permission, app, slugs, roles) is skipped. */
  savePermits(caller: Owner & { appId: string }, inputs: PermitInput[]): void {
    const expanded = inputs.flatMap((p) => {
      const names = [...(p.permission ? [p.permission] : []), ...(p.permissions ?? [])];
      if (names.length === 0) throw permissionMissing();
      return names.map((permission, i) => ({ ...p, permission, id: i === 0 ? p.id : undefined }));
    });
    if (expanded.length > MAX_PERMITS_PER_SAVE) throw tooManyPermits(MAX_PERMITS_PER_SAVE, expanded.length);
    for (const p of expanded) this.assertOwns(caller, p.permission, "permission");
    // A permit named by id is overwritten: its current permission must be the caller's too.
    for (const prior of this.d.access.findPermitsById(expanded.flatMap((p) => (p.id ? [p.id] : [])))) this.assertOwns(caller, prior.permission, "permission");
    const seen = new Set(this.d.access.permitsOf(expanded.map((p) => p.permission)).map(permitKey));
    const now = this.d.clock.now();
    const rows: PermitRow[] = [];
    for (const p of expanded) {
      const appId = this.appIdOf(p.appHost, caller.appId);
      const row: PermitRow = { id: p.id || newId("perm"), appId, permission: p.permission, slugs: p.slugs ?? [], roles: p.roles ?? [], createdAt: now, updatedAt: now };
      const key = permitKey(row);
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(row);
    }
    this.d.access.upsertPermits(rows);
    this.d.permits.upsert(rows);
  }

  /**
   * Deletes permits by id (`oo permit rm`); non-admins only permits of their own `<slug>:` permissions.
   * A module's default permits come back at the next start (they are granted at every start).
   */
  deletePermits(caller: Owner, ids: string[]): void {
    const rows = this.d.access.findPermitsById(ids);
    const missing = firstMissingId(ids, rows);
    if (missing) throw permitNotFound(missing);
    for (const row of rows) this.assertOwns(caller, row.permission, "permission");
    this.d.access.deletePermits(ids);
    this.d.permits.removeIds(ids);
  }

  /** Default permits of a module, in every app (idempotent, called at start). */
  grantDefaults(permits: DefaultPermit[]): void {
    this.savePermits({ ...SYSTEM, appId: "*" }, permits.map((p) => ({ ...p, appHost: "*" })));
  }

  listPermits(filter: { permission?: string; slug?: string }): M.Permit[] {
    return this.d.access
      .allPermits()
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
  hasPermissionView(caller: Caller, permission: string, expSeconds: number | undefined) {
    const user = this.d.users.findById(caller.userId);
    if (!user) throw userGone();
    const app = this.d.apps.findById(caller.appId);
    return {
      authorized: this.d.permits.allows(caller, permission),
      appId: caller.appId,
      until: isoTime((expSeconds ?? 0) * 1000),
      user: userView(user),
      app: app ? appView(app) : { id: caller.appId, host: "" },
    };
  }

  /** Saves enrolls; returns the pending (contact) enrolls stored, as 1Backend does. */
  saveEnrolls(caller: Caller, inputs: EnrollInput[]): M.Enroll[] {
    for (const e of inputs) this.assertOwns(caller, e.role, "role");
    const priorById = new Map(this.d.access.findEnrollsById(inputs.flatMap((e) => (e.id ? [e.id] : []))).map((r) => [r.id, r]));
    // An id names an existing enroll that the upsert would overwrite: its role must be the caller's too
    // (1Backend checks only the new role, so knowing an enroll id let anyone rewrite, e.g., an admin's).
    for (const prior of priorById.values()) this.assertOwns(caller, prior.role, "role");
    const plans = inputs.map((e) => this.planEnroll(caller, e, priorById));
    const pending: EnrollRow[] = [];
    const now = this.d.clock.now();
    for (const plan of plans) {
      const appId = this.appIdOf(plan.input.appHost, caller.appId);
      if (plan.userId) {
        this.assignRole(appId, plan.userId, plan.input.role);
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
      this.d.access.upsertEnroll(row);
      pending.push(row);
    }
    return pending.map(enrollView);
  }

  /** Gives a user a role in an app (no-op when held); their sessions there go inactive so the next login re-mints. */
  assignRole(appId: string, userId: string, role: string): void {
    if (this.d.access.findEnroll(appId, userId, role)) return;
    const now = this.d.clock.now();
    this.d.access.upsertEnroll({ id: newId("enr"), appId, role, userId, contactId: null, createdBy: null, createdAt: now, updatedAt: now });
    this.rolesChanged(userId, appId);
  }

  /** Takes roles of a user in an app (or `*`) away; their sessions there go inactive so the next login re-mints. */
  removeRoles(appId: string, userId: string, roles: string[]): void {
    this.d.access.removeRoles(appId, userId, roles);
    this.rolesChanged(userId, appId);
  }

  /** Roles of a user in an app (see AccessStore.rolesOf). */
  rolesOf(userId: string, appId: string): string[] {
    return this.d.access.rolesOf(userId, appId);
  }

  /** Refuses to delete the user who is the last admin (409 `user.last_admin`). */
  assertUserDeletable(userId: string): void {
    this.assertAdminRemains(this.d.access.listEnrolls({ userId, role: ROLE_ADMIN }), "the last admin cannot be deleted");
  }

  listEnrolls(caller: Caller, filter: { userId?: string; contactId?: string; role?: string }): M.Enroll[] {
    if (!filter.userId && !filter.contactId && !filter.role) throw filterMissing("role, contactId or userId");
    if (!caller.isAdmin) {
      if (filter.role && !ownsName(caller, filter.role)) throw roleNotOwned(`the caller does not own role ${filter.role}`);
      if (filter.contactId) throw permissionDenied("only admins can list enrolls by contact");
      if (filter.userId && filter.userId !== caller.userId) throw permissionDenied("only admins can list other users' enrolls");
    }
    const contactId = filter.contactId ? normaliseContactId(filter.contactId) : undefined;
    const rows = this.d.access.listEnrolls({ ...filter, contactId });
    return rows.filter((r) => caller.isAdmin || ownsName(caller, r.role)).map(enrollView);
  }

  deleteEnrolls(caller: Caller, ids: string[]): void {
    const rows = this.d.access.findEnrollsById(ids);
    const missing = firstMissingId(ids, rows);
    if (missing) throw enrollNotFound(missing);
    for (const row of rows) this.assertOwns(caller, row.role, "role");
    this.assertAdminRemains(rows, "the last admin's admin role cannot be removed");
    this.d.access.deleteEnrolls(ids);
    for (const row of rows) if (row.userId) this.rolesChanged(row.userId, row.appId);
  }

  /** The last admin rule: a change that removes `leaving` must leave some user holding the admin role directly. */
  private assertAdminRemains(leaving: EnrollRow[], refusal: string): void {
    if (!leaving.some((r) => r.role === ROLE_ADMIN && r.userId)) return;
    if (this.d.access.countUsersWithRole(ROLE_ADMIN, leaving.map((r) => r.id)) === 0) throw lastAdmin(refusal);
  }

  /** Tokens carry roles (`1ro`): after a change the user's sessions in the app go inactive, so the next login re-mints. */
  private rolesChanged(userId: string, appId: string): void {
    this.d.sessions.inactivate({ userId, appId });
  }

  private planEnroll(caller: Caller, e: EnrollInput, priorById: Map<string, EnrollRow>) {
    const appId = e.appHost === "*" ? "*" : e.appHost ? this.d.apps.findByHost(e.appHost)?.id : caller.appId;
    const prior = e.id ? priorById.get(e.id) : undefined;
    if (prior && (appId === undefined || prior.appId !== appId)) throw enrollConflict(prior.id);
    const contactId = e.contactId ? normaliseContactId(e.contactId) : undefined;
    const owner = contactId ? this.d.users.findContact(contactId)?.userId : undefined;
    if (owner) return { input: e, userId: owner, contactId };
    if (e.userId) {
      if (!this.d.users.findById(e.userId)) throw userNotFound(e.userId);
      return { input: e, userId: e.userId, contactId };
    }
    if (!contactId) throw enrollTargetMissing();
    return { input: e, userId: undefined, contactId };
  }

  private appIdOf(appHost: string | undefined, callerAppId: string): string {
    if (appHost === "*") return "*";
    if (appHost) return this.d.apps.getOrCreate(appHost).id;
    return callerAppId;
  }

  private assertOwns(caller: Owner, name: string, kind: "role" | "permission"): void {
    if (ownsName(caller, name)) return;
    const refusal = `the caller does not own ${kind} ${name}; it must start with ${caller.slug}:`;
    throw kind === "role" ? roleNotOwned(refusal) : permissionNotOwned(refusal);
  }
}

function permitKey(p: Pick<PermitRow, "permission" | "appId" | "slugs" | "roles">): string {
  return JSON.stringify([p.permission, p.appId, [...p.slugs].sort(), [...p.roles].sort()]);
}
