/**
 * @module Authenticated encryption of secrets at rest (private keys of certificates, the ACME account
 * key; issue 14's secrets next): AES-256-GCM (NIST SP 800-38D) with a random 96-bit nonce per seal,
 * so a sealed value is never decrypted unnoticed after a change of one bit, and a wrong key is refused
 * rather than read as garbage. 1Backend used AES-256-CBC without a MAC under a well-known default key
 * (reference §D.10); there is no default here.
 *
 * Sealed format, version 1: `v1.` + base64url(nonce(12) ‖ ciphertext ‖ tag(16)). The version prefix
 * lets a later format (another cipher, a key id for rotation) be read beside this one. An optional
 * `context` (associated data, e.g. the row id) binds a sealed value to where it belongs: a value copied
 * into another row does not open there.
 *
 * Random nonces are safe for about 2^32 seals under one key (SP 800-38D §8.3); secrets are sealed when
 * saved, far below that.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1.";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Why a sealed value did not open: it is not in a known format, or it fails authentication (tampered, or another key). */
export class SecretBoxError extends Error {
  override name = "SecretBoxError";
  constructor(
    readonly reason: "format" | "authentication",
    message: string,
  ) {
    super(message);
  }
}

/** A key that is not one of the accepted forms ({@link parseEncryptionKey}); the message says what is expected. */
export class EncryptionKeyError extends Error {
  override name = "EncryptionKeyError";
}

/** What {@link parseEncryptionKey} expects, for error messages and the configuration's description. */
export const ENCRYPTION_KEY_FORMS = "32 random bytes as 64 hexadecimal digits or as base64/base64url (44 characters with padding, 43 without), e.g. the output of `openssl rand -base64 32`";

/**
 * The 32 key bytes of `key`: 64 hex digits, or standard or URL-safe base64 (padded or not) of exactly
 * 32 bytes; surrounding whitespace is ignored. Anything else (a passphrase, 1Backend's 32-character
 * text keys) throws {@link EncryptionKeyError}: a human-chosen text has far less than 256 bits.
 */
export function parseEncryptionKey(key: string): Buffer {
  const value = key.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value) || /^[A-Za-z0-9_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replaceAll("-", "+").replaceAll("_", "/"), "base64");
    // Base64 of 32 bytes is 43 significant characters whose last one carries 2 padding bits; a
    // non-canonical last character would make two spellings of one key, so it must re-encode equal.
    if (bytes.length === KEY_BYTES && bytes.toString("base64").replace(/=$/, "") === value.replaceAll("-", "+").replaceAll("_", "/").replace(/=$/, "")) return bytes;
  }
  throw new EncryptionKeyError(`expected ${ENCRYPTION_KEY_FORMS}`);
}

/** Whether `value` is in a sealed format (a stored value from before encryption at rest is plain text). */
export function isSealed(value: string): boolean {
  return value.startsWith(VERSION);
}

/** Seals and opens strings under one 256-bit key. */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** A box over the key `key` in one of the forms of {@link parseEncryptionKey} (OB_ENCRYPTION_KEY); throws {@link EncryptionKeyError}. */
  static fromKey(key: string): SecretBox {
    return new SecretBox(parseEncryptionKey(key));
  }

  /** `plain` encrypted and authenticated (with `context` as associated data), in the versioned format. */
  seal(plain: string, context = ""): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce, { authTagLength: TAG_BYTES });
    if (context) cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return VERSION + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64url");
  }

  /** The plain text of `sealed` (sealed with the same `context`); throws {@link SecretBoxError} when it is malformed, altered or under another key. */
  open(sealed: string, context = ""): string {
    if (!sealed.startsWith(VERSION)) throw new SecretBoxError("format", "not a sealed value (expected the v1. format)");
    const raw = Buffer.from(sealed.slice(VERSION.length), "base64url");
    if (raw.length < NONCE_BYTES + TAG_BYTES || raw.toString("base64url") !== sealed.slice(VERSION.length)) {
      throw new SecretBoxError("format", "sealed value is truncated or not base64url");
    }
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    if (context) decipher.setAAD(Buffer.from(context, "utf8"));
    try {
      return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretBoxError("authentication", "sealed value failed authentication (altered, or sealed under another key)");
    }
  }
}
