/** Restart: users, tokens (sessions and the signing key) and API keys survive a restart on the same folder. */
import { expect, test } from "bun:test";
import { Configuration, UserSvcApi } from "@1backend/client";
import { testServer } from "../helpers/server";
import { tempDir } from "../helpers/temp-dir";

const api = (basePath: string, token?: string) => new UserSvcApi(new Configuration({ basePath, apiKey: token }));

test("users, tokens and keys survive a restart on the same folder", async () => {
  await using dir = tempDir();
  let first: { token: string; publicKey: string; key: string; keyToken: string; revoked: string };
  {
    await using s = await testServer({ folder: dir.path });
    const anon = api(s.url);
    const token = (await anon.register({ body: { appHost: "test.app", slug: "survivor", password: "survivor-password" } })).token!.token;
    const user = api(s.url, token);
    const created = await user.createApiKey({ body: { name: "restart" } });
    const keyToken = (await api(s.url, created.key).exchangeApiKey()).token.token;
    const other = (await anon.login({ body: { appHost: "test.app", slug: "survivor", password: "survivor-password", device: "old-phone" } })).token!.token;
    await user.revokeTokens({ body: { device: "old-phone" } });
    first = { token, publicKey: (await anon.getPublicKey()).publicKey, key: created.key, keyToken, revoked: other };
  }
  await using s = await testServer({ folder: dir.path });
  const anon = api(s.url);
  expect((await anon.getPublicKey()).publicKey).toBe(first.publicKey);
  expect((await api(s.url, first.token).readSelf()).user.slug).toBe("survivor");
  expect((await api(s.url, first.keyToken).readSelf()).user.slug).toBe("survivor");
  await expect(api(s.url, first.revoked).readSelf()).rejects.toMatchObject({ response: { status: 401 } });
  const login = await anon.login({ body: { appHost: "test.app", slug: "survivor", password: "survivor-password" } });
  expect(login.token!.token).toBe(first.token);
  expect((await api(s.url, first.key).exchangeApiKey()).token.userId).toBe(login.token!.userId);
  const admin = (await anon.login({ body: { appHost: "test.app", slug: "1backend", password: "changeme" } })).token!.token;
  const users = await api(s.url, admin).listUsers({ body: { order: "asc" } });
  expect(users.users?.map((u) => u.slug)).toEqual(["1backend", "survivor"]);
});
