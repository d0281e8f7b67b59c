/**
 * @module Accounts and tokens: register, login (rate-limited, no user enumeration), refresh,
 * exchange into another app, revoke. Returns wire Tokens; throws AppErrors.
 */
import type { Caller } from "../../../auth-gate";
import { AppError, permissionDenied } from "../../../../http/errors";
import { appHostMissing, appMissing, appNotFound, contactTaken, credentialsMissing, invalidCredentials, invalidToken, missingToken, notBuiltYet, passwordMissing, slugTaken, tokenRevoked, tokenTargetsExclusive, tooManyRegistrations, userIdTaken } from "../../errors";
import type { Db, PendingQuery } from "../../../../db/database";
import type { Clock } from "../../../../lib/clock";
import { newId } from "../../../../lib/ids";
import type * as M from "../../../../contracts/user/models";
import type { ExchangeTokenBody, LoginBody, RegisterBody, RevokeTokensBody } from "../../../../contracts/user/requests";
import type { UserMetrics } from "../../../observability/metrics";
import type { UserGate } from "../gate";
import type { PasswordHasher } from "../passwords";
import type { PermitIndex } from "../../access/permit-index";
import { P } from "../../access/permissions";
import type { LoginAttempt, LoginLimiter } from "../login-limits";
import type { EventLimit } from "../shared-limits";
import { clientNetwork } from "../../../../lib/rate-limit";
import type { AppStore } from "../../orgs/store/apps";
import type { UserStore } from "../store/users";
import { tokenFromHeader } from "../../../../contracts/authorization";
import type { ContactRow, UserRow } from "../wire";
import { isApiKeyDevice } from "../api-key-devices";
import type { SessionService } from "./sessions";
import type { TotpCheck } from "../totp/service";
import { normaliseContactId } from "../../rules";
import { accountAttemptKey, assertNewPassword, assertSlugAvailable } from "../account-rules";
import type { OtpService } from "../otp/service";
import { otpRequired, otpSlugMissing } from "../../errors";

/** What the account service needs. */
export interface AccountDeps {
  users: UserStore;
  apps: AppStore;
  sessions: SessionService;
  passwords: PasswordHasher;
  gate: UserGate;
  permits: PermitIndex;
  /** Failed logins, per (account, client), per client and per account: see login-limits.ts (in the database on PostgreSQL). */
  loginLimits: LoginLimiter;
  /** Registrations per client network (in the database on PostgreSQL: shared-limits.ts). */
  registerPerIp: EventLimit;
  clock: Clock;
  /** Login and registration counters of GET /metrics. */
  metrics?: UserMetrics;
  /** The second factor: a user with TOTP on logs in only with `totpCode` as well (totp/service.ts). */
  totp?: TotpCheck;
  /** One-time codes (contact.otpId + contact.otpCode); identity/otp/. */
  otp?: OtpService;
  /** OB_VERIFY_CONTACTS=true: register and login by contact need a code. */
  verifyContacts?: boolean;
}

const DEFAULT_DEVICE = "unknown";

/** Register, login, refresh, exchange and revoke: the operations that hand out or take back tokens. */
export class AccountService {
  constructor(private readonly d: AccountDeps) {}

  /** `clientIp` is the caller's address (client-address.ts): registrations are counted per client network. */
  async register(body: RegisterBody, clientIp: string): Promise<M.Token> {
    // Every attempt counts, refused ones too: a 409 answers whether a slug exists, and a success costs a hash.
    const retry = await this.d.registerPerIp.hit(clientNetwork(clientIp));
    if (retry > 0) throw tooManyRegistrations(retry);
    assertSlugAvailable(body.slug);
    if (!body.appHost) throw appHostMissing();
    if (body.password !== undefined) assertNewPassword(body.password);
    const verified = await this.redeemContactCode(body.contact);
    if (verified && this.d.verifyContacts) {
      // 1Backend's symmetry: registering a verified contact that a user owns logs that user in.
      const owner = await this.ownerOfContact(normaliseContactId(body.contact!.id));
      if (owner) {
        await this.d.totp?.verifyLogin(owner.id, body.totpCode, { clientIp });
        return this.issueTo(owner, body);
      }
    }
    const user = await this.createUser({ slug: body.slug, name: body.name ?? "" }, body.password, body.contact ? [{ ...body.contact, verified }] : []);
    this.d.metrics?.registrations.inc();
    const app = await this.d.apps.getOrCreate(body.appHost);
    return this.d.sessions.view(await this.d.sessions.issue(user, app.id, body.device || DEFAULT_DEVICE));
  }

