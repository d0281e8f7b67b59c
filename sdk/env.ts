/**
 * @module The service side's environment, read in this one place: which server to talk to and which
 * URL is this instance's own. The names differ from the server's on purpose — `OB_SELF_URL` is the
 * *server's* public URL — so a shell that exported the server's variables can still start a service.
 */

/** An environment to read from; `process.env` by default. */
export type Env = Record<string, string | undefined>;

/** The server a service talks to when neither `OB_SERVER_URL` nor `OB_URL` is set. */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:11337";

/**
 * The server's base URL: `OB_SERVER_URL`, then `OB_URL` (the seed's name), then
 * {@link DEFAULT_SERVER_URL}; trailing slashes dropped.
 *
 * @example
 * serverUrlFromEnv({ OB_URL: "http://127.0.0.1:11337/" }) // "http://127.0.0.1:11337"
 */
export function serverUrlFromEnv(env: Env = process.env): string {
  return (env.OB_SERVER_URL || env.OB_URL || DEFAULT_SERVER_URL).replace(/\/+$/, "");
}

/**
 * This instance's own URL, as the server should reach it: `SELF_URL`, then `OB_INSTANCE_URL`, then
 * `fallback`. Never `OB_SELF_URL`, which is the server's. Throws when none is set, saying what to set.
 *
 * @example
 * selfUrlFromEnv({ SELF_URL: "http://127.0.0.1:9311", OB_SELF_URL: "http://127.0.0.1:11337" }) // "http://127.0.0.1:9311"
 * selfUrlFromEnv(process.env, "http://127.0.0.1:9311") // that URL unless SELF_URL or OB_INSTANCE_URL is set
 */
export function selfUrlFromEnv(env: Env = process.env, fallback?: string): string {
  const url = env.SELF_URL || env.OB_INSTANCE_URL || fallback;
  if (url) return url;
  const hint = env.OB_SELF_URL ? " (OB_SELF_URL is the server's own URL; services do not read it)" : "";
  throw new Error(`set SELF_URL (or OB_INSTANCE_URL) to this instance's URL, e.g. http://127.0.0.1:9311${hint}`);
}

/**
 * The credentials file named by `OB_CREDENTIALS_FILE`, when set.
 *
 * @example
 * credentialsFileFromEnv({ OB_CREDENTIALS_FILE: "/run/secrets/svc.json" }) // "/run/secrets/svc.json"
 */
export function credentialsFileFromEnv(env: Env = process.env): string | undefined {
  return env.OB_CREDENTIALS_FILE || undefined;
}
