/**
 * @module A service account that stays logged in: caches the token, renews it shortly before expiry
 * or when the server says 401 (restarted server, revoked session), and retries while the server is down.
 */
import { registerOrLogin, type AccountOptions, type AccountToken } from "./account.js";
import { withRetry } from "./retry.js";

/**
 * Where the SDK gets a valid token from; {@link ServiceSession} is the implementation.
 *
 * @example
 * const source: TokenSource = new ServiceSession({ serverUrl, slug: "skeleton-svc" });
 */
export interface TokenSource {
  readonly slug: string;
  /** A token that is valid now (renewed first when it is about to expire). */
  token(): Promise<string>;
  /** Logs in again and returns the new token (after the server answered 401). */
  renew(): Promise<string>;
}

/**
 * Options of {@link ServiceSession}.
 *
 * @example
 * new ServiceSession({ serverUrl, slug: "skeleton-svc", retryTimeoutMs: 120_000, renewBeforeMs: 60_000 });
 */
export interface SessionOptions extends AccountOptions {
  /** How long to keep retrying while the server is unreachable; default 60 000 ms. */
  retryTimeoutMs?: number;
  /** Renew this long before `expiresAt`; default 30 000 ms. */
  renewBeforeMs?: number;
  onRetry?: (err: unknown, delayMs: number) => void;
}

/**
 * The service account, logged in on demand and kept fresh.
 *
 * @example
 * const session = new ServiceSession({ serverUrl: "http://127.0.0.1:11337", slug: "skeleton-svc" });
 * const token = await session.token(); // registers on first run, logs in afterwards
 */
export class ServiceSession implements TokenSource {
  readonly slug: string;
  private current: AccountToken | undefined;
  private pending: Promise<AccountToken> | undefined;

  constructor(private readonly options: SessionOptions) {
    this.slug = options.slug;
  }

  /** The last account answer (token, user id, whether it was just registered); undefined before the first login. */
  get account(): AccountToken | undefined {
    return this.current;
  }

  async token(): Promise<string> {
    const current = this.current;
    if (current && !this.expiresSoon(current)) return current.token;
    return (await this.login()).token;
  }

  async renew(): Promise<string> {
    return (await this.login()).token;
  }

  private expiresSoon(account: AccountToken): boolean {
    if (!account.expiresAt) return false;
    return Date.parse(account.expiresAt) - (this.options.renewBeforeMs ?? 30_000) <= Date.now();
  }

  /** One login at a time: concurrent callers share it. */
  private login(): Promise<AccountToken> {
    this.pending ??= withRetry(() => registerOrLogin(this.options), {
      timeoutMs: this.options.retryTimeoutMs ?? 60_000,
      onRetry: this.options.onRetry,
    })
      .then((account) => (this.current = account))
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
