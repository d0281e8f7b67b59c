/** SecretBox (src/lib/secret-box.ts): AES-256-GCM round trips, tampering and wrong keys refused, the accepted key forms, OB_ENCRYPTION_KEY at start. */
import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { ConfigError, loadConfig } from "../../src/config";
import { EncryptionKeyError, SecretBox, SecretBoxError, parseEncryptionKey } from "../../src/lib/secret-box";

const KEY = randomBytes(32);
const box = SecretBox.fromKey(KEY.toString("base64"));

/** The error `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("SecretBox", () => {
  test("seals and opens text, each seal with a fresh nonce, in the versioned format", () => {
    const plain = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n… ünïcödé";
    const a = box.seal(plain);
    const b = box.seal(plain);
    expect(a).toStartWith("v1.");
    expect(a).not.toBe(b);
    expect(a).not.toContain("PRIVATE");
    expect(box.open(a)).toBe(plain);
    expect(box.open(b)).toBe(plain);
    expect(box.open(box.seal(""))).toBe("");
  });

  test("a changed byte anywhere (nonce, ciphertext, tag) is refused as an authentication failure", () => {
    const sealed = box.seal("secret value");
    const raw = Buffer.from(sealed.slice(3), "base64url");
    for (const at of [0, 12, raw.length - 1]) {
      const changed = Buffer.from(raw);
      changed[at] = changed[at]! ^ 1;
      const err = thrown(() => box.open(`v1.${changed.toString("base64url")}`));
      expect(err).toBeInstanceOf(SecretBoxError);
      expect((err as SecretBoxError).reason).toBe("authentication");
    }
  });

  test("another key, or another context, does not open it", () => {
    const sealed = box.seal("secret value", "edge.cert:a.com");
    expect(box.open(sealed, "edge.cert:a.com")).toBe("secret value");
    const other = SecretBox.fromKey(randomBytes(32).toString("hex"));
    expect((thrown(() => other.open(sealed, "edge.cert:a.com")) as SecretBoxError).reason).toBe("authentication");
    expect((thrown(() => box.open(sealed, "edge.cert:b.com")) as SecretBoxError).reason).toBe("authentication");
    expect((thrown(() => box.open(sealed)) as SecretBoxError).reason).toBe("authentication");
  });

  test("what is not a sealed value is a format error", () => {
    for (const bad of ["", "plain text", "v2.AAAA", "v1.", "v1.AAAA", `v1.${"A".repeat(40)}!`]) {
      const err = thrown(() => box.open(bad));
      expect(err).toBeInstanceOf(SecretBoxError);
      expect((err as SecretBoxError).reason).toBe("format");
    }
  });

  test("key forms: 64 hex digits, base64 and base64url of 32 bytes (padded or not) name the same key", () => {
    const forms = [KEY.toString("hex"), KEY.toString("hex").toUpperCase(), KEY.toString("base64"), KEY.toString("base64").replace(/=$/, ""), KEY.toString("base64url"), ` ${KEY.toString("base64")}\n`];
    for (const form of forms) expect(parseEncryptionKey(form).equals(KEY)).toBe(true);
    const sealed = box.seal("same key");
    for (const form of forms) expect(SecretBox.fromKey(form).open(sealed)).toBe("same key");
  });

  test("anything else is refused: passphrases, 1Backend's 32-character text keys, other lengths", () => {
    const bad = ["", "changeMeToSomethingSecureForReal", "a".repeat(63), "a".repeat(65), randomBytes(16).toString("base64"), randomBytes(31).toString("base64"), randomBytes(33).toString("base64"), "g".repeat(64)];
    for (const key of bad) expect(thrown(() => SecretBox.fromKey(key))).toBeInstanceOf(EncryptionKeyError);
  });
});

describe("OB_ENCRYPTION_KEY", () => {
  test("empty is no key; a valid one is kept; a malformed one stops the start naming the variable, never echoing it", () => {
    expect(loadConfig({}).encryptionKey).toBeUndefined();
    expect(loadConfig({ OB_ENCRYPTION_KEY: KEY.toString("base64") }).encryptionKey).toBe(KEY.toString("base64"));
    const err = thrown(() => loadConfig({ OB_ENCRYPTION_KEY: "changeMeToSomethingSecureForReal" }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toStartWith("invalid OB_ENCRYPTION_KEY: expected 32 random bytes");
    expect((err as Error).message).not.toContain("changeMe");
  });
});