  /**
   * Creates a user with optional password and contacts, and `also` (writes built on the batch's `db`,
   * e.g. its roles) in the same batch; 409 when the slug, id or a contact is taken.
   */
  async createUser(
    input: { id?: string; slug: string; name: string; thumbnailFileId?: string; labels?: Record<string, string> },
    password: string | undefined,
    contacts: { id: string; platform?: string; verified?: boolean }[],
    also?: (db: Db) => readonly PendingQuery[],
  ): Promise<UserRow> {
    const now = this.d.clock.now();
    const user: UserRow = {
      id: input.id || newId("usr"),
      slug: input.slug,
      name: input.name,
      thumbnailFileId: input.thumbnailFileId ?? "",
      labels: input.labels ?? {},
      createdAt: now,
      updatedAt: now,
    };
    const contactRows: ContactRow[] = contacts.map((c) => ({
      id: normaliseContactId(c.id),
      userId: user.id,
      platform: c.platform ?? "",
      verified: c.verified ?? false,
      createdAt: now,
      updatedAt: now,
    }));
    await this.assertFree(user, contactRows);
    const hash = password ? await this.d.passwords.hash(password) : null;
    // The checks above name what is taken; a duplicate created meanwhile is refused by a unique key.
    if (!(await this.d.users.insert(user, hash, contactRows, also))) {
      await this.assertFree(user, contactRows);
      throw slugTaken(user.slug);
    }
    return user;
  }

  /** Logs in by slug or contact; `clientIp` is the caller's address, whose network the login limits key on. */
  async login(body: LoginBody, clientIp: string): Promise<M.Token> {
    if (!body.appHost) throw appHostMissing();
    const contactId = body.contact?.id ? normaliseContactId(body.contact.id) : undefined;
    const who = body.slug || contactId;
    if (!who) throw credentialsMissing();
    if (body.contact && (body.contact.otpId || body.contact.otpCode || this.d.verifyContacts)) return this.loginWithCode(body, normaliseContactId(body.contact.id), clientIp);
    if (!body.password) {
      throw passwordMissing();
    }
    const user = body.slug ? await this.d.users.findBySlug(body.slug) : await this.ownerOfContact(contactId!);
    // Counted per account, not per name: a slug and a contact of one user share one budget. A name
    // nobody owns is limited alike, before the (dummy) hash as well, so 429s do not enumerate either.
    this.d.metrics?.loginAttempts.inc();
    let attempt: LoginAttempt;
    try {
      attempt = await this.d.loginLimits.admit(user ? accountAttemptKey(user.id) : `name:${who}`, clientIp);
    } catch (err) {
      if (err instanceof AppError && err.status === 429) this.d.metrics?.loginLimited.inc();
      throw err;
    }
    const hash = user ? await this.d.users.passwordHash(user.id) : null;
    // Unknown users are checked against a dummy hash: same 401, similar time (no enumeration).
    if (!(await this.d.passwords.verify(body.password, hash)) || !user) {
      this.d.metrics?.loginFailures.inc();
      throw invalidCredentials();
    }
    // A missing or wrong code leaves the attempt counted as a failure: the limits bound code guessing too.
    await this.d.totp?.verifyLogin(user.id, body.totpCode, { clientIp, attempt });
    await this.d.loginLimits.succeeded(attempt);
    const app = await this.d.apps.getOrCreate(body.appHost);
    return this.d.sessions.view(await this.d.sessions.issue(user, app.id, body.device || DEFAULT_DEVICE));
  }

  /** `POST /refresh-token`: a successor for any verified token whose session still exists, even an expired one. */
  async refresh(authorization: string | undefined): Promise<M.Token> {
    const token = tokenFromHeader(authorization);
    if (!token) throw missingToken();
    const verified = await this.d.gate.verify(token);
    if (!verified) throw invalidToken();
    const row = await this.d.sessions.refresh(verified.claims);
    if (!row) throw tokenRevoked();
    return this.d.sessions.view(row);
  }

  async exchange(caller: Caller, body: ExchangeTokenBody): Promise<M.Token> {
    let appId: string;
    if (body.newAppId) {
      if (!(await this.d.apps.findById(body.newAppId))) throw appNotFound(body.newAppId);
      appId = body.newAppId;
    } else if (body.newAppHost) {
      appId = (await this.d.apps.getOrCreate(body.newAppHost)).id;
    } else {
      throw appMissing();
    }
    const subject = { id: caller.userId, slug: caller.slug };
    // A token from an API key keeps the key's device, so revoking or expiring the key reaches it too.
    const device = isApiKeyDevice(caller.device) ? caller.device : body.newDevice || caller.device;
    return this.d.sessions.view(await this.d.sessions.issue(subject, appId, device));
  }

