/**
 * @module TOTP, the authenticator-app second factor (issue 14; 1Backend's behaviour in reference §A,
 * with its weaknesses closed):
 *
 * - RFC 6238 through `otpauth`: HMAC-SHA-1, 6 digits, 30 s steps, the previous and next step accepted,
 *   20-byte secrets as unpadded base32, so enrolments made against 1Backend keep working.
 * - A code is accepted once: the step it matched must be later than the row's `last_step`, recorded by
 *   one conditional UPDATE (store.ts `consumeStep`), in the database so it holds across nodes.
 * - Wrong codes count against the login limits (login-limits.ts, at the user's account key) on every
 *   login path, all through {@link TotpService.verifyLogin}: on the password path the attempt admitted
 *   for the password stays counted unless the code is right too; a login by one-time code or OIDC ID
 *   token admits an attempt of its own; setup with `currentCode`, enable and disable do as well.
 * - Secrets are sealed with SecretBox (AES-256-GCM under OB_ENCRYPTION_KEY, the row id as associated
 *   data); without a key TOTP answers 503 saying what to set, and nothing else changes.
 * - Disabling needs the password as well as a code; enabling ends the user's other sessions; a new
 *   setup replaces the user's earlier pending one, which is valid for {@link PENDING_TTL_MS} only.
 */
