/** Sessions minted from an API key end with the key: by revocation or by expiry, however they were exchanged. */
import { expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { FakeClock } from "../helpers/fake-clock";
import { register } from "./helpers";

test("a key's expiry ends its sessions: no auto-refresh, no explicit refresh, no exchange", async () => {
  const clock = new FakeClock(Date.now());
  await using t = await testApp({ clock, env: { OB_TOKEN_EXPIRATION: "5m" } });
  const alice = await register(t, "alice");
  const expiresAt = new Date(clock.now() + 10 * 60_000).toISOString();
  const created = await t.json("POST", "/user-svc/api-key", { token: alice.token, body: { expiresAt } });
  const keyToken = (await t.json("POST", "/user-svc/api-key/exchange", { headers: { authorization: created.body.key } })).body.token.token as string;
  clock.advance(6 * 60_000);
  const refreshed = await t.json("POST", "/user-svc/self", { token: keyToken });
  expect(refreshed.status).toBe(200);
  clock.advance(5 * 60_000);
  expect((await t.json("POST", "/user-svc/self", { token: keyToken })).status).toBe(401);
  expect((await t.json("POST", "/user-svc/refresh-token", { headers: { authorization: keyToken } })).status).toBe(401);
  expect((await t.json("POST", "/user-svc/api-key/exchange", { headers: { authorization: created.body.key } })).status).toBe(401);
  expect((await t.json("POST", "/user-svc/self", { token: alice.token })).status).toBe(200);
});

test("a token exchanged from a key's token keeps the key's device, so revoking the key revokes it too", async () => {
  await using t = await testApp();
  const alice = await register(t, "alice");
  const created = await t.json("POST", "/user-svc/api-key", { token: alice.token, body: { name: "ci" } });
  const keyToken = (await t.json("POST", "/user-svc/api-key/exchange", { headers: { authorization: created.body.key } })).body.token;
  const exchanged = await t.json("PUT", "/user-svc/token/exchange", { token: keyToken.token, body: { newAppHost: "socks.com", newDevice: "laptop" } });
  expect(exchanged.status).toBe(200);
  expect(exchanged.body.token.device).toBe(keyToken.device);
  expect((await t.json("DELETE", "/user-svc/api-keys", { token: alice.token, body: { id: created.body.apiKey.id } })).status).toBe(200);
  const after = await t.json("POST", "/user-svc/self", { token: exchanged.body.token.token });
  expect(after).toMatchObject({ status: 401, body: { code: "user.token_revoked" } });
});
