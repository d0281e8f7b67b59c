/**
 * @module A minimal OpenID provider on loopback for native-app sign-in (contactAuthLogin): discovery
 * and a JWKS served by Bun, and ID tokens signed with its key, claims as the test gives them. The full
 * browser flow has a certified provider in test/user/oidc.test.ts; this one is for tests that only need
 * tokens the server will verify. `await using issuer = await idTokenIssuer()`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export const ISSUER_CLIENT_ID = "ob-native-client";

export interface IdTokenIssuer extends AsyncDisposable {
  url: string;
  /** An ID token for `email` (verified), valid 5 minutes from now, with a fresh `jti` unless `claims` say otherwise (`jti: undefined`: none). */
  mint(email: string, claims?: Record<string, unknown>): Promise<string>;
  /** Writes an OB_OIDC_CONFIG file naming this issuer as provider `corp` into `dir`; returns its path. */
  configFile(dir: string): string;
}

export async function idTokenIssuer(): Promise<IdTokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req): Response {
      const path = new URL(req.url).pathname;
      if (path === "/.well-known/openid-configuration") {
        return Response.json({ issuer: url, authorization_endpoint: `${url}/authorize`, token_endpoint: `${url}/token`, jwks_uri: `${url}/jwks` });
      }
      if (path === "/jwks") return Response.json({ keys: [jwk] });
      return new Response("not found", { status: 404 });
    },
  });
  const url: string = `http://127.0.0.1:${server.port}`;
  return {
    url,
    async mint(email, claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = { iss: url, aud: ISSUER_CLIENT_ID, sub: email, email, email_verified: true, iat: now, exp: now + 300, jti: crypto.randomUUID(), ...claims };
      for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
      return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(privateKey);
    },
    configFile(dir) {
      const file = join(dir, "oidc.json");
      writeFileSync(file, JSON.stringify({ providers: [{ id: "corp", name: "Corp SSO", issuer: url, clientId: ISSUER_CLIENT_ID, clientSecret: "native-client-secret-0123456789", scopes: ["openid", "email"] }] }));
      return file;
    },
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}