import { Secret, TOTP } from "otpauth";
import type { Caller } from "../../../auth-gate";
import type { Clock } from "../../../../lib/clock";
import { newId } from "../../../../lib/ids";
import type { SecretBox } from "../../../../lib/secret-box";
import type { BeginTotpSetupBody, DisableTotpBody, EnableTotpBody } from "../../../../contracts/user/totp";
import { passwordMissing, totpAlreadyEnabled, totpCodeMissing, totpEmailInvalid, totpInvalid, totpKeyMissing, totpLabelInvalid, totpNotEnabled, totpRequired, totpSetupNotFound, wrongPassword } from "../../errors";
import { normaliseContactId } from "../../rules";
import { accountAttemptKey } from "../account-rules";
import type { LoginAttempt, LoginLimiter } from "../login-limits";
import type { PasswordHasher } from "../passwords";
import type { SessionService } from "../services/sessions";
import type { UserStore } from "../store/users";
import type { TotpRow, TotpStore } from "./store";

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (1Backend's skew 1). */
export const TOTP_WINDOW = 1;
export const TOTP_SECRET_BYTES = 20;
/** A setup not enabled within this time is gone (1Backend kept them, secrets included, forever). */
export const PENDING_TTL_MS = 15 * 60_000;
const DEFAULT_ISSUER = "1Backend";

export interface TotpDeps {
  totps: TotpStore;
  users: UserStore;
  sessions: SessionService;
  passwords: PasswordHasher;
  loginLimits: LoginLimiter;
  /** OB_ENCRYPTION_KEY's box; absent: TOTP cannot be set up (503), and nobody has it on. */
  box: SecretBox | undefined;
  clock: Clock;
}

/** How a login path reaches the second factor: the caller's address, and what it checked already. */
export interface LoginFactor {
  /** The caller's address (client-address.ts): the login limits key on its network. */
  clientIp: string;
  /** The attempt the password path admitted: a wrong code leaves it counted, and its caller reports success. */
  attempt?: LoginAttempt;
  /** The first factor still to check (a one-time code): run after the limits admit the attempt, so a limited client spends none. */
  firstFactor?: () => Promise<void>;
}

/** What every login path (password, one-time code, OIDC) checks the second factor through: accounts.ts, oidc/service.ts. */
export interface TotpCheck {
  /**
   * Nothing when the user has TOTP off (after `firstFactor`). With it on, 401 `user.totp_required` /
   * `user.totp_invalid` unless `code` passes, every wrong code counted as a failed login at the
   * user's account key (429 `user.too_many_logins` with Retry-After past the limits, a right code too).
   */
  verifyLogin(userId: string, code: string | undefined, login: LoginFactor): Promise<void>;
}

/** The code's RFC 6238 generator for a base32 secret. */
export function totpOf(secret: string, issuer = DEFAULT_ISSUER, label = "user"): TOTP {
  return new TOTP({ issuer, label, algorithm: "SHA1", digits: TOTP_DIGITS, period: TOTP_PERIOD_S, secret: Secret.fromBase32(secret) });
}

export class TotpService implements TotpCheck {
  constructor(private readonly d: TotpDeps) {}

  async begin(caller: Caller, body: BeginTotpSetupBody, clientIp: string) {
    const box = this.box();
    // The labels first: a refused label must not cost the caller a code.
    const user = await this.d.users.findById(caller.userId);
    const issuer = issuerOf(body.issuer);
    const accountName = accountNameOf(body.accountName, { slug: caller.slug, name: user?.name ?? "" });
    const active = await this.d.totps.active(caller.userId);
    let secret: string | undefined;
    // A kept secret keeps its used step: a code already accepted cannot enable the new setup.
    let lastStep: number | null = null;
    if (active) {
      if (!body.currentCode) throw totpAlreadyEnabled();
      const step = await this.guarded(caller.userId, clientIp, () => this.accept(active, body.currentCode!));
      if (!body.rotateSecret) [secret, lastStep] = [this.secretOf(active), step];
    }
    secret ??= new Secret({ size: TOTP_SECRET_BYTES }).base32;
    const id = newId("totp");
    await this.d.totps.insertPending({ id, userId: caller.userId, sealedSecret: box.seal(secret, id), issuer, accountName, enabled: false, lastStep, createdAt: this.d.clock.now(), enabledAt: null });
    return { totpId: id, secret, provisioningUri: totpOf(secret, issuer, accountName).toString(), qrImagePath: `/user-svc/totp/setup/${id}/qr.png` };
  }

  /** The provisioning URI of the caller's pending setup `totpId` (for its QR code); 404 when there is none. */
  async provisioningUri(caller: Caller, totpId: string): Promise<string> {
    const row = await this.pending(caller.userId, totpId);
    return totpOf(this.secretOf(row), row.issuer, row.accountName).toString();
  }

  async enable(caller: Caller, body: EnableTotpBody, clientIp: string): Promise<{ enabled: true }> {
    if (!body.code) throw totpCodeMissing();
    this.box();
    const row = await this.pending(caller.userId, body.totpId || undefined);
    await this.guarded(caller.userId, clientIp, () => this.accept(row, body.code));
    await this.d.totps.enable(caller.userId, row.id, this.d.clock.now());
    // A stolen session must not outlive the owner's turning the factor on.
    await this.d.sessions.revoke({ userId: caller.userId, exceptId: caller.tokenId });
    return { enabled: true };
  }

  async disable(caller: Caller, body: DisableTotpBody, clientIp: string): Promise<void> {
    if (!body.code) throw totpCodeMissing();
    if (!body.password) throw passwordMissing();
    const active = await this.d.totps.active(caller.userId);
    if (!active) throw totpNotEnabled();
    await this.guarded(caller.userId, clientIp, async () => {
      if (!(await this.d.passwords.verify(body.password!, await this.d.users.passwordHash(caller.userId)))) throw wrongPassword();
      await this.accept(active, body.code);
    });
    await this.d.totps.remove(active.id);
  }

  /** Whether the owner of the e-mail contact has TOTP on; false for an unknown address (no 404). */
  async status(email: string): Promise<boolean> {
    const id = normaliseContactId(email.trim());
    if (!id.includes("@")) throw totpEmailInvalid();
    const contact = await this.d.users.findContact(id);
    return contact ? (await this.d.totps.active(contact.userId)) !== undefined : false;
  }

  /** Which of `userIds` have TOTP on (readSelf, listUsers). */
  enabledAmong(userIds: string[]): Promise<Set<string>> {
    return this.d.totps.enabledAmong(userIds);
  }

  /**
   * The one place a login's second factor is checked and its failures counted, whatever the path. The
   * password path hands its admitted attempt (the code is part of that guess); the others get an
   * attempt of their own here, admitted before the first factor and the code are checked and taken back
   * only when both pass. A missing code is no guess: refused before anything is counted or spent.
   */
  async verifyLogin(userId: string, code: string | undefined, login: LoginFactor): Promise<void> {
    const active = await this.d.totps.active(userId);
    if (!active) return void (await login.firstFactor?.());
    const check = async () => {
      await login.firstFactor?.();
      if (!code) throw totpRequired();
      await this.accept(active, code);
    };
    if (login.attempt) return check();
    if (!code) throw totpRequired();
    await this.guarded(userId, login.clientIp, check);
  }

  /** Accepts `code` for `row` once (its step recorded, and returned) or throws 401 `user.totp_invalid`. */
  private async accept(row: TotpRow, code: string): Promise<number> {
    const now = this.d.clock.now();
    const delta = /^\d{6}$/.test(code) ? totpOf(this.secretOf(row)).validate({ token: code, timestamp: now, window: TOTP_WINDOW }) : null;
    if (delta === null) throw totpInvalid();
    const step = Math.floor(now / 1000 / TOTP_PERIOD_S) + delta;
    if (!(await this.d.totps.consumeStep(row.id, step))) throw totpInvalid();
    return step;
  }

  /** Runs `check` as a login attempt at the user's account: refused past the limits, counted when it throws. */
  private async guarded<T>(userId: string, clientIp: string, check: () => Promise<T>): Promise<T> {
    const attempt = await this.d.loginLimits.admit(accountAttemptKey(userId), clientIp);
    const result = await check();
    await this.d.loginLimits.succeeded(attempt);
    return result;
  }

  private async pending(userId: string, id: string | undefined): Promise<TotpRow> {
    const row = await this.d.totps.pending(userId, id);
    if (!row || row.createdAt + PENDING_TTL_MS <= this.d.clock.now()) throw totpSetupNotFound();
    return row;
  }

  private secretOf(row: TotpRow): string {
    return this.box().open(row.sealedSecret, row.id);
  }

  private box(): SecretBox {
    if (!this.d.box) throw totpKeyMissing();
    return this.d.box;
  }
}

const MAX_LABEL_BYTES = 128;
const PRINTABLE = /^[\x20-\x7e]*$/;

/** 1Backend's issuer rules (reference §A.3): trimmed, default `1Backend`, printable ASCII, no `:` `/` `\` `?` `#`. */
function issuerOf(value: string | undefined): string {
  const issuer = (value ?? "").trim() || DEFAULT_ISSUER;
  checkLabel("issuer", issuer);
  if (/[:/\\?#]/.test(issuer)) throw totpLabelInvalid("invalid field issuer: it contains unsupported characters");
  return issuer;
}

/** The account-name template (`$slug`, `${name}`, …) rendered; unknown or empty placeholders are refused. */
function accountNameOf(template: string | undefined, fields: Record<string, string>): string {
  const source = (template ?? "").trim() || "$slug";
  if (/\$\{[^}]*$/.test(source)) throw totpLabelInvalid("invalid field accountName: it contains an unterminated placeholder");
  const name = source.replace(/\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_, braced: string | undefined, bare: string | undefined) => {
    const key = (braced ?? bare)!;
    if (!(key in fields)) throw totpLabelInvalid(`invalid field accountName: unknown placeholder "$${key}"`);
    if (!fields[key]) throw totpLabelInvalid(`invalid field accountName: placeholder "$${key}" is empty`);
    return fields[key]!;
  });
  checkLabel("accountName", name);
  return name;
}

function checkLabel(field: string, value: string): void {
  if (Buffer.byteLength(value) > MAX_LABEL_BYTES) throw totpLabelInvalid(`invalid field ${field}: it is too long (at most ${MAX_LABEL_BYTES} bytes)`);
  if (!PRINTABLE.test(value)) throw totpLabelInvalid(`invalid field ${field}: it contains unsupported characters (printable ASCII only)`);
}
