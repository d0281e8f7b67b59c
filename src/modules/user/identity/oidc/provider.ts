/**
 * @module One configured OpenID provider as the server talks to it: discovery (fetched once, then kept;
 * fetched again after a failure), the authorization URL, the code exchange (client_secret_basic, PKCE
 * verifier) and ID-token verification with `jose` against the issuer's JWKS (cached and refreshed by
 * jose on an unknown key id). Every outbound call has a timeout (1Backend's had none, reference §C.7).
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { oidcExchangeFailed, oidcProviderUnreachable, oidcTokenInvalid } from "../../errors";
import type { OidcProviderConfig } from "./config";

/** The parts of the discovery document (OpenID Connect Discovery 1.0 §3) we use. */
interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

/** Claims of a verified ID token. */
export interface IdClaims extends JWTPayload {
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  nonce?: unknown;
}

const TIMEOUT_MS = 10_000;
/** Clock skew tolerated on `exp`, `iat` and `nbf`. */
export const SKEW_SECONDS = 60;

export class OidcProvider {
  private discovery?: Promise<{ doc: Discovery; jwks: ReturnType<typeof createRemoteJWKSet> }>;

  constructor(readonly config: OidcProviderConfig) {}

  /** The discovery document and key set, fetched on first use; a failed fetch is retried on the next use. */
  private discover() {
    this.discovery ??= this.fetchDiscovery().catch((err) => {
      this.discovery = undefined;
      throw err;
    });
    return this.discovery;
  }

  private async fetchDiscovery() {
    const url = `${this.config.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    let doc: Discovery;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "error" });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as Discovery;
    } catch {
      throw oidcProviderUnreachable(this.config.id);
    }
    // Discovery §4.3: the document's issuer is exactly the configured one, else tokens would be checked against a stranger's.
    if (doc.issuer !== this.config.issuer || ![doc.authorization_endpoint, doc.token_endpoint, doc.jwks_uri].every((u) => typeof u === "string" && /^https?:\/\//.test(u))) {
      throw oidcProviderUnreachable(this.config.id);
    }
    return { doc, jwks: createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: TIMEOUT_MS }) };
  }

  /** The URL to send the browser to: code flow with `state`, `nonce` and PKCE S256. */
  async authorizationUrl(o: { redirectUri: string; state: string; nonce: string; codeChallenge: string }): Promise<string> {
    const { doc } = await this.discover();
    const url = new URL(doc.authorization_endpoint);
    const q = url.searchParams;
    q.set("response_type", "code");
    q.set("client_id", this.config.clientId);
    q.set("redirect_uri", o.redirectUri);
    q.set("scope", this.config.scopes.join(" "));
    q.set("state", o.state);
    q.set("nonce", o.nonce);
    q.set("code_challenge", o.codeChallenge);
    q.set("code_challenge_method", "S256");
    return url.toString();
  }

  /** Exchanges `code` for the ID token (RFC 6749 §4.1.3 with the PKCE verifier); 401 when the provider refuses. */
  async exchange(o: { code: string; redirectUri: string; codeVerifier: string }): Promise<string> {
    const { doc } = await this.discover();
    const basic = Buffer.from(`${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.config.clientSecret)}`).toString("base64");
    let body: { id_token?: unknown };
    try {
      const res = await fetch(doc.token_endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}`, accept: "application/json" },
        body: new URLSearchParams({ grant_type: "authorization_code", code: o.code, redirect_uri: o.redirectUri, code_verifier: o.codeVerifier }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: "error",
      });
      if (!res.ok) throw oidcExchangeFailed();
      body = (await res.json()) as { id_token?: unknown };
    } catch {
      throw oidcExchangeFailed();
    }
    if (typeof body.id_token !== "string" || body.id_token === "") throw oidcExchangeFailed();
    return body.id_token;
  }

  /** The claims of `idToken` once its signature, issuer, audience (and authorized party), expiry and, when given, nonce hold; else 401. */
  async verify(idToken: string, nonce?: string): Promise<IdClaims> {
    const { jwks } = await this.discover();
    let payload: IdClaims;
    try {
      ({ payload } = await jwtVerify<IdClaims>(idToken, jwks, { issuer: this.config.issuer, audience: this.config.clientId, clockTolerance: SKEW_SECONDS, requiredClaims: ["exp", "iat", "sub"] }));
    } catch (err) {
      throw oidcTokenInvalid(reason(err));
    }
    // Core §3.1.3.7: with several audiences, azp must be us.
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== this.config.clientId) throw oidcTokenInvalid("azp is not this client");
    if (nonce !== undefined && payload.nonce !== nonce) throw oidcTokenInvalid("nonce does not match");
    return payload;
  }
}

/** A short reason from jose's error, without echoing the token. */
function reason(err: unknown): string {
  const code = (err as { code?: string }).code ?? "";
  if (code === "ERR_JWT_EXPIRED") return "expired";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return `claim ${(err as { claim?: string }).claim ?? "?"} does not match`;
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" || code === "ERR_JWKS_NO_MATCHING_KEY") return "signature not by the provider";
  return "malformed or not signed by the provider";
}
