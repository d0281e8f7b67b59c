/**
 * @module One-time codes by e-mail (issue 14; reference §B, with its weaknesses closed): `sendOtp`
 * checks the limits first (per contact and per client network, on the shared attempt counters when
 * nodes share PostgreSQL), then stores an argon2id hash of a 6-digit code (10 minutes, single use, at
 * most 5 attempts — 1Backend counts none) and mails it. Register and login redeem it through
 * `contact.otpId` + `contact.otpCode` ({@link OtpService.redeem}); a code redeems only for the contact
 * it was sent to. The code is never stored or logged in clear (except by the OB_DEV_MAIL=log mailer).
 */
import type { Clock } from "../../../../lib/clock";
import { newId } from "../../../../lib/ids";
import type { Logger } from "../../../../lib/log";
import { clientNetwork, RateLimiter } from "../../../../lib/rate-limit";
import type { BaseDeps } from "../../../module";
import type { PasswordHasher } from "../passwords";
import { normaliseContactId } from "../../rules";
import { SharedEventLimit, type EventLimit } from "../shared-limits";
import { AttemptCounterStore } from "../store/attempt-counters";
import { mailFailed, mailNotConfigured, otpExhausted, otpExpired, otpIncomplete, otpInvalid, otpNotFound, otpPlatformUnsupported, otpUsed, tooManyOtps } from "../../errors";
import type { OtpMailer } from "./mailer";
import type { OtpState, OtpStore } from "./store";

export const OTP_TTL_MS = 10 * 60_000;
export const OTP_MAX_ATTEMPTS = 5;
/** Codes sent per contact per minute, and per client network per minute. */
export const OTP_LIMIT_PER_CONTACT = 3;
export const OTP_LIMIT_PER_CLIENT = 10;

export interface SendOtpInput {
  appHost: string;
  contactId: string;
  contactPlatform: string;
  contactHandle?: string;
}

export interface OtpDeps {
  store: OtpStore;
  /** Undefined when mail is not configured: sendOtp answers 501. */
  mailer?: OtpMailer;
  passwords: PasswordHasher;
  perContact: EventLimit;
  perClient: EventLimit;
  clock: Clock;
  log: Logger;
}

/** The send limits: in memory on one SQLite node (no query), on the shared counters on PostgreSQL. */
export function createOtpLimits({ database, clock, log }: Pick<BaseDeps, "database" | "clock" | "log">): { perContact: EventLimit; perClient: EventLimit } {
  if (database.kind === "sqlite") {
    return { perContact: new RateLimiter({ clock, limit: OTP_LIMIT_PER_CONTACT }), perClient: new RateLimiter({ clock, limit: OTP_LIMIT_PER_CLIENT }) };
  }
  const counters = new AttemptCounterStore({ database, clock });
  return {
    perContact: new SharedEventLimit({ counters, clock, log, name: "otp-contact", limit: OTP_LIMIT_PER_CONTACT }),
    perClient: new SharedEventLimit({ counters, clock, log, name: "otp-client", limit: OTP_LIMIT_PER_CLIENT }),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class OtpService {
  private lastTrimAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly d: OtpDeps) {}

  /** Whether codes can be sent (a mailer is configured). */
  get enabled(): boolean {
    return this.d.mailer !== undefined;
  }

  /** `POST /user-svc/otp/send`: answers the new code's id; the code itself only goes to the contact. */
  async send(input: SendOtpInput, clientIp: string): Promise<{ otpId: string }> {
    if (!this.d.mailer) throw mailNotConfigured();
    if (input.contactPlatform !== "email") throw otpPlatformUnsupported(input.contactPlatform);
    const contactId = normaliseContactId(input.contactId);
    if (!EMAIL.test(contactId)) throw otpPlatformUnsupported("email", contactId);
    // Limits before any hash, row or mail (1Backend made both before its per-process limit).
    const client = await this.d.perClient.hit(clientNetwork(clientIp));
    if (client > 0) throw tooManyOtps(client);
    const contact = await this.d.perContact.hit(contactId);
    if (contact > 0) throw tooManyOtps(contact);
    const now = this.d.clock.now();
    const code = sixDigits();
    const id = newId("otp");
    await this.d.store.insert({ id, contactId, platform: "email", codeHash: await this.d.passwords.hash(code), attempts: 0, createdAt: now, expiresAt: now + OTP_TTL_MS, usedAt: null });
    try {
      await this.d.mailer.send({ to: input.contactId.trim(), subject: "Your one-time code", text: `Your verification code is ${code}. It expires in 10 minutes.\n` });
    } catch (err) {
      this.d.log.warn("sendOtp: the mail was not sent", { error: String(err) });
      await this.d.store.delete(id).catch(() => undefined);
      throw mailFailed();
    }
    this.trimIfDue(now);
    return { otpId: id };
  }

  /**
   * Redeems `otpId` + `otpCode` for `contactId` (normalised here): resolves when the code is right (it
   * is then used up), else throws 401 saying why; every attempt counts against the code's 5.
   */
  async redeem(contactId: string, otpId: string | undefined, otpCode: string | undefined): Promise<void> {
    if (!otpId || !otpCode) throw otpIncomplete();
    const now = this.d.clock.now();
    const tried = await this.d.store.attempt(otpId, normaliseContactId(contactId), now, OTP_MAX_ATTEMPTS);
    if ("refused" in tried) throw refusal(tried.refused);
    if (!(await this.d.passwords.verify(otpCode, tried.codeHash))) throw otpInvalid();
    if (!(await this.d.store.use(otpId, now))) throw otpUsed();
  }

  /** Marks a user's contact verified (after a redeemed code); true when it was not verified before. */
  markVerified(contactId: string): Promise<boolean> {
    return this.d.store.markContactVerified(normaliseContactId(contactId), this.d.clock.now());
  }

  /** Deletes codes expired for an hour, at most every 10 minutes per node; never rejects. */
  private trimIfDue(now: number): void {
    if (now - this.lastTrimAt < OTP_TTL_MS) return;
    this.lastTrimAt = now;
    this.d.store.trim(now - 60 * 60_000).catch((err: unknown) => this.d.log.warn("sendOtp: trimming old codes failed", { error: String(err) }));
  }
}

function refusal(state: OtpState) {
  switch (state) {
    case "missing":
      return otpNotFound();
    case "used":
      return otpUsed();
    case "expired":
      return otpExpired();
    case "exhausted":
      return otpExhausted(OTP_MAX_ATTEMPTS);
  }
}

/** A uniform 6-digit code (rejection sampling over 32-bit values). */
function sixDigits(): string {
  const limit = Math.floor(0x1_0000_0000 / 1_000_000) * 1_000_000;
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf[0]! < limit) return String(buf[0]! % 1_000_000).padStart(6, "0");
  }
}
