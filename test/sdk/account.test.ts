import { describe, expect, test } from "bun:test";
import { statSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { registerOrLogin, SlugTakenError, ServerError, ServiceSession } from "../../sdk/index.ts";
import { tempDir } from "../helpers/temp-dir";
import { fake1Backend } from "./fake-1backend";

describe("registerOrLogin", () => {
  test("registers on first start, stores the password 0600, and logs in with it on restart", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    const credentialsFile = join(dir.path, "creds", "svc.json");
    const first = await registerOrLogin({ serverUrl: server.url, slug: "my-svc", credentialsFile });
    expect(first.registered).toBe(true);
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(credentialsFile, "utf8"));
    expect(stored.accounts["my-svc"].password).toBe(server.users.get("my-svc")!.password);

    const second = await registerOrLogin({ serverUrl: server.url, slug: "my-svc", credentialsFile });
    expect(second.registered).toBe(false);
    expect(second.userId).toBe(first.userId);
    expect(server.calls.filter((c) => c === "POST /user-svc/register")).toHaveLength(1);
  });

  test("registers again with the same password when the server lost its database", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    const credentialsFile = join(dir.path, "svc.json");
    await registerOrLogin({ serverUrl: server.url, slug: "my-svc", credentialsFile });
    const password = server.users.get("my-svc")!.password;
    server.wipe();
    const again = await registerOrLogin({ serverUrl: server.url, slug: "my-svc", credentialsFile });
    expect(again.registered).toBe(true);
    expect(server.users.get("my-svc")!.password).toBe(password);
  });

  test("says clearly that the slug belongs to another account (login 401, register 409)", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    server.users.set("my-svc", { id: "usr-x", slug: "my-svc", password: "someone-elses", roles: ["user-svc:user"] });
    const credentialsFile = join(dir.path, "svc.json");
    const attempt = registerOrLogin({ serverUrl: server.url, slug: "my-svc", credentialsFile });
    await expect(attempt).rejects.toBeInstanceOf(SlugTakenError);
    await expect(attempt).rejects.toThrow(/slug "my-svc" is already registered by another account/);
    // With a stored but wrong password the answer is the same.
    await expect(registerOrLogin({ serverUrl: server.url, slug: "my-svc", credentialsFile })).rejects.toBeInstanceOf(SlugTakenError);
  });

  test("keeps other slugs in a shared credentials file", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    const credentialsFile = join(dir.path, "shared.json");
    await registerOrLogin({ serverUrl: server.url, slug: "a-svc", credentialsFile });
    await registerOrLogin({ serverUrl: server.url, slug: "b-svc", credentialsFile });
    expect(Object.keys(JSON.parse(readFileSync(credentialsFile, "utf8")).accounts).sort()).toEqual(["a-svc", "b-svc"]);
  });

  test("passes other server errors through with the server's message", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    server.failWith = 400;
    const err = await registerOrLogin({ serverUrl: server.url, slug: "my-svc", credentialsFile: join(dir.path, "c.json") }).catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect({ status: err.status, message: err.message, code: err.code }).toEqual({ status: 400, message: "server unavailable", code: "fake.down" });
  });
});

describe("ServiceSession", () => {
  test("waits for a server that is down at start, then logs in", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    server.failWith = 503;
    const retries: unknown[] = [];
    const pending = new ServiceSession({
      serverUrl: server.url, slug: "my-svc", credentialsFile: join(dir.path, "c.json"), retryTimeoutMs: 20_000,
      onRetry: (err) => { retries.push(err); if (retries.length === 2) server.failWith = undefined; },
    }).token();
    expect(typeof (await pending)).toBe("string");
    expect(retries).toHaveLength(2);
  });

  test("a slug owned by another account fails at once instead of being retried as if the server were down", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    server.users.set("my-svc", { id: "usr-x", slug: "my-svc", password: "someone-elses", roles: ["user-svc:user"] });
    const retries: unknown[] = [];
    const session = new ServiceSession({
      serverUrl: server.url, slug: "my-svc", credentialsFile: join(dir.path, "c.json"), retryTimeoutMs: 20_000,
      onRetry: (err) => retries.push(err),
    });
    await expect(session.token()).rejects.toBeInstanceOf(SlugTakenError);
    expect(retries).toEqual([]);
  });

  test("shares one login between concurrent callers and renews on demand", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    const session = new ServiceSession({ serverUrl: server.url, slug: "my-svc", credentialsFile: join(dir.path, "c.json") });
    const [a, b] = await Promise.all([session.token(), session.token()]);
    expect(a).toBe(b);
    expect(server.calls.filter((c) => c.startsWith("POST /user-svc/"))).toHaveLength(1);
    const renewed = await session.renew();
    expect(renewed).not.toBe(a);
  });

  test("renews a token that is about to expire", async () => {
    await using server = await fake1Backend({ tokenSeconds: 10 });
    await using dir = tempDir();
    const session = new ServiceSession({ serverUrl: server.url, slug: "my-svc", credentialsFile: join(dir.path, "c.json"), renewBeforeMs: 20_000 });
    const first = await session.token();
    const second = await session.token();
    expect(second).not.toBe(first);
  });
});
