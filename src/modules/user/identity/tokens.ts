/**
 * @module RS256 JWTs with 1Backend's claims (`1ui 1ai 1sl 1ro 1de 1ao jti iat exp`, contract §3),
 * signed and verified with jose. Verification checks the signature only (RS256 allow-listed, so
 * `alg: none` and HS256-with-the-public-key are refused); expiry is judged separately against the
 * injected clock, because an expired token of a live session is refreshed, not refused.
 */
import { CompactSign, compactVerify, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, type CryptoKey } from "jose";
import type { TokenClaims } from "../../../contracts/user/token-claims";
export type { TokenClaims } from "../../../contracts/user/token-claims";

/** A PEM key pair as stored (PKCS#8 private, SPKI public). */
export interface PemKeyPair {
  privateKey: string;
  publicKey: string;
}

const HEADER = { alg: "RS256", typ: "JWT" } as const;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Generates a signing key pair. 2048-bit RSA: 112-bit security, approved by NIST SP 800-57 through
 * 2030 and the size most JWT issuers use; tokens live minutes, and 4096 bits would make every
 * uncached verification ~4x and every signature ~7x slower.
 */
export async function generatePemKeyPair(modulusLength = 2048): Promise<PemKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength, extractable: true });
  return { privateKey: await exportPKCS8(privateKey), publicKey: await exportSPKI(publicKey) };
}

/** Signs and verifies our tokens with one key pair. */
export class TokenSigner {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    /** SPKI PEM served at `GET /user-svc/public-key`. */
    readonly publicKeyPem: string,
  ) {}

  static async fromPem(pair: PemKeyPair): Promise<TokenSigner> {
    const privateKey = await importPKCS8(pair.privateKey, "RS256");
    const publicKey = await importSPKI(pair.publicKey, "RS256");
    const pem = pair.publicKey.endsWith("\n") ? pair.publicKey : `${pair.publicKey}\n`;
    return new TokenSigner(privateKey, publicKey, pem);
  }

  /** The compact JWS of `claims`. */
  sign(claims: TokenClaims): Promise<string> {
    return new CompactSign(encoder.encode(JSON.stringify(claims))).setProtectedHeader(HEADER).sign(this.privateKey);
  }

  /** The claims when the signature is ours and the payload has our shape; `null` otherwise (expiry not checked). */
  async verify(token: string): Promise<TokenClaims | null> {
    try {
      const { payload } = await compactVerify(token, this.publicKey, { algorithms: ["RS256"] });
      const claims = JSON.parse(decoder.decode(payload)) as unknown;
      return isTokenClaims(claims) ? claims : null;
    } catch {
      return null;
    }
  }
}

/** Whether the token is past its `exp` at `nowMs` (no leeway, as 1Backend). */
export function isExpired(claims: TokenClaims, nowMs: number): boolean {
  return claims.exp * 1000 <= nowMs;
}

function isTokenClaims(value: unknown): value is TokenClaims {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c["1ui"] === "string" &&
    typeof c["1ai"] === "string" &&
    typeof c["1sl"] === "string" &&
    Array.isArray(c["1ro"]) &&
    typeof c["1de"] === "string" &&
    typeof c.jti === "string" &&
    typeof c.iat === "number" &&
    typeof c.exp === "number"
  );
}
