/**
 * @module HTTP-01 answers (RFC 8555 §8.3) for the edge's plain-HTTP listener, kept stateless: the
 * answer to `GET /.well-known/acme-challenge/<token>` is the key authorization `<token>.<thumbprint>`,
 * where the thumbprint (RFC 7638, SHA-256 of the JWK) is that of the ACME account's public key. So no
 * pending token needs to reach the node a CA happens to ask: every node of a cluster answers every
 * challenge of the account once it knows the account key, which lives sealed in the shared store and
 * is loaded by every node's ACME manager (acme.ts), leader or not. acme.sh's "stateless mode" serves
 * HTTP-01 the same way.
 *
 * Answering any well-formed token is safe: the answer only proves control of the host *for this
 * account*, whose private key never leaves the store; another account's challenge for the host needs
 * its own thumbprint and fails. The key authorization is what RFC 8555 has the host publish over plain
 * HTTP anyway, and it reveals nothing but the account's public key. Tokens are checked to be base64url
 * of at least 128 bits (§8.1: "MUST NOT contain any characters outside the base64url alphabet"), so no
 * arbitrary text is echoed back.
 */
import { createHash, createPublicKey } from "node:crypto";

/** §8.1: base64url, at least 128 bits of entropy (22 characters); 256 bounds what we echo. */
const TOKEN = /^[A-Za-z0-9_-]{22,256}$/;

/** What the edge's plain-HTTP listener asks (edge/listeners.ts): the body for a token, or nothing (404). */
export interface ChallengeAnswers {
  answer(token: string): string | undefined;
}

/** The HTTP-01 responder of one account; answers nothing until {@link AcmeChallenges.useAccountKey}. */
export class AcmeChallenges implements ChallengeAnswers {
  private thumbprint: string | undefined;

  /** Whether the account key is known (answers are given). */
  get ready(): boolean {
    return this.thumbprint !== undefined;
  }

  /** The account's private key (PEM): answers start, for that account. */
  useAccountKey(keyPem: string): void {
    this.thumbprint = jwkThumbprint(keyPem);
  }

  /** The key authorization for `token`, or undefined (not a token, or no account yet). Synchronous, no I/O. */
  answer(token: string): string | undefined {
    if (this.thumbprint === undefined || !TOKEN.test(token)) return undefined;
    return `${token}.${this.thumbprint}`;
  }
}

/** RFC 7638 §3: SHA-256 over the JWK's required members in lexicographic order, base64url. */
export function jwkThumbprint(keyPem: string): string {
  const jwk = createPublicKey(keyPem).export({ format: "jwk" });
  const members =
    jwk.kty === "EC"
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === "RSA"
        ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash("sha256").update(JSON.stringify(members)).digest("base64url");
}
