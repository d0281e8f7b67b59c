/**
 * The main registry flows in process with the real User Svc: accounts registered and the admin
 * logged in through the app, permissions from the default permits the registry grants.
 */
import { describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";
import { adminToken, register as registerAccount } from "../user/helpers";

async function cast(t: TestApp) {
  const alpha = (await registerAccount(t, "alpha-svc")).token;
  const beta = (await registerAccount(t, "beta-svc")).token;
  return { alpha, beta, admin: await adminToken(t) };
}

const put = (t: TestApp, token: string, body: unknown) => t.json("PUT", "/registry-svc/instance", { token, body });
const instances = async (t: TestApp, token: string, query = "") => (await t.json("GET", `/registry-svc/instances${query}`, { token })).body.instances as any[];

describe("registry with real accounts (in process)", () => {
  test("register 201 {}, re-register idempotent, other slug 409, owner sees own, admin sees all, owner removes 204", async () => {
    await using t = await testApp();
    const { alpha, beta, admin } = await cast(t);
    expect(await put(t, alpha, { url: "http://127.0.0.1:9311" })).toMatchObject({ status: 201, body: {} });
    expect((await put(t, alpha, { url: "HTTP://127.0.0.1:9311/" })).status).toBe(201);
    expect(await put(t, beta, { url: "http://127.0.0.1:9311" })).toMatchObject({ status: 409, body: { code: "registry.instance_owned" } });
    expect((await put(t, beta, { url: "http://127.0.0.1:9322" })).status).toBe(201);

    const own = await instances(t, alpha);
    expect(own.map((i) => [i.url, i.slug])).toEqual([["http://127.0.0.1:9311", "alpha-svc"]]);
    expect((await instances(t, admin)).map((i) => i.slug).sort()).toEqual(["alpha-svc", "beta-svc"]);
    expect((await instances(t, admin, "?slug=beta-svc")).map((i) => i.url)).toEqual(["http://127.0.0.1:9322"]);

    const id = own[0].id;
    expect((await t.json("DELETE", `/registry-svc/instance/${id}`, { token: beta })).status).toBe(403);
    const removed = await t.request("DELETE", `/registry-svc/instance/${id}`, { token: alpha });
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe("");
    expect((await t.json("DELETE", `/registry-svc/instance/${id}`, { token: alpha })).status).toBe(404);
    expect(await instances(t, alpha)).toEqual([]);
  });

  test("an admin takes over and removes anyone's instance; node removal is admin-only", async () => {
    await using t = await testApp();
    const { alpha, admin } = await cast(t);
    await put(t, alpha, { url: "http://127.0.0.1:9311", id: "inst-a" });
    expect((await put(t, admin, { url: "http://127.0.0.1:9311" })).status).toBe(201);
    expect((await instances(t, admin)).map((i) => [i.id, i.slug])).toEqual([["inst-a", "1backend"]]);
    expect((await t.json("DELETE", "/registry-svc/instance/inst-a", { token: admin })).status).toBe(204);

    const self = await t.json("GET", "/registry-svc/node/self", { token: alpha });
    expect(self.status).toBe(200);
    const url = encodeURIComponent(self.body.node.url);
    expect((await t.json("DELETE", `/registry-svc/node/${url}`, { token: alpha })).status).toBe(403);
    expect((await t.json("DELETE", `/registry-svc/node/${url}`, { token: admin })).status).toBe(204);
  });

  test("no token is 401 and a garbage token is 401 on every registry operation", async () => {
    await using t = await testApp();
    for (const [method, path] of [
      ["PUT", "/registry-svc/instance"],
      ["GET", "/registry-svc/instances"],
      ["DELETE", "/registry-svc/instance/inst-x"],
      ["GET", "/registry-svc/node/self"],
      ["POST", "/registry-svc/nodes"],
      ["DELETE", "/registry-svc/node/x"],
    ] as const) {
      expect([method, path, (await t.json(method, path, { body: {} })).status]).toEqual([method, path, 401]);
      expect([method, path, (await t.json(method, path, { body: {}, token: "garbage" })).status]).toEqual([method, path, 401]);
    }
  });
});
