/**
 * The registry through the official `@1backend/client` 0.9.18 `RegistrySvcApi` against a real server,
 * with real accounts: a service account registers, lists and removes its instance; an admin lists all;
 * another slug's takeover attempt gets 409; nodes and echo answer as the client expects.
 */
import { describe, expect, test } from "bun:test";
import { Configuration, RegistrySvcApi, UserSvcApi } from "@1backend/client";
import { testServer } from "../helpers/server";
import { answerOf } from "../helpers/client-answer";

const APP = "test.app";
const registryApi = (basePath: string, token?: string) => new RegistrySvcApi(new Configuration({ basePath, apiKey: token }));

async function statusOf(call: Promise<unknown>): Promise<number> {
  return (await answerOf(call)).status;
}

async function account(basePath: string, slug: string): Promise<string> {
  const users = new UserSvcApi(new Configuration({ basePath }));
  const r = await users.register({ body: { appHost: APP, slug, password: `${slug}-password`, name: slug } });
  return r.token!.token;
}

async function admin(basePath: string): Promise<string> {
  const r = await new UserSvcApi(new Configuration({ basePath })).login({ body: { appHost: APP, slug: "1backend", password: "changeme" } });
  return r.token!.token;
}

describe("RegistrySvcApi (@1backend/client 0.9.18) against a real server", () => {
  test("register, list, admin lists all, takeover 409, owner removes", async () => {
    await using s = await testServer();
    const basic = registryApi(s.url, await account(s.url, "basic-svc"));
    const other = registryApi(s.url, await account(s.url, "other-svc"));
    const root = registryApi(s.url, await admin(s.url));

    expect(await basic.registerInstance({ body: { url: "http://127.0.0.1:9111" } })).toEqual({});
    await other.registerInstance({ body: { url: "http://127.0.0.1:9222" } });

    const own = await basic.listInstances();
    expect(own.instances).toEqual([expect.objectContaining({ url: "http://127.0.0.1:9111", slug: "basic-svc", status: expect.any(String) })]);
    const id = own.instances![0]!.id;
    expect(id).toMatch(/^inst-/);

    const all = await root.listInstances();
    expect(all.instances!.map((i) => i.slug).sort()).toEqual(["basic-svc", "other-svc"]);
    expect((await root.listInstances({ slug: "other-svc" })).instances!.map((i) => i.url)).toEqual(["http://127.0.0.1:9222"]);
    expect((await root.listInstances({ id })).instances!.map((i) => i.id)).toEqual([id]);

    expect(await statusOf(other.registerInstance({ body: { url: "http://127.0.0.1:9111/" } }))).toBe(409);
    expect(await statusOf(other.removeInstance({ id }))).toBe(403);
    expect(await statusOf(registryApi(s.url).listInstances())).toBe(401);

    await basic.removeInstance({ id });
    expect((await basic.listInstances()).instances).toEqual([]);
    expect(await statusOf(basic.removeInstance({ id }))).toBe(404);
  });

  test("an admin takes over an instance; nodes and echo", async () => {
    await using s = await testServer();
    const basic = registryApi(s.url, await account(s.url, "basic-svc"));
    const root = registryApi(s.url, await admin(s.url));
    await basic.registerInstance({ body: { url: "http://127.0.0.1:9111" } });
    await root.registerInstance({ body: { url: "http://127.0.0.1:9111" } });
    expect((await root.listInstances()).instances!.map((i) => i.slug)).toEqual(["1backend"]);
    expect((await basic.listInstances()).instances).toEqual([]);

    const { node } = await root.selfNode();
    // Bun 1.4.5's toMatchObject writes asymmetric matchers into the received object: assert on copies.
    expect({ ...node }).toMatchObject({ id: expect.stringMatching(/^node-/), url: s.deps.config.selfUrl });
    expect((await root.listNodes()).nodes!.map((n) => n.id)).toEqual([node.id]);
    expect((await root.listNodes({ body: { ids: [node.id] } })).nodes).toHaveLength(1);
    expect(await statusOf(basic.deleteNode({ url: node.url }))).toBe(403);
    await root.deleteNode({ url: node.url });
    expect((await root.listNodes()).nodes).toEqual([]);

    expect(await basic.echoPost()).toEqual({});
  });
});
