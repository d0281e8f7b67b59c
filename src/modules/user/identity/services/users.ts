/** @module Users: self-service (read/save self, change password) and administration (create, save, delete, list, reset password). */
import type { Caller } from "../../../auth-gate";
import { permissionDenied } from "../../../../http/errors";
import { tooManyLogins, userGone, userNotFound, wrongPassword } from "../../errors";
import type { Clock } from "../../../../lib/clock";
import type { CreateUserBody, ListUsersBody, SaveSelfBody } from "../../../../contracts/user/requests";
import type { PasswordHasher } from "../passwords";
import type { PermitIndex } from "../../access/permit-index";
import { P } from "../../access/permissions";
import type { FailureLimit } from "../shared-limits";
import type { AppStore } from "../../orgs/store/apps";
import type { OrgStore } from "../../orgs/store/orgs";
import type { UserStore } from "../store/users";
import { contactView, userRecordView, userView, type UserRow } from "../wire";
import { organizationView } from "../../orgs/wire";
import type { AccountService } from "./accounts";
import type { AccessService } from "../../access/services/access";
import type { SessionService } from "./sessions";
import { normaliseContactId, parseTime } from "../../rules";
import { accountAttemptKey, assertNewPassword, assertSlugAvailable } from "../account-rules";
import { DEFAULT_APP_HOST } from "../../orgs/services/apps";
import { isoTime } from "../../../../lib/clock";

/** What the user service needs. */
export interface UserServiceDeps {
  users: UserStore;
  apps: AppStore;
  orgs: OrgStore;
  /** The writer of roles: roles of new users and the last admin rule. */
  access: AccessService;
  accounts: AccountService;
  sessions: SessionService;
  passwords: PasswordHasher;
  permits: PermitIndex;
  /** Wrong current passwords per account in password changes; its own counter, not the login limits' (in the database on PostgreSQL: shared-limits.ts). */
  passwordAttempts: FailureLimit;
  clock: Clock;
  /** Which users have TOTP on (readSelf and listUsers show `totpEnabled`). */
  totp?: { enabledAmong(userIds: string[]): Promise<Set<string>> };
}

/** Self-service and administration of users. */
export class UserService {
  constructor(private readonly d: UserServiceDeps) {}

  async readSelf(caller: Caller, countTokens: boolean) {
    const user = await this.existing(caller.userId, true);
    const orgIds = (await this.d.orgs.membershipsOfUser(user.id, caller.appId)).filter((m) => m.status === "accepted").map((m) => m.organizationId);
    const organizations = (await this.d.orgs.findByIds(orgIds)).map(organizationView);
    const contacts = (await this.d.users.contactsOf(user.id)).map(contactView);
    return {
      user: userView(user),
      totpEnabled: (await this.totpOn([user.id])).has(user.id),
      roles: caller.roles,
      organizations: organizations.length > 0 ? organizations : undefined,
      contacts: contacts.length > 0 ? contacts : undefined,
      activeOrganizationId: caller.organizationId,
      tokenCount: countTokens ? await this.d.sessions.countOf(user.id) : 0,
    };
  }

  async saveSelf(caller: Caller, body: SaveSelfBody): Promise<void> {
    const user = await this.existing(caller.userId, true);
    await this.d.users.update(user.id, {
      name: body.name || user.name,
      thumbnailFileId: body.thumbnailFileId || user.thumbnailFileId,
      labels: body.labels ? { ...user.labels, ...body.labels } : user.labels,
      updatedAt: this.d.clock.now(),
    });
  }

  /**
   * Changes the caller's password; the current one must match. Wrong current passwords are bounded per
   * account on a counter of their own: only a holder of the account's token reaches this, so no stranger
   * can fill it, and failed logins at the slug (anyone's) do not block the owner's change. Checked before
   * the hash; the attempt counts at once (parallel requests) and is forgiven when it succeeds. In a
   * cluster the count is the database's, so the bound holds over all nodes together (shared-limits.ts).
   */
  async changePassword(caller: Caller, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.existing(caller.userId, true);
    const key = accountAttemptKey(user.id);
    const retry = await this.d.passwordAttempts.admit(key);
    if (retry > 0) throw tooManyLogins(retry);
    if (!(await this.d.passwords.verify(currentPassword, await this.d.users.passwordHash(user.id)))) throw wrongPassword();
    await this.d.passwordAttempts.succeeded(key);
    assertNewPassword(newPassword);
    await this.d.users.setPassword(user.id, await this.d.passwords.hash(newPassword), this.d.clock.now());
    // Whoever else holds a token (it refreshes for as long as its session lives) loses it with the old password.
    await this.d.sessions.revoke({ userId: user.id, exceptId: caller.tokenId });
  }

