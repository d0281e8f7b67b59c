/** @module The composition root: opens storage and builds every module in dependency order. */
import { join } from "node:path";
import type { Config } from "./config";
import { openDatabase } from "./db/client";
import { ensureDataFolder } from "./lib/data-folder";
import { migrate } from "./db/migrate";
import { systemClock, type Clock } from "./lib/clock";
import { createLogger, type Logger } from "./lib/log";
import type { BaseDeps } from "./modules/module";
import type { PasswordHasher } from "./modules/user/identity/passwords";
import { createUserModule, type UserModule } from "./modules/user";
import { createRegistryModule, type RegistryModule } from "./modules/registry";
import { createProxyModule, type ProxyModule } from "./modules/proxy";
import { Metrics } from "./modules/observability/metrics";
import { createObservabilityModule, type ObservabilityModule } from "./modules/observability";
import { instrumentDatabase } from "./modules/observability/db-metrics";

export interface Deps extends BaseDeps {
  user: UserModule;
  registry: RegistryModule;
  proxy: ProxyModule;
  observability: ObservabilityModule;
  /** Closes the database; modules must be stopped first. */
  close(): void;
}

export interface DepsOverrides {
  clock?: Clock;
  log?: Logger;
  fastCrypto?: boolean;
  passwords?: PasswordHasher;
}

/** Opens `<folder>/1backend.db`, applies migrations and wires the modules. */
export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  ensureDataFolder(config.folder);
  const opened = openDatabase(join(config.folder, "1backend.db"));
  try {
    return await wireModules(config, overrides, opened);
  } catch (err) {
    opened.close(); // a failed start leaves no open database behind (the caller never gets `close`)
    throw err;
  }
}

async function wireModules(config: Config, overrides: DepsOverrides, opened: ReturnType<typeof openDatabase>): Promise<Deps> {
  migrate(opened.db);
  const metrics = new Metrics();
  // Before any store prepares its statements, so every query is timed (db-metrics.ts).
  instrumentDatabase(opened.sqlite, metrics.registry);
  const base: BaseDeps = {
    config,
    database: opened.database,
    db: opened.db,
    sqlite: opened.sqlite,
    clock: overrides.clock ?? systemClock,
    log: overrides.log ?? createLogger(config.logLevel, undefined, config.logFormat),
    metrics,
    fastCrypto: overrides.fastCrypto,
    passwords: overrides.passwords,
  };
  const user = await createUserModule(base);
  const registry = await createRegistryModule(base, user.gate);
  const proxy = createProxyModule(base, user.gate, registry.routing);
  const observability = await createObservabilityModule(base, user.gate, () => registry.jobs());
  return { ...base, user, registry, proxy, observability, close: opened.close };
}
