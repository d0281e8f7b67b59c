/**
 * The token signing key at rest (identity/keys.ts): sealed under OB_ENCRYPTION_KEY when it is set,
 * sealed in place when the key is set after a plain-text start, and a sealed key without its key (or
 * under another) stops the start with a ConfigError naming OB_ENCRYPTION_KEY. Both dialects.
 */
import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { ConfigError } from "../../src/config";
import { openConfiguredDatabase } from "../../src/db/open";
import { systemClock } from "../../src/lib/clock";
import { isSealed, SecretBox } from "../../src/lib/secret-box";
import { silentLogger } from "../../src/lib/log";
import { loadOrCreateKeyPair } from "../../src/modules/user/identity/keys";
import { TokenSigner } from "../../src/modules/user/identity/tokens";
import { testApp } from "../helpers/app";
import { testConfig } from "../helpers/config";
import { tempDir } from "../helpers/temp-dir";

const newKey = () => randomBytes(32).toString("base64");
const PEM = "-----BEGIN PRIVATE KEY-----";

/** A migrated, empty database; `rows()` reads the stored key pairs. */
async function database() {
  const dir = tempDir();
  const opened = await openConfiguredDatabase(testConfig(dir.path), silentLogger);
  await opened.migrate();
  const { database } = opened;
  return {
    database,
    rows: () => database.db.select().from(database.tables.userKeyPairs),
    async [Symbol.asyncDispose]() {
      await opened.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

describe("token signing key at rest", () => {
  test("with OB_ENCRYPTION_KEY the stored private key is sealed (no PEM in the row), and a restart with the key signs with the same pair", async () => {
    await using d = await database();
    const box = SecretBox.fromKey(newKey());
    const pair = await loadOrCreateKeyPair(d.database, systemClock, box);
    expect(pair.privateKey.startsWith(PEM)).toBe(true);
    const [row] = await d.rows();
    expect(isSealed(row!.privateKey)).toBe(true);
    expect(row!.privateKey).not.toContain("PRIVATE KEY");
    const again = await loadOrCreateKeyPair(d.database, systemClock, box);
    expect(again).toEqual(pair);
    // The reopened private key really signs for the stored public key: a token signed after the restart verifies under the first start's pair.
    const now = Math.floor(Date.now() / 1000);
    const claims = { "1ui": "usr_x", "1ai": "app_x", "1sl": "x", "1ro": [], "1de": "web", jti: "ses_x", iat: now, exp: now + 60 };
    const token = await (await TokenSigner.fromPem(again)).sign(claims);
    expect(await (await TokenSigner.fromPem(pair)).verify(token)).toEqual(claims);
  });

  test("a plain-text pair from a start without the key is sealed in place once the key is set, keeping the pair", async () => {
    await using d = await database();
    const plain = await loadOrCreateKeyPair(d.database, systemClock);
    expect((await d.rows())[0]!.privateKey).toBe(plain.privateKey);
    const box = SecretBox.fromKey(newKey());
    // Two nodes starting at once with the key: one seal, both get the same pair.
    const [a, b] = await Promise.all([loadOrCreateKeyPair(d.database, systemClock, box), loadOrCreateKeyPair(d.database, systemClock, box)]);
    expect(a).toEqual(plain);
    expect(b).toEqual(plain);
    const rows = await d.rows();
    expect(rows).toHaveLength(1);
    expect(isSealed(rows[0]!.privateKey)).toBe(true);
    expect(box.open(rows[0]!.privateKey, rows[0]!.id)).toBe(plain.privateKey);
  });

  test("a sealed pair refuses to start without OB_ENCRYPTION_KEY, and under another key, naming the variable", async () => {
    await using d = await database();
    await loadOrCreateKeyPair(d.database, systemClock, SecretBox.fromKey(newKey()));
    const without = loadOrCreateKeyPair(d.database, systemClock);
    await expect(without).rejects.toBeInstanceOf(ConfigError);
    await expect(without).rejects.toThrow(/missing OB_ENCRYPTION_KEY/);
    const other = loadOrCreateKeyPair(d.database, systemClock, SecretBox.fromKey(newKey()));
    await expect(other).rejects.toBeInstanceOf(ConfigError);
    await expect(other).rejects.toThrow(/OB_ENCRYPTION_KEY does not open/);
  });

  test("a server started with OB_ENCRYPTION_KEY stores its key sealed and signs tokens that it accepts", async () => {
    await using app = await testApp({ env: { OB_ENCRYPTION_KEY: newKey(), OB_ADMIN_PASSWORD: "signing-key-admin" } });
    const { database } = app.deps;
    const [row] = await database.db.select().from(database.tables.userKeyPairs);
    expect(isSealed(row!.privateKey)).toBe(true);
    const login = await app.json("POST", "/user-svc/login", { body: { appHost: "unnamed", slug: "1backend", password: "signing-key-admin" } });
    expect(login.status).toBe(200);
    const self = await app.json("POST", "/user-svc/self", { token: login.body.token.token });
    expect(self.status).toBe(200);
    expect(self.body.user.slug).toBe("1backend");
  });
});
