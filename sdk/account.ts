/**
 * @module The service account: register the slug on first start, log in on every later start with the
 * password kept on disk (see credentials.ts), and say clearly when the slug belongs to someone else.
 */
import { TokenResponse } from "../src/contracts/user/models.js";
import { checkAnswer } from "./answer.js";
import { defaultCredentialsFile, generatePassword, readCredentials, writeCredentials } from "./credentials.js";
import { ApiClient, ServerError } from "./http.js";

/**
 * Options of {@link registerOrLogin}.
 *
 * @example
 * const options: AccountOptions = { serverUrl: "http://127.0.0.1:11337", slug: "skeleton-svc", name: "Skeleton Svc" };
 */
export interface AccountOptions {
  /** Base URL of the 1Backend server, e.g. `http://127.0.0.1:11337`. */
  serverUrl: string;
  /** The service's slug, e.g. `skeleton-svc`; it owns the path prefix `/skeleton-svc/`. */
  slug: string;
  /** Display name of the account; default: the slug. */
  name?: string;
  /** Where the password is kept; default {@link defaultCredentialsFile}. */
  credentialsFile?: string;
  /** App the token is issued for; default `unnamed` (1Backend's default app). */
  appHost?: string;
}

/**
 * A logged-in service account.
 *
 * @example
 * const { token, registered } = await registerOrLogin(options);
 * if (registered) console.log("new account created");
 */
export interface AccountToken {
  slug: string;
  /** The JWT to send as `Authorization: Bearer <token>`. */
  token: string;
  userId?: string;
  /** ISO time the token expires (the server refreshes it transparently while its session is active). */
  expiresAt?: string;
  /** True when this call created the account. */
  registered: boolean;
}

/**
 * The slug is registered by an account whose password this service does not have (login 401 and
 * register 409). Either restore the credentials file or have an admin delete that account.
 *
 * @example
 * try { await registerOrLogin(options) } catch (e) { if (e instanceof SlugTakenError) { console.error(e.message); process.exit(1) } throw e }
 */
export class SlugTakenError extends Error {
  override name = "SlugTakenError";
  constructor(readonly slug: string, readonly credentialsFile: string) {
    super(
      `slug "${slug}" is already registered by another account and the password in ${credentialsFile} ` +
        `does not match it: restore the right credentials file, or ask an admin to delete user "${slug}"`,
    );
  }
}

/**
 * Logs the service account in, registering it first when this machine has no password for the slug.
 * Idempotent across restarts. Throws {@link SlugTakenError} when another account owns the slug, and
 * {@link ServerError} / network errors otherwise (wrap in `withRetry` to wait for the server).
 *
 * @example
 * const account = await registerOrLogin({ serverUrl: "http://127.0.0.1:11337", slug: "skeleton-svc" });
 * await fetch(`${serverUrl}/registry-svc/instances`, { headers: { authorization: `Bearer ${account.token}` } });
 */
export async function registerOrLogin(options: AccountOptions): Promise<AccountToken> {
  const api = new ApiClient(options.serverUrl);
  const file = options.credentialsFile ?? defaultCredentialsFile(options.slug);
  const stored = readCredentials(file, options.slug);
  if (stored) {
    try {
      return await login(api, options, stored.password);
    } catch (err) {
      // 401: the server does not know this password: its database may be new, so register again.
      if (!(err instanceof ServerError && err.status === 401)) throw err;
    }
    return await register(api, options, stored.password, file);
  }
  const password = generatePassword();
  // Persist before registering: a crash in between must not leave an account nobody can log into.
  writeCredentials(file, { slug: options.slug, password });
  return await register(api, options, password, file);
}

async function login(api: ApiClient, options: AccountOptions, password: string): Promise<AccountToken> {
  const body = { appHost: options.appHost ?? "unnamed", slug: options.slug, password, device: "service" };
  const response = checkAnswer(TokenResponse, await api.call("POST", "/user-svc/login", { body }), "POST /user-svc/login");
  return toAccountToken(options.slug, response, false);
}

async function register(api: ApiClient, options: AccountOptions, password: string, file: string): Promise<AccountToken> {
  const body = {
    appHost: options.appHost ?? "unnamed",
    slug: options.slug,
    name: options.name ?? options.slug,
    password,
    device: "service",
  };
  try {
    const response = checkAnswer(TokenResponse, await api.call("POST", "/user-svc/register", { body }), "POST /user-svc/register");
    return toAccountToken(options.slug, response, true);
  } catch (err) {
    if (err instanceof ServerError && err.status === 409) throw new SlugTakenError(options.slug, file);
    throw err;
  }
}

function toAccountToken(slug: string, { token }: TokenResponse, registered: boolean): AccountToken {
  return { slug, token: token.token, userId: token.userId, expiresAt: token.expiresAt, registered };
}
