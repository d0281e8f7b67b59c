/**
 * @module A real server (Bun.serve, full handler and error mapping, real registry and storage) whose
 * auth gate is a stand-in: the token names the caller (`admin` is an admin, anything else a service
 * account with that slug). Isolates the registry's own cost from token verification in the benchmark.
 *
 *   OB_SELF_URL=http://127.0.0.1:PORT OB_FOLDER=DIR bun bench/registry/fake-auth-server.ts
 */
import { Elysia } from "elysia";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { openConfiguredDatabase } from "../../src/db/open";
import type { Deps } from "../../src/deps";
import type { BaseDeps } from "../../src/modules/module";
import { createHandler } from "../../src/handler";
import type { AuthGate, Caller } from "../../src/modules/auth-gate";
import { unauthorized } from "../../src/http/errors";
import { AuthCodes, MISSING_TOKEN_MESSAGE } from "../../src/contracts/authorization";
import { systemClock } from "../../src/lib/clock";
import { createLogger } from "../../src/lib/log";
import { createProxyModule } from "../../src/modules/proxy";
import { createObservabilityModule } from "../../src/modules/observability";
import { createRegistryModule } from "../../src/modules/registry";

const callers = new Map<string, Caller>();
const gate: AuthGate = {
  async authenticate(authorization) {
    const token = authorization?.replace(/^Bearer\s+/i, "");
    if (!token) throw unauthorized(AuthCodes.missingToken, MISSING_TOKEN_MESSAGE);
    let caller = callers.get(token);
    if (!caller) {
      const admin = token === "admin";
      const roles = admin ? ["user-svc:user", "user-svc:admin"] : ["user-svc:user"];
      caller = { userId: `usr-${token}`, slug: admin ? "1backend" : token, roles, appId: "app", device: "bench", tokenId: token, token, isAdmin: admin };
      callers.set(token, caller);
    }
    return caller;
  },
  hasPermission: () => true,
  grantDefaultPermits: () => {},
  authorizationForUpstream: async (a) => a,
};

const config = loadConfig();
const log = createLogger(config.logLevel);
const opened = await openConfiguredDatabase(config, log); // OB_DB picks the dialect, as for the server
await opened.migrate();
const base: BaseDeps = { config, database: opened.database, db: opened.database.db, sqlite: opened.sqlite, clock: systemClock, log };
const registry = await createRegistryModule(base, gate);
const proxy = createProxyModule(base, gate, registry.routing);
const observability = await createObservabilityModule(base, gate, () => registry.jobs());
const deps: Deps = { ...base, user: { gate, routes: new Elysia({ name: "user-svc" }) } as unknown as Deps["user"], registry, proxy, edge: { routes: new Elysia({ name: "proxy-svc" }) } as unknown as Deps["edge"], observability, close: opened.close };
const handle = createHandler(deps, createApp(deps));
Bun.serve({ hostname: config.listenHost, port: config.listenPort, fetch: (req, srv) => handle(req, srv) as Promise<Response> });
await registry.start?.();
process.once("SIGTERM", async () => {
  await registry.stop?.();
  await opened.close();
  process.exit(0);
});