  /** `DELETE /tokens` with 1Backend's rules (reference §6.5), effective immediately. */
  async revoke(caller: Caller, body: RevokeTokensBody): Promise<void> {
    const mayRevokeOthers = this.d.permits.allows(caller, P.tokenRevoke);
    let userId = body.userId || undefined;
    if (!mayRevokeOthers && userId && userId !== caller.userId) throw permissionDenied(`permission ${P.tokenRevoke} is required`);
    if (!mayRevokeOthers) userId = caller.userId;
    if ((!userId && !body.allTokens) || (userId && body.allTokens)) throw tokenTargetsExclusive();
    await this.d.sessions.revoke({ userId, device: body.device || undefined });
  }

  /**
   * Redeems the contact's one-time code when it carries one (true: the contact is verified); with
   * OB_VERIFY_CONTACTS a contact without one is refused, else it is kept unverified (false).
   */
  private async redeemContactCode(contact: { id: string; otpId?: string; otpCode?: string } | undefined): Promise<boolean> {
    if (!contact) return false;
    if (!contact.otpId && !contact.otpCode) {
      if (this.d.verifyContacts) throw otpRequired();
      return false;
    }
    if (!this.d.otp) throw notBuiltYet("one-time passwords");
    await this.d.otp.redeem(contact.id, contact.otpId, contact.otpCode);
    return true;
  }

  /**
   * Login by contact with a one-time code (the password, if any, is not what authenticates): the
   * contact's owner, its contact now verified; with OB_VERIFY_CONTACTS a contact nobody owns is
   * registered to a new user named by `slug` (1Backend's login-register), else 401.
   */
  private async loginWithCode(body: LoginBody, contactId: string, clientIp: string): Promise<M.Token> {
    const contact = body.contact!;
    if (!contact.otpId && !contact.otpCode) throw otpRequired();
    const owner = await this.ownerOfContact(contactId);
    if (!owner && this.d.verifyContacts) {
      // Checked before the code is spent on a registration that cannot happen.
      if (!body.slug) throw otpSlugMissing();
      assertSlugAvailable(body.slug);
      if (body.password) assertNewPassword(body.password);
      const retry = await this.d.registerPerIp.hit(clientNetwork(clientIp));
      if (retry > 0) throw tooManyRegistrations(retry);
    }
    this.d.metrics?.loginAttempts.inc();
    const redeem = async () => {
      try {
        await this.redeemContactCode(contact);
      } catch (err) {
        this.d.metrics?.loginFailures.inc();
        throw err;
      }
    };
    if (owner) {
      // The second factor's check runs the redemption: with TOTP on, it is counted like a password guess.
      const firstFactor = async () => {
        await redeem();
        // Newly verified: the enrolls pending on the contact are roles now, so tokens re-mint (as after a role change).
        if (await this.d.otp!.markVerified(contactId)) await this.d.sessions.inactivate({ userId: owner.id });
      };
      if (this.d.totp) await this.d.totp.verifyLogin(owner.id, body.totpCode, { clientIp, firstFactor });
      else await firstFactor();
      return this.issueTo(owner, body);
    }
    await redeem();
    if (!this.d.verifyContacts) throw invalidCredentials();
    const user = await this.createUser({ slug: body.slug!, name: "" }, body.password || undefined, [{ id: contactId, platform: contact.platform || "email", verified: true }]);
    this.d.metrics?.registrations.inc();
    return this.issueTo(user, body);
  }

  /** A new session of `user` in the request's app. */
  private async issueTo(user: { id: string; slug: string }, body: { appHost: string; device?: string }): Promise<M.Token> {
    const app = await this.d.apps.getOrCreate(body.appHost);
    return this.d.sessions.view(await this.d.sessions.issue(user, app.id, body.device || DEFAULT_DEVICE));
  }

  private async ownerOfContact(contactId: string): Promise<UserRow | undefined> {
    const contact = await this.d.users.findContact(contactId);
    return contact ? this.d.users.findById(contact.userId) : undefined;
  }

  private async assertFree(user: UserRow, contacts: ContactRow[]): Promise<void> {
    if (await this.d.users.findBySlug(user.slug)) throw slugTaken(user.slug);
    if (await this.d.users.findById(user.id)) throw userIdTaken(user.id);
    for (const c of contacts) if (await this.d.users.findContact(c.id)) throw contactTaken(c.id);
  }
}
