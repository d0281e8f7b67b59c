/**
 * @module acme-client's HTTP (acme.ts): it sends every request through one axios instance of its
 * own, for the whole process, so the CAs of OB_ACME_CA_FILE (with the system's), the request timeout
 * and its in-library retries are set there once, when the ACME manager is built.
 */
import * as acme from "acme-client";
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import { ConfigError } from "../../config";

/** Longest one ACME request may take (axios has no timeout by default: a silent CA would hang a pass). */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Sets the CAs, timeout and retries (429/5xx, waiting 2 s, 4 s …) of acme-client's axios instance;
 * answers the CAs trusted for the directory (undefined: the system's). A CA file that cannot be read
 * stops the start naming OB_ACME_CA_FILE.
 */
export function configureHttp(caFile: string | undefined, retries: number): string[] | undefined {
  const axios = acme.axios;
  axios.defaults.timeout = REQUEST_TIMEOUT_MS;
  const settings = (axios.defaults as { acmeSettings?: { retryMaxAttempts: number; retryDefaultDelay: number } }).acmeSettings;
  if (settings) Object.assign(settings, { retryMaxAttempts: retries, retryDefaultDelay: 2 });
  if (!caFile) return undefined;
  let pem: string;
  try {
    pem = readFileSync(caFile, "utf8");
  } catch (err) {
    throw new ConfigError(`invalid OB_ACME_CA_FILE=${JSON.stringify(caFile)}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new ConfigError(`invalid OB_ACME_CA_FILE=${JSON.stringify(caFile)}: expected PEM CA certificates`);
  const ca = [...rootCertificates, pem];
  axios.defaults.httpsAgent = new Agent({ ca, keepAlive: true });
  return ca;
}

/**
 * What a plain GET of the directory gives, logged beside an account failure: acme-client reports a
 * network error (refused, TLS, timeout) as a TypeError about its own `response.config`, which names
 * nothing an operator can act on.
 */
export async function checkDirectory(url: string, ca: string[] | undefined): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...(ca ? { tls: { ca } } : {}) });
    await response.body?.cancel();
    return `the directory answers ${response.status}`;
  } catch (err) {
    return `the directory cannot be reached: ${errorText(err)}`;
  }
}


/** An error's message (acme-client puts the CA's problem detail there), never a stack. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
