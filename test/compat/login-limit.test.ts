/**
 * Login and registration limits on a real socket: the client address comes from the Bun server, or,
 * from a trusted proxy (127.0.0.1 here), from X-Forwarded-For, so each test client can be a network.
 */
import { expect, test } from "bun:test";
import { createPasswordHasher, type PasswordHasher } from "../../src/modules/user/identity/passwords";
import { testServer } from "../helpers/server";

const BEHIND_PROXY = { OB_TRUSTED_PROXIES: "127.0.0.1" };

/** POSTs `body` to `path` as `client` (sent in X-Forwarded-For, which counts only from a trusted proxy). */
function post(url: string, path: string, body: Record<string, unknown>, client?: string, token?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (client) headers["x-forwarded-for"] = client;
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
}

const login = (url: string, slug: string, password: string, client?: string) => post(url, "/user-svc/login", { appHost: "a", slug, password }, client);
const status = (r: Promise<Response>) => r.then((res) => res.status);

/** Runs `n` requests one after another (a limit counts in order), returning their statuses. */
async function statuses(n: number, send: (i: number) => Promise<Response>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send(i)).status);
  return out;
}

/** The fast test hasher, counting `verify` calls: a limited login must not reach it. */
async function countingHasher(): Promise<PasswordHasher & { verifies: number }> {
  const real = await createPasswordHasher(true);
  const counting = {
    verifies: 0,
    hash: (password: string) => real.hash(password),
    verify(password: string, hash: string | null) {
      counting.verifies++;
      return real.verify(password, hash);
    },
  };
  return counting;
}

test("failed logins beyond the per-IP limit get 429 with Retry-After, whatever the slug", async () => {
  await using s = await testServer({ env: { OB_LOGIN_LIMIT_PER_IP: "3", OB_LOGIN_LIMIT_PER_SLUG: "100" } });
  expect(await statuses(4, (i) => login(s.url, `a${i + 1}`, "wrong-password"))).toEqual([401, 401, 401, 429]);
  const limited = await login(s.url, "a5", "wrong-password");
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get("retry-after"))).toBeWithin(1, 61);
  expect(await limited.json()).toEqual({ error: expect.stringContaining("retry in"), code: "user.too_many_logins" });
});

test("behind a trusted proxy each X-Forwarded-For client has its own budget; from others the header is ignored", async () => {
  const env = { OB_LOGIN_LIMIT_PER_IP: "2", OB_LOGIN_LIMIT_PER_SLUG: "100" };
  await using behindProxy = await testServer({ env: { ...env, ...BEHIND_PROXY } });
  const trusted: number[] = [];
  for (const [slug, client] of [["b1", "203.0.113.1"], ["b2", "203.0.113.1"], ["b3", "203.0.113.1"], ["b4", "203.0.113.2"]] as const) {
    trusted.push(await status(login(behindProxy.url, slug, "wrong-password", client)));
  }
  expect(trusted).toEqual([401, 401, 429, 401]);

  await using direct = await testServer({ env });
  const spoofed: number[] = [];
  for (const [slug, client] of [["c1", "198.51.100.1"], ["c2", "198.51.100.2"], ["c3", "198.51.100.3"]] as const) {
    spoofed.push(await status(login(direct.url, slug, "wrong-password", client)));
  }
  expect(spoofed).toEqual([401, 401, 429]);
});

test("a stranger's wrong passwords get only the stranger 429: the admin and a service account log in from their own clients", async () => {
  await using s = await testServer({ env: { ...BEHIND_PROXY, OB_LOGIN_LIMIT_PER_SLUG_IP: "3" } });
  expect(await status(post(s.url, "/user-svc/register", { appHost: "a", slug: "orders-svc", password: "orders-password" }, "198.51.100.20"))).toBe(200);
  for (const [slug, password] of [["1backend", "changeme"], ["orders-svc", "orders-password"]] as const) {
    const stranger = await statuses(12, () => login(s.url, slug, "wrong-password", "203.0.113.66"));
    expect(stranger).toEqual([401, 401, 401, ...Array(9).fill(429)]);
    const strangerRight = await login(s.url, slug, password, "203.0.113.66");
    expect(strangerRight.status).toBe(429);
    expect(Number(strangerRight.headers.get("retry-after"))).toBeWithin(1, 61);
    expect(await status(login(s.url, slug, password, "198.51.100.20"))).toBe(200);
  }
});

