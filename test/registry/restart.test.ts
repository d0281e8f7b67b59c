import { expect, test } from "bun:test";
import { testServer } from "../helpers/server";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";

const env = { OB_HEALTH_INTERVAL: "300ms", OB_HEALTH_TIMEOUT: "400ms" };

async function post(url: string, body: unknown, token?: string, method = "POST") {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(url, { method, headers, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as any };
}

test("instances and nodes survive a server restart on the same folder, and statuses are re-probed", async () => {
  await using dir = tempDir();
  using listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const url = `http://127.0.0.1:${listener.port}`;
  let nodeId: string;
  {
    await using server = await testServer({ env, folder: dir.path });
    const account = await post(`${server.url}/user-svc/register`, { appHost: "test.app", slug: "alpha-svc", password: "alpha-password" });
    expect(account.status).toBe(200);
    const registered = await post(`${server.url}/registry-svc/instance`, { url, id: "inst-1" }, account.body.token.token, "PUT");
    expect(registered).toEqual({ status: 201, body: {} });
    const { registry } = server.deps;
    await waitFor("Healthy", () => registry.table.get("inst-1")?.status === "Healthy", 3000);
    nodeId = registry.nodes.self().id;
  }
  listener.stop(true);
  await using server = await testServer({ env, folder: dir.path });
  const { registry } = server.deps;
  expect({ ...registry.table.get("inst-1") }).toMatchObject({ url, slug: "alpha-svc" });
  // Port 0 gives the restarted server another URL, hence another node; the first one is still stored.
  expect((await registry.nodes.list([])).map((n) => n.id).sort()).toEqual([nodeId, registry.nodes.self().id].sort());
  await waitFor("re-probed as Unreachable", () => registry.table.get("inst-1")?.status === "Unreachable", 300 + 400 + 2000);
});
