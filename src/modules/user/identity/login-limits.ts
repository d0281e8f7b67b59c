/**
 * @module The login limit policy (contract §3): guessing is bounded, yet a stranger's failures cannot
 * lock the owner out. Only FAILED logins count, in one-minute windows, at three keys:
 *
 * - (account, client network), tight (`OB_LOGIN_LIMIT_PER_SLUG_IP`, 5): past it, that client alone
 *   gets 429 for that account. A success from the client resets its count.
 * - client network over all accounts (`OB_LOGIN_LIMIT_PER_IP`, 30): bounds password spraying.
 * - account over all clients (`OB_LOGIN_LIMIT_PER_SLUG`, 100): past it the account is under a
 *   distributed attack, and a client is let through only while it has no failure for that account in
 *   the current window. Each attacking network then gets one guess per minute, while the owner, whose
 *   client has not been failing, still gets in with the right password. A per-account lock would be
 *   tighter, but it is exactly the lock-out the contract forbids: nothing tells a fresh attacker network
 *   from the owner's before the password is checked.
 *
 * Every check runs before the password hash is computed, so a limited client costs no argon2 time. An
 * admitted attempt is counted at once as if it failed and taken back when it succeeds: otherwise a
 * client could send a thousand logins in parallel, each passing the check while the others are still
 * being hashed. A client network is an IPv4 address or an IPv6 /64 ({@link clientNetwork}).
 *
 * The rule ({@link loginRefusal}) is written once; the counters it reads are kept in memory here
 * ({@link LoginLimits}, one node: no query on a login) or in the database when nodes share PostgreSQL
 * (shared-limits.ts), so attempts spread over the nodes get no more tries than against one.
 */
import { tooManyLogins } from "../errors";
import type { Clock } from "../../../lib/clock";
import { clientNetwork, RateLimiter } from "../../../lib/rate-limit";

/** Failures allowed per window at each key; 0 disables that key's limit. */
export interface LoginLimitSettings {
  perClient: number;
  perAccountAndClient: number;
  perAccount: number;
}

/** The limits, the clock their windows run on, and (tests) the window and the keys kept per counter. */
export interface LoginLimitsOptions extends LoginLimitSettings {
  clock: Clock;
  windowMs?: number;
  maxKeys?: number;
}

/** An admitted login attempt: report its outcome with {@link LoginLimits.succeeded} when it succeeds. */
export interface LoginAttempt {
  readonly account: string;
  readonly pair: string;
  readonly network: string;
  readonly at: number;
}

/** What the account service admits logins through: {@link LoginLimits} on one node, the database's counters in a cluster. */
export interface LoginLimiter {
  /** Admits one attempt (before the password is verified) or throws 429 `user.too_many_logins` with `Retry-After`. */
  admit(account: string, clientAddress: string): LoginAttempt | Promise<LoginAttempt>;
  /** The attempt's password was right. */
  succeeded(attempt: LoginAttempt): void | Promise<void>;
}

/** A key's failures in its live window before the attempt at hand, and the seconds until that window ends (0: none). */
export interface KeyFailures {
  count: number;
  retryAfter: number;
}

/** The (account, client) limit as counted: a pair is tracked, never refused, when only the per-account rule needs it. */
export function pairLimit(settings: LoginLimitSettings): number {
  return settings.perAccountAndClient || (settings.perAccount > 0 ? Number.POSITIVE_INFINITY : 0);
}

/**
 * The rule of the module comment: the seconds a new attempt must wait (its `Retry-After`), or 0 when it
 * is admitted, given the failures already counted at its three keys.
 */
export function loginRefusal(settings: LoginLimitSettings, client: KeyFailures, pair: KeyFailures, account: KeyFailures): number {
  if (settings.perClient > 0 && client.count >= settings.perClient) return client.retryAfter;
  const perPair = pairLimit(settings);
  if (perPair > 0 && pair.count >= perPair) return pair.retryAfter;
  // Past the per-account bound, a client that failed at the account this window waits until either window ends.
  if (settings.perAccount > 0 && account.count >= settings.perAccount && pair.count > 0) return Math.min(account.retryAfter, pair.retryAfter);
  return 0;
}

/** The three failure counters of logins in memory (one node), read by {@link loginRefusal}; see the module comment. */
export class LoginLimits implements LoginLimiter {
  private readonly settings: LoginLimitSettings;
  private readonly perClient: RateLimiter;
  private readonly perPair: RateLimiter;
  private readonly perAccount: RateLimiter;

  constructor({ clock, windowMs = 60_000, maxKeys = 100_000, ...settings }: LoginLimitsOptions) {
    this.settings = settings;
    this.perClient = new RateLimiter({ clock, limit: settings.perClient, windowMs, maxKeys });
    // The per-account rule needs to know who failed, so pairs are tracked (never refused) even without their own limit.
    this.perPair = new RateLimiter({ clock, limit: pairLimit(settings), windowMs, maxKeys });
    this.perAccount = new RateLimiter({ clock, limit: settings.perAccount, windowMs, maxKeys });
  }

  /**
   * Admits one attempt at `account` (an account key, or a name nobody owns: it is limited the same
   * way, so the limits tell nothing about which names exist) from `clientAddress`, or throws 429 with
   * `Retry-After`. Call it before verifying the password.
   */
  admit(account: string, clientAddress: string): LoginAttempt {
    const network = clientNetwork(clientAddress);
    const pair = `${account}\n${network}`;
    const retry = loginRefusal(this.settings, failures(this.perClient, network), failures(this.perPair, pair), failures(this.perAccount, account));
    if (retry > 0) throw tooManyLogins(retry);
    const at = this.perClient.reserve(network);
    this.perPair.reserve(pair);
    this.perAccount.reserve(account);
    return { account, pair, network, at };
  }

  /** The attempt's password was right: it was no failure, and the client's failures at that account are forgiven. */
  succeeded(attempt: LoginAttempt): void {
    this.perClient.undo(attempt.network, attempt.at);
    this.perAccount.undo(attempt.account, attempt.at);
    this.perPair.reset(attempt.pair);
  }

  /** Keys tracked over the three counters (tests: memory stays bounded). */
  get size(): number {
    return this.perClient.size + this.perPair.size + this.perAccount.size;
  }
}

const failures = (limiter: RateLimiter, key: string): KeyFailures => ({ count: limiter.count(key), retryAfter: limiter.retryAfter(key) });