test("guessing from many clients stays bounded per slug, and the owner's fresh client still gets in", async () => {
  await using s = await testServer({ env: { ...BEHIND_PROXY, OB_LOGIN_LIMIT_PER_SLUG: "4", OB_LOGIN_LIMIT_PER_SLUG_IP: "3" } });
  const perClient: number[][] = [];
  for (let c = 1; c <= 6; c++) perClient.push(await statuses(3, () => login(s.url, "1backend", "wrong-password", `203.0.113.${c}`)));
  // 4 failures from all clients, then each further network gets a single guess per minute.
  expect(perClient).toEqual([[401, 401, 401], [401, 429, 429], [401, 429, 429], [401, 429, 429], [401, 429, 429], [401, 429, 429]]);
  expect(await status(login(s.url, "1backend", "changeme", "198.51.100.7"))).toBe(200);
});

test("a limited client gets 429 before a password hash is computed, for a known and an unknown slug alike", async () => {
  const hasher = await countingHasher();
  await using s = await testServer({ env: { ...BEHIND_PROXY, OB_LOGIN_LIMIT_PER_SLUG_IP: "3" }, passwords: hasher });
  for (const slug of ["1backend", "nobody-here"]) {
    const before = hasher.verifies;
    const answers: [number, string][] = [];
    for (let i = 0; i < 8; i++) {
      const r = await login(s.url, slug, "wrong-password", "203.0.113.9");
      answers.push([r.status, ((await r.json()) as { code: string }).code]);
    }
    expect(answers).toEqual([...Array(3).fill([401, "user.invalid_credentials"]), ...Array(5).fill([429, "user.too_many_logins"])]);
    expect(hasher.verifies - before).toBe(3);
  }
  // In parallel too: attempts still being hashed count, so a burst cannot outrun the limit.
  const before = hasher.verifies;
  const burst = await Promise.all(Array.from({ length: 10 }, () => status(login(s.url, "1backend", "wrong-password", "203.0.113.10"))));
  expect(burst.sort()).toEqual([401, 401, 401, ...Array(7).fill(429)]);
  expect(hasher.verifies - before).toBe(3);
});

test("registration beyond the per-client limit gets 429 with Retry-After while another client can still register", async () => {
  await using s = await testServer({ env: { ...BEHIND_PROXY, OB_REGISTER_LIMIT_PER_IP: "3" } });
  const register = (slug: string, client: string) => post(s.url, "/user-svc/register", { appHost: "a", slug, password: "long-password" }, client);
  expect(await statuses(3, (i) => register(`r${i + 1}`, "203.0.113.5"))).toEqual([200, 200, 200]);
  const limited = await register("r4", "203.0.113.5");
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get("retry-after"))).toBeWithin(1, 61);
  expect(await limited.json()).toEqual({ error: expect.stringContaining("retry in"), code: "user.too_many_registrations" });
  expect(await status(register("r4", "203.0.113.6"))).toBe(200);
});

test("a stranger's failed logins do not block the owner's password change; wrong current passwords are bounded per account", async () => {
  await using s = await testServer({ env: { ...BEHIND_PROXY, OB_LOGIN_LIMIT_PER_SLUG: "2", OB_LOGIN_LIMIT_PER_SLUG_IP: "3" } });
  const registered = await post(s.url, "/user-svc/register", { appHost: "a", slug: "owner", password: "owner-password" }, "198.51.100.20");
  const token: string = ((await registered.json()) as { token: { token: string } }).token.token;
  expect(await statuses(4, () => login(s.url, "owner", "wrong-password", "203.0.113.66"))).toEqual([401, 401, 429, 429]);
  const change = (currentPassword: string, newPassword = "new-owner-password") =>
    status(post(s.url, "/user-svc/change-password", { currentPassword, newPassword }, "198.51.100.20", token));
  expect(await change("owner-password")).toBe(200);
  expect([await change("wrong-1"), await change("wrong-2"), await change("wrong-3"), await change("new-owner-password", "third-password")]).toEqual([400, 400, 400, 429]);
});
