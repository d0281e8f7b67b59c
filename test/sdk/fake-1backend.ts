/**
 * @module A small fake 1Backend server on port 0 for SDK and CLI tests: user-svc register/login/
 * public-key/has-permission/self/users/permits/enrolls and registry-svc instances/nodes, with real
 * RS256 tokens and the server's error shape. Knobs let tests revoke sessions, wipe state or fail.
 */
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from "jose";

/** An instance as the fake registry stores it. */
/** A registered instance; the URL's parts are there as the registry lists them (tests may leave them out). */
export interface FakeInstance { id: string; url: string; slug: string; status: string; lastHeartbeat: string; scheme?: string; host?: string; port?: number; region?: string }
interface FakeUser { id: string; slug: string; password: string; roles: string[] }

/** The running fake and its state, which tests read and change directly. */
export interface Fake1Backend {
  url: string;
  users: Map<string, FakeUser>;
  instances: Map<string, FakeInstance>;
  /** Permissions granted per slug (admins have all). */
  grants: Map<string, Set<string>>;
  /** Request log: "METHOD /path". */
  calls: string[];
  /** When set, every request answers this status (e.g. 503 while "down"). */
  failWith: number | undefined;
  /** With `checkListening`: each instance registration, and whether its URL accepted a TCP connection then. */
  registrations: { url: string; listening: boolean }[];
  /** Invalidate every issued token (as after a key rotation or session revocation). */
  revokeAll(): void;
  /** Forget users and instances (a fresh database); tokens become invalid too. */
  wipe(): void;
  sign(user: FakeUser, expiresInSeconds?: number): Promise<string>;
  [Symbol.asyncDispose](): Promise<void>;
}

const json = (status: number, body: unknown) => Response.json(body, { status });
const fail = (status: number, code: string, error: string) => json(status, { error, code });

