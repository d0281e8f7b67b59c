/**
 * @module The attempt limits when nodes share one PostgreSQL (contract §7: limits hold cluster-wide;
 * issue 12): the rule of login-limits.ts, the registration limit and the password change's limit of
 * wrong current passwords, over the database's counters (store/attempt-counters.ts) instead of one
 * node's memory. {@link createAttemptLimits} picks them: on SQLite (one node) the in-memory counters
 * stay, and a login runs no query for its limits.
 *
 * Counted first, decided after: an attempt is counted at all its keys in one statement, and the rule is
 * read from the counts that precede it (each key's count orders concurrent attempts, whichever nodes
 * they reach), so parallel attempts through three nodes are admitted exactly as many times as through
 * one. A refused attempt is taken back at once (a refusal is no failure, as in memory); until then it
 * holds its count, so a concurrent attempt of the same client may be refused where one node would have
 * admitted it — strict at the edge, never lenient. A success takes its attempt back as in memory.
 *
 * Database errors fail closed: when an attempt cannot be counted (PostgreSQL down, too slow, or the
 * statement failed), the login, registration or password change answers 503 `db.unavailable` rather
 * than going on unlimited — guessing must stay bounded, and each would need the database next anyway.
 * A take-back that fails only leaves the attempt counted (stricter; logged), and the answer stands.
 */
import { AppError } from "../../../http/errors";
import { dbUnavailable } from "../../../db/errors";
import type { Clock } from "../../../lib/clock";
import { FailureLog } from "../../../lib/failure-log";
import type { Logger } from "../../../lib/log";
import { clientNetwork, RateLimiter } from "../../../lib/rate-limit";
import type { BaseDeps } from "../../module";
import { tooManyLogins } from "../errors";
import { LoginLimits, loginRefusal, pairLimit, type KeyFailures, type LoginAttempt, type LoginLimiter, type LoginLimitSettings } from "./login-limits";
import { AttemptCounterStore, type CounterWindow } from "./store/attempt-counters";

/** A limit that counts every event (`RateLimiter.hit`): 0 when allowed, else the `Retry-After` seconds. */
export interface EventLimit {
  hit(key: string): number | Promise<number>;
}

/** The counters, the clock their windows run on, and where failures to reach them are logged. */
export interface SharedLimitsOptions {
  counters: AttemptCounterStore;
  clock: Clock;
  log: Logger;
}

/**
 * The login limit and the registration limit (per client network) of this node: in the database when
 * it shares PostgreSQL with others, else in memory.
 */
export function createAttemptLimits({ database, clock, log, config }: Pick<BaseDeps, "database" | "clock" | "log" | "config">): AttemptLimits {
  const login: LoginLimitSettings = { perClient: config.loginLimitPerIp, perAccountAndClient: config.loginLimitPerSlugIp, perAccount: config.loginLimitPerSlug };
  // Password changes get a counter of their own (UserService.changePassword), as tight as one client's login budget.
  const passwordLimit = config.loginLimitPerSlugIp;
  if (database.kind === "sqlite") {
    return {
      loginLimits: new LoginLimits({ clock, ...login }),
      registerPerIp: new RateLimiter({ clock, limit: config.registerLimitPerIp }),
      passwordAttempts: new MemoryFailureLimit(new RateLimiter({ clock, limit: passwordLimit })),
    };
  }
  const shared = { counters: new AttemptCounterStore({ database, clock }), clock, log };
  const trim = new TrimSchedule(shared);
  return {
    loginLimits: new SharedLoginLimits({ ...shared, ...login }, trim),
    registerPerIp: new SharedEventLimit({ ...shared, name: "register-client", limit: config.registerLimitPerIp }, trim),
    passwordAttempts: new SharedFailureLimit({ ...shared, name: "password-change", limit: passwordLimit }, trim),
  };
}

/** The limits {@link createAttemptLimits} picks for this node. */
export interface AttemptLimits {
  loginLimits: LoginLimiter;
  registerPerIp: EventLimit;
  /** Wrong current passwords in password changes, per account. */
  passwordAttempts: FailureLimit;
}

/**
 * Failed attempts at one key, bounded per window: an attempt counts as failed from its admission (so
 * parallel ones cannot all pass the check) until it {@link FailureLimit.succeeded}, which forgets the
 * key's failures; a refused attempt does not count. The password change's wrong current passwords.
 */
export interface FailureLimit {
  /** Admits an attempt at `key`: 0, or the `Retry-After` seconds when `key` already holds the limit's failures. */
  admit(key: string): number | Promise<number>;
  /** The attempt at `key` succeeded: its failures are forgotten. */
  succeeded(key: string): void | Promise<void>;
}

/** {@link FailureLimit} in one node's memory (SQLite): no query. */
export class MemoryFailureLimit implements FailureLimit {
  constructor(private readonly counter: RateLimiter) {}

  admit(key: string): number {
    const retry = this.counter.blocked(key);
    if (retry === 0) this.counter.reserve(key);
    return retry;
  }

  succeeded(key: string): void {
    this.counter.reset(key);
  }
}

/** {@link FailureLimit} on the database's counters: counted first, taken back when refused, forgotten on success (the module comment). */
export class SharedFailureLimit implements FailureLimit {
  constructor(
    private readonly o: SharedLimitsOptions & { name: string; limit: number },
    private readonly trim = new TrimSchedule(o),
  ) {}

