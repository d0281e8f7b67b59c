/** A password change ends the user's other sessions; an admin's reset ends all of them. */
import { expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { adminToken, APP, register } from "./helpers";

async function login(t: Awaited<ReturnType<typeof testApp>>, slug: string, password: string, device?: string): Promise<string> {
  const r = await t.json("POST", "/user-svc/login", { body: { appHost: APP, slug, password, device } });
  if (r.status !== 200) throw new Error(`login ${slug}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token.token;
}

const self = (t: Awaited<ReturnType<typeof testApp>>, token: string) => t.json("POST", "/user-svc/self", { token });

test("changing the password keeps the caller's session and revokes the others", async () => {
  await using t = await testApp();
  const here = await register(t, "alice");
  const elsewhere = await login(t, "alice", "alice-password", "laptop");
  expect((await self(t, elsewhere)).status).toBe(200);
  const changed = await t.json("POST", "/user-svc/change-password", { token: here.token, body: { currentPassword: "alice-password", newPassword: "alice-password-2" } });
  expect(changed.status).toBe(200);
  expect((await self(t, here.token)).status).toBe(200);
  expect((await self(t, elsewhere)).body.code).toBe("user.token_revoked");
});

test("an admin's password reset revokes every session of the user", async () => {
  await using t = await testApp();
  const alice = await register(t, "alice");
  const admin = await adminToken(t);
  const reset = await t.json("POST", `/user-svc/${alice.userId}/reset-password`, { token: admin, body: { newPassword: "reset-password-1" } });
  expect(reset.status).toBe(200);
  expect((await self(t, alice.token)).body.code).toBe("user.token_revoked");
  expect(await login(t, "alice", "reset-password-1")).toBeTruthy();
});