  async resetPassword(userId: string, newPassword: string): Promise<void> {
    await this.existing(userId);
    assertNewPassword(newPassword);
    await this.d.users.setPassword(userId, await this.d.passwords.hash(newPassword), this.d.clock.now());
    // A reset is what an admin does for a compromised account: every session of it ends now.
    await this.d.sessions.revoke({ userId });
  }

  async create(body: CreateUserBody): Promise<void> {
    assertSlugAvailable(body.user.slug);
    if (body.password !== undefined && body.password !== "") assertNewPassword(body.password);
    const app = await this.d.apps.getOrCreate(body.appHost || DEFAULT_APP_HOST);
    const user = await this.d.accounts.createUser(
      { id: body.user.id, slug: body.user.slug, name: body.user.name ?? "", thumbnailFileId: body.user.thumbnailFileId, labels: body.user.labels },
      body.password || undefined,
      body.contacts ?? [],
    );
    for (const role of body.roleIds ?? []) await this.d.access.assignRole(app.id, user.id, role);
  }

  async save(userId: string, body: { name?: string; thumbnailFileId?: string }): Promise<void> {
    const user = await this.existing(userId);
    await this.d.users.update(userId, {
      name: body.name || user.name,
      thumbnailFileId: body.thumbnailFileId || user.thumbnailFileId,
      updatedAt: this.d.clock.now(),
    });
  }

  /** Deletes a user and everything that is theirs; their tokens stop working at once. The last admin cannot be deleted. */
  async delete(userId: string): Promise<void> {
    await this.existing(userId);
    await this.d.access.assertUserDeletable(userId);
    // Revoked first, like any revocation (forgotten here, recorded in the change feed for the other
    // nodes); the user's rows then cascade.
    await this.d.sessions.revoke({ userId });
    await this.d.users.delete(userId);
  }

  /** Lists users; contact-scoped lookups need no broad view permission (client 0.9.18 semantics). */
  async list(caller: Caller, body: ListUsersBody) {
    const scoped = body.contactId !== undefined || body.contactIds !== undefined;
    if (!scoped && !this.d.permits.allows(caller, P.userView)) throw permissionDenied(`permission ${P.userView} is required`);
    const contactIds = [...(body.contactId ? [body.contactId] : []), ...(body.contactIds ?? [])].map(normaliseContactId);
    const ownerIds = scoped ? (await this.d.users.findContacts(contactIds)).map((c) => c.userId) : undefined;
    const searchOwner = body.search ? (await this.d.users.findContact(normaliseContactId(body.search)))?.userId : undefined;
    const order = body.order ?? "desc";
    const orderBy = body.orderBy ?? "createdAt";
    const { users, count } = await this.d.users.list(
      { ids: body.ids, ownerIds, search: body.search, searchOwnerId: searchOwner, limit: body.limit ?? 20, afterTime: parseTime(body.afterTime, "afterTime"), order, orderBy },
      body.count === true,
    );
    const contactsByUser = await this.d.users.contactIdsOf(users.map((u) => u.id));
    const totpOn = await this.totpOn(users.map((u) => u.id));
    const last = users.at(-1);
    return {
      users: users.map((u) => ({ ...userRecordView(u, contactsByUser.get(u.id) ?? []), totpEnabled: totpOn.has(u.id) })),
      after: last ? isoTime(orderBy === "updatedAt" ? last.updatedAt : last.createdAt) : undefined,
      count,
    };
  }

  private async totpOn(userIds: string[]): Promise<Set<string>> {
    return this.d.totp ? this.d.totp.enabledAmong(userIds) : new Set();
  }

  private async existing(userId: string, self = false): Promise<UserRow> {
    const user = await this.d.users.findById(userId);
    if (!user) throw self ? userGone() : userNotFound(userId);
    return user;
  }
}
