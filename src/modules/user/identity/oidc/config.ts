/**
 * @module The OpenID Connect providers the operator configured (issue 14): the JSON file named by
 * `OB_OIDC_CONFIG`, read and validated once at start, so a bad file stops the start naming the field:
 *
 *     {"providers": [{"id": "corp", "name": "Corp SSO", "issuer": "https://sso.corp.example",
 *                     "clientId": "…", "clientSecret": "…", "scopes": ["openid", "email", "profile"]}],
 *      "returnTo": ["https://app.example.com/"], "publicUrl": "https://api.example.com"}
 *
 * `returnTo` is the allow-list a sign-in may hand its token to (a `returnTo` must start with one entry;
 * 1Backend only compared it with the caller-chosen `appHost`, reference §C.7). `publicUrl` (optional)
 * is where the provider sends the browser back (`<publicUrl>/user-svc/auth/<id>/callback`); without it
 * the callback is on the origin the start request came to.
 */
import { readFileSync } from "node:fs";

/** One configured provider. */
export interface OidcProviderConfig {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

/** The validated file. */
export interface OidcConfig {
  providers: OidcProviderConfig[];
  returnTo: string[];
  publicUrl?: string;
}

/** A bad file: the message names the field (`providers[1].issuer: …`). */
export class OidcConfigError extends Error {
  override name = "OidcConfigError";
}

const ID = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const DEFAULT_SCOPES = ["openid", "email", "profile"];

const fail = (field: string, problem: string): never => {
  throw new OidcConfigError(`${field}: ${problem}`);
};

function text(value: unknown, field: string, max = 2048): string {
  if (typeof value !== "string" || value.trim() === "") return fail(field, "must be a non-empty string");
  if (value.length > max) return fail(field, `must be at most ${max} characters`);
  return value;
}

/** An absolute http(s) URL; plain http only on loopback (a provider or app on this machine, e.g. tests). */
function url(value: unknown, field: string): string {
  const s = text(value, field);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return fail(field, "must be an absolute URL");
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopback(u.hostname))) return fail(field, "must use https (http only on localhost or a loopback address)");
  if (u.username || u.password) return fail(field, "must not carry credentials");
  return s;
}

const isLoopback = (host: string) => host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The configuration in `raw` (the file's parsed JSON), or {@link OidcConfigError}. */
export function parseOidcConfig(raw: unknown): OidcConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("(file)", "must be a JSON object");
  const o = raw as Record<string, unknown>;
  if (!Array.isArray(o.providers)) return fail("providers", "must be an array");
  const seen = new Set<string>();
  const providers = o.providers.map((p, i): OidcProviderConfig => {
    const f = `providers[${i}]`;
    if (typeof p !== "object" || p === null || Array.isArray(p)) return fail(f, "must be an object");
    const q = p as Record<string, unknown>;
    const id = text(q.id, `${f}.id`, 64);
    if (!ID.test(id)) fail(`${f}.id`, "must be lower-case letters and digits, joined by - or _");
    if (seen.has(id)) fail(`${f}.id`, `duplicate id ${id}`);
    seen.add(id);
    const scopes = q.scopes === undefined ? DEFAULT_SCOPES : q.scopes;
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== "string" || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))) fail(`${f}.scopes`, "must be an array of scope names");
    if (!(scopes as string[]).includes("openid")) fail(`${f}.scopes`, "must include openid");
    if (!(scopes as string[]).includes("email")) fail(`${f}.scopes`, "must include email (sign-in maps the verified e-mail to a user)");
    return {
      id,
      name: q.name === undefined ? id : text(q.name, `${f}.name`, 200),
      issuer: url(q.issuer, `${f}.issuer`),
      clientId: text(q.clientId, `${f}.clientId`),
      clientSecret: text(q.clientSecret, `${f}.clientSecret`),
      scopes: [...(scopes as string[])],
    };
  });
  const returnTo = o.returnTo === undefined ? [] : o.returnTo;
  if (!Array.isArray(returnTo)) return fail("returnTo", "must be an array of URL prefixes");
  const prefixes = returnTo.map((r, i) => {
    const s = url(r, `returnTo[${i}]`);
    // A prefix must end its origin (https://app.example.com/), or https://app.example.com.evil.example would match.
    if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+\//i.test(s)) fail(`returnTo[${i}]`, "must include the path, at least / after the host (https://app.example.com/)");
    return s;
  });
  const publicUrl = o.publicUrl === undefined ? undefined : url(o.publicUrl, "publicUrl").replace(/\/+$/, "");
  return { providers, returnTo: prefixes, ...(publicUrl ? { publicUrl } : {}) };
}

/** Reads and validates the file at `path` (OB_OIDC_CONFIG), or throws {@link OidcConfigError}. */
export function loadOidcConfig(path: string): OidcConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new OidcConfigError(`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new OidcConfigError(`not JSON: ${(err as Error).message}`);
  }
  return parseOidcConfig(raw);
}
