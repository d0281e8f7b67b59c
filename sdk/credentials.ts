/**
 * @module The service account's credentials on local disk, so a restarted service logs in with the
 * same slug and password instead of registering a new account. One JSON file, mode 0600.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { credentialsFileFromEnv, type Env } from "./env.js";

/**
 * What is kept per slug.
 *
 * @example
 * const creds: StoredCredentials = { slug: "skeleton-svc", password: generatePassword() };
 */
export interface StoredCredentials {
  slug: string;
  password: string;
}

interface CredentialsFile {
  version: 1;
  accounts: Record<string, { password: string }>;
}

/**
 * Default file for a slug: `OB_CREDENTIALS_FILE` when set, else `~/.1backend/services/<slug>.json`.
 *
 * @example
 * defaultCredentialsFile("skeleton-svc") // "/home/me/.1backend/services/skeleton-svc.json"
 */
export function defaultCredentialsFile(slug: string, env: Env = process.env): string {
  return credentialsFileFromEnv(env) ?? join(env.HOME || homedir(), ".1backend", "services", `${slug}.json`);
}

/**
 * Reads the stored password of `slug` from `file`; `undefined` when the file or the slug is absent.
 *
 * @example
 * const creds = readCredentials("/tmp/svc.json", "skeleton-svc");
 */
export function readCredentials(file: string, slug: string): StoredCredentials | undefined {
  const data = readFile(file);
  const account = data.accounts[slug];
  return account ? { slug, password: account.password } : undefined;
}

/**
 * Stores (or replaces) the password of `slug` in `file`, keeping other slugs. Written atomically
 * (temp file + rename) with mode 0600 in a 0700 folder, because the password is a secret.
 *
 * @example
 * writeCredentials("/tmp/svc.json", { slug: "skeleton-svc", password: generatePassword() });
 */
export function writeCredentials(file: string, credentials: StoredCredentials): void {
  const data = readFile(file);
  data.accounts[credentials.slug] = { password: credentials.password };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + "\n", { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * A random password for a new service account (32 base64url characters, 192 bits).
 *
 * @example
 * const password = generatePassword();
 */
export function generatePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Buffer.from(bytes).toString("base64url");
}

function readFile(file: string): CredentialsFile {
  if (!existsSync(file)) return { version: 1, accounts: {} };
  const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<CredentialsFile>;
  return { version: 1, accounts: { ...(parsed.accounts ?? {}) } };
}
