/** One account cannot store sessions without end: past the cap its oldest sessions are revoked. */
import { expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { testApp } from "../helpers/app";
import { MAX_SESSIONS_PER_USER } from "../../src/modules/user/identity/services/sessions";
import { register } from "./helpers";

test("exchanging tokens for ever new devices keeps at most MAX_SESSIONS_PER_USER sessions", async () => {
  await using t = await testApp();
  const alice = await register(t, "alice");
  const tokens: string[] = [alice.token];
  for (let i = 0; i < MAX_SESSIONS_PER_USER + 5; i++) {
    // Each exchange uses the newest token: the oldest ones are the ones the cap ends.
    const r = await t.json("PUT", "/user-svc/token/exchange", { token: tokens.at(-1), body: { newAppHost: "test.app", newDevice: `device-${i}` } });
    expect(r.status).toBe(200);
    tokens.push(r.body.token.token);
  }
  const sessions = t.deps.database.tables.userSessions;
  const stored = await t.deps.database.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, alice.userId));
  expect(stored.length).toBe(MAX_SESSIONS_PER_USER);
  // The newest still work; the registration's own session and the first exchanges were revoked.
  expect((await t.json("POST", "/user-svc/self", { token: tokens.at(-1) })).status).toBe(200);
  expect((await t.json("POST", "/user-svc/self", { token: tokens.at(-MAX_SESSIONS_PER_USER) })).status).toBe(200);
  for (const old of tokens.slice(0, 5)) expect((await t.json("POST", "/user-svc/self", { token: old })).body.code).toBe("user.token_revoked");
});