  async admit(key: string): Promise<number> {
    if (this.o.limit <= 0) return 0;
    const now = this.o.clock.now();
    const counted = `${this.o.name}:${key}`;
    const window = (await countAt(this.o, this.trim, [counted], now)).get(counted)!;
    if (window.count <= this.o.limit) return 0;
    await takeBackQuietly(this.o, [counted], now);
    return secondsLeft(window, now, this.o.counters.windowMs);
  }

  async succeeded(key: string): Promise<void> {
    if (this.o.limit <= 0) return;
    const now = this.o.clock.now();
    await takeBackQuietly(this.o, [], now, [`${this.o.name}:${key}`]);
  }
}

/** The login limits of login-limits.ts on the database's counters; see the module comment. */
export class SharedLoginLimits implements LoginLimiter {
  constructor(
    private readonly o: SharedLimitsOptions & LoginLimitSettings,
    private readonly trim = new TrimSchedule(o),
  ) {}

  async admit(account: string, clientAddress: string): Promise<LoginAttempt> {
    const network = clientNetwork(clientAddress);
    const attempt = { account, pair: `${account}\n${network}`, network, at: this.o.clock.now() };
    const keys = this.keysOf(attempt);
    const all = present(keys.client, keys.pair, keys.account);
    if (all.length === 0) return attempt;
    const windows = await countAt(this.o, this.trim, all, attempt.at);
    const before = (key: string | undefined) => failuresBefore(key === undefined ? undefined : windows.get(key), attempt.at, this.o.counters.windowMs);
    const retry = loginRefusal(this.o, before(keys.client), before(keys.pair), before(keys.account));
    if (retry > 0) {
      await takeBackQuietly(this.o, all, attempt.at);
      throw tooManyLogins(retry);
    }
    return attempt;
  }

  /** The attempt's password was right: taken back at the client and the account, the client's failures at the account forgiven. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    const keys = this.keysOf(attempt);
    await takeBackQuietly(this.o, present(keys.client, keys.account), attempt.at, present(keys.pair));
  }

  /** The counted keys of an attempt (`<limit>:<key>`); a key whose limit is off is not counted. */
  private keysOf({ account, pair, network }: LoginAttempt) {
    return {
      client: this.o.perClient > 0 ? `login-client:${network}` : undefined,
      pair: pairLimit(this.o) > 0 ? `login-pair:${pair}` : undefined,
      account: this.o.perAccount > 0 ? `login-account:${account}` : undefined,
    };
  }
}

/** `RateLimiter.hit` on the database's counters: every event counts, refused ones too. */
export class SharedEventLimit implements EventLimit {
  constructor(
    private readonly o: SharedLimitsOptions & { name: string; limit: number },
    private readonly trim = new TrimSchedule(o),
  ) {}

  async hit(key: string): Promise<number> {
    if (this.o.limit <= 0) return 0;
    const now = this.o.clock.now();
    const counted = `${this.o.name}:${key}`;
    const window = (await countAt(this.o, this.trim, [counted], now)).get(counted)!;
    return window.count <= this.o.limit ? 0 : secondsLeft(window, now, this.o.counters.windowMs);
  }
}

/**
 * Deletes the ended windows beside a count, at most once a window per node, so the table holds about
 * the keys counted in the last two windows; any node may, and a failure only waits for the next. Also
 * the node's one log of counts that failed (an outage is a few lines, not one per attempt).
 */
export class TrimSchedule {
  private lastAt = Number.NEGATIVE_INFINITY;
  readonly countFailures: FailureLog;

  constructor(private readonly o: SharedLimitsOptions) {
    this.countFailures = new FailureLog({ log: o.log, failed: "attempt counters: counting failed", recovered: "attempt counters: database reachable again" });
  }

  /** Trims when a window has passed since this node last did; never rejects. */
  runIfDue(now: number): Promise<void> {
    if (now - this.lastAt < this.o.counters.windowMs) return Promise.resolve();
    this.lastAt = now;
    return this.o.counters.trim(now).then(
      () => undefined,
      (err: unknown) => this.o.log.warn("attempt counters: trim failed", { error: String(err) }),
    );
  }
}

/** Counts one event at `keys`, or fails closed with 503 `db.unavailable` (the module comment). */
async function countAt(o: SharedLimitsOptions, trim: TrimSchedule, keys: readonly string[], now: number): Promise<Map<string, CounterWindow>> {
  try {
    const [windows] = await Promise.all([o.counters.add(keys, now), trim.runIfDue(now)]);
    trim.countFailures.succeeded();
    return windows;
  } catch (err) {
    if (err instanceof AppError) throw err;
    trim.countFailures.failed(err);
    throw dbUnavailable();
  }
}

async function takeBackQuietly(o: SharedLimitsOptions, keys: readonly string[], at: number, forget: readonly string[] = []): Promise<void> {
  try {
    await o.counters.takeBack(keys, at, o.clock.now(), forget);
  } catch (err) {
    o.log.warn("attempt counters: take-back failed, the attempt stays counted", { error: String(err) });
  }
}

/** A key's failures before the attempt whose count `window` includes. */
function failuresBefore(window: CounterWindow | undefined, now: number, windowMs: number): KeyFailures {
  return window ? { count: window.count - 1, retryAfter: secondsLeft(window, now, windowMs) } : { count: 0, retryAfter: 0 };
}

/** Whole seconds until `window` ends, at least 1 (the `Retry-After` value, as lib/rate-limit.ts computes it). */
const secondsLeft = (window: CounterWindow, now: number, windowMs: number) => Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));

const present = (...keys: (string | undefined)[]) => keys.filter((k): k is string => k !== undefined);