/** Starts the fake on 127.0.0.1 port 0 with the admin `1backend` (password `changeme` unless given). */
export async function fake1Backend(options: { adminPassword?: string; tokenSeconds?: number; checkListening?: boolean } = {}): Promise<Fake1Backend> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const publicPem = await exportSPKI(publicKey as CryptoKey);
  let epoch = 0;
  let nextId = 1;
  const valid = new Set<string>();
  const state: Omit<Fake1Backend, "url" | typeof Symbol.asyncDispose> = {
    users: new Map(),
    instances: new Map(),
    grants: new Map(),
    calls: [],
    failWith: undefined,
    registrations: [],
    revokeAll: () => {
      valid.clear();
      epoch++;
    },
    wipe: () => {
      state.users.clear();
      state.instances.clear();
      state.revokeAll();
      addAdmin();
    },
    sign: async (user, expiresInSeconds = options.tokenSeconds ?? 300) => {
      const jti = `${epoch}-${nextId++}`;
      valid.add(jti);
      return new SignJWT({ "1ui": user.id, "1sl": user.slug, "1ro": user.roles, "1ai": "app-1", "1de": "unknown" })
        .setProtectedHeader({ alg: "RS256" })
        .setJti(jti)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
        .sign(privateKey);
    },
  };
  const addAdmin = () =>
    state.users.set("1backend", { id: "usr-admin", slug: "1backend", password: options.adminPassword ?? "changeme", roles: ["user-svc:user", "user-svc:admin"] });
  addAdmin();

  const caller = (request: Request): FakeUser | undefined => {
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    const [, payload] = token.split(".");
    if (!payload) return undefined;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { jti: string; "1sl": string; exp: number };
    if (!valid.has(claims.jti) || claims.exp * 1000 < Date.now()) return undefined;
    return state.users.get(claims["1sl"]);
  };
  const tokenBody = async (user: FakeUser) => {
    const token = await state.sign(user);
    const expiresAt = new Date(Date.now() + (options.tokenSeconds ?? 300) * 1000).toISOString();
    return { token: { id: `tok-${nextId}`, token, userId: user.id, appId: "app-1", device: "cli", expiresAt, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() } };
  };
  const isAdmin = (u: FakeUser) => u.roles.includes("user-svc:admin");

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const m = request.method;
    state.calls.push(`${m} ${path}`);
    if (state.failWith) return fail(state.failWith, "fake.down", "server unavailable");
    const body = ["POST", "PUT", "DELETE"].includes(m) ? ((await request.json().catch(() => ({}))) ?? {}) as Record<string, any> : {};
    if (m === "GET" && path === "/user-svc/public-key") return json(200, { publicKey: publicPem });
    if (m === "POST" && path === "/user-svc/register") {
      if (state.users.has(body.slug)) return fail(409, "user.slug_taken", `slug "${body.slug}" is already taken`);
      const user = { id: `usr-${nextId++}`, slug: body.slug, password: body.password, roles: ["user-svc:user"] };
      state.users.set(user.slug, user);
      return json(200, await tokenBody(user));
    }
    if (m === "POST" && path === "/user-svc/login") {
      const user = state.users.get(body.slug);
      if (!user || user.password !== body.password) return fail(401, "user.invalid_credentials", "invalid slug or password");
      return json(200, await tokenBody(user));
    }
    const me = caller(request);
    if (!me) return fail(401, "user.invalid_token", "the token is not valid");
    if (m === "POST" && path.startsWith("/user-svc/self/has/")) {
      const permission = decodeURIComponent(path.slice("/user-svc/self/has/".length));
      const authorized = isAdmin(me) || (state.grants.get(me.slug)?.has(permission) ?? false);
      return json(200, { authorized, appId: "app-1", until: new Date(Date.now() + 300_000).toISOString(), user: { id: me.id, slug: me.slug }, app: { id: "app-1", host: "unnamed" } });
    }
    if (m === "POST" && path === "/user-svc/self") return json(200, { user: { id: me.id, slug: me.slug, name: me.slug }, roles: me.roles, tokenCount: 1 });
    if (m === "POST" && path === "/user-svc/users") {
      if (!isAdmin(me)) return fail(403, "auth.permission_denied", "Forbidden");
      return json(200, { users: [...state.users.values()].map((u) => ({ id: u.id, slug: u.slug, createdAt: "2025-01-01T00:00:00Z", updatedAt: "2025-01-01T00:00:00Z" })), count: state.users.size });
    }
    if (path === "/user-svc/permits" && m === "POST") return json(200, { permits: [{ id: "perm-1", appId: "*", permission: "registry-svc:instance:view", roles: ["user-svc:user"], slugs: ["proxy-svc"], createdAt: "", updatedAt: "" }] });
    if (path === "/user-svc/permits" && m === "PUT") return json(200, { echo: body });
    if (path === "/user-svc/enrolls" && m === "POST") return json(200, { enrolls: [{ id: "enr-1", appId: "*", role: "user-svc:admin", userId: "usr-admin", createdAt: "", updatedAt: "" }] });
    if (path === "/user-svc/enrolls" && m === "PUT") return json(200, { enrolls: [], echo: body });
    if (m === "PUT" && path === "/registry-svc/instance") {
      if (options.checkListening) state.registrations.push({ url: String(body.url), listening: await acceptsConnections(String(body.url)) });
      return registerInstance(me, body);
    }
    if (m === "GET" && path === "/registry-svc/instances") {
      const slug = url.searchParams.get("slug");
      const list = [...state.instances.values()].filter((i) => (isAdmin(me) || i.slug === me.slug) && (!slug || i.slug === slug));
      return json(200, list.length ? { instances: list } : {});
    }
    if (m === "DELETE" && path.startsWith("/registry-svc/instance/")) {
      const id = decodeURIComponent(path.slice("/registry-svc/instance/".length));
      const instance = state.instances.get(id);
      if (!instance) return fail(404, "registry.instance_not_found", `instance ${id} not found`);
      if (instance.slug !== me.slug && !isAdmin(me)) return fail(403, "registry.not_instance_owner", `instance ${id} is owned by another account`);
      state.instances.delete(id);
      return new Response(null, { status: 204 });
    }
    if (m === "POST" && path === "/registry-svc/nodes") return json(200, { nodes: [{ id: "node-1", url: "http://127.0.0.1:11337", lastHeartbeat: new Date(Date.now() - 3000).toISOString(), usage: idleUsage }] });
    if (m === "DELETE" && path.startsWith("/registry-svc/node/")) return new Response(null, { status: 204 });
    return fail(404, "fake.not_found", `no route ${m} ${path}`);
  }

  function registerInstance(me: FakeUser, body: Record<string, any>): Response {
    if (typeof body.url !== "string" || !body.url) return fail(400, "registry.invalid_url", "url is required");
    const existing = [...state.instances.values()].find((i) => i.url === body.url);
    if (existing && existing.slug !== me.slug) return fail(409, "registry.instance_owned", `url is owned by ${existing.slug}`);
    const instance = existing ?? { id: `inst-${nextId++}`, url: body.url, slug: me.slug, status: "Unknown", lastHeartbeat: "", ...urlParts(body.url) };
    instance.lastHeartbeat = new Date().toISOString();
    state.instances.set(instance.id, instance);
    return json(201, {});
  }

  /** A node's resource use, all zero. */
  const idleUsage = { cpu: { used: 0, total: 0, percent: 0 }, memory: { used: 0, total: 0, percent: 0 }, disk: { used: 0, total: 0, percent: 0 } };

  /** The URL's scheme, host and port, as the registry lists them beside the URL. */
  function urlParts(raw: string) {
    const url = URL.parse(raw);
    return { scheme: url?.protocol.slice(0, -1) ?? "http", host: url?.hostname ?? "", port: Number(url?.port || 80) };
  }

  /** A TCP connect to the URL's port; loopback URLs only (tests never connect elsewhere). */
  async function acceptsConnections(raw: string): Promise<boolean> {
    const url = URL.parse(raw);
    if (!url || !["127.0.0.1", "[::1]", "localhost"].includes(url.hostname)) return false;
    try {
      const socket = await Bun.connect({ hostname: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 80), socket: { data() {} } });
      socket.end();
      return true;
    } catch {
      return false;
    }
  }

  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: route });
  return Object.assign(state, {
    url: `http://127.0.0.1:${server.port}`,
    [Symbol.asyncDispose]: async () => void (await server.stop(true)),
  });
}
