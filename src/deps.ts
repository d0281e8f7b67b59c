/** @module The composition root: opens storage and builds every module in dependency order. */
import type { Config } from "./config";
import type { OpenedDatabase } from "./db/client";
import { openConfiguredDatabase } from "./db/open";
import { ensureDataFolder } from "./lib/data-folder";
import { systemClock, type Clock } from "./lib/clock";
import { createLogger, type Logger } from "./lib/log";
import type { BaseDeps } from "./modules/module";
import type { PasswordHasher } from "./modules/user/identity/passwords";
import { createUserModule, type UserModule } from "./modules/user";
import { createRegistryModule, type RegistryModule } from "./modules/registry";
import { createProxyModule, type ProxyModule } from "./modules/proxy";
import { createEdgeModule, type EdgeModule } from "./modules/edge";
import { Metrics } from "./modules/observability/metrics";
import { createObservabilityModule, type ObservabilityModule } from "./modules/observability";
import { instrumentDatabase } from "./modules/observability/db-metrics";
import { singleNodeFeed, type ChangeFeed } from "./modules/cluster/feed";
import { PostgresFeed } from "./modules/cluster/postgres-feed";

export interface Deps extends BaseDeps {
  user: UserModule;
  registry: RegistryModule;
  proxy: ProxyModule;
  edge: EdgeModule;
  observability: ObservabilityModule;
  /** Closes the database; modules must be stopped first. */
  close(): Promise<void>;
}

export interface DepsOverrides {
  clock?: Clock;
  log?: Logger;
  fastCrypto?: boolean;
  passwords?: PasswordHasher;
}

/** Opens the configured database (`<folder>/1backend.db`, or PostgreSQL), applies migrations and wires the modules. */
export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  if (config.dbKind === "sqlite") ensureDataFolder(config.folder);
  const log = overrides.log ?? createLogger(config.logLevel, undefined, config.logFormat);
  const opened = await openConfiguredDatabase(config, log);
  try {
    return await wireModules(config, { ...overrides, log }, opened);
  } catch (err) {
    await opened.close(); // a failed start leaves no open database behind (the caller never gets `close`)
    throw err;
  }
}

async function wireModules(config: Config, overrides: DepsOverrides & { log: Logger }, opened: OpenedDatabase): Promise<Deps> {
  await opened.migrate();
  const metrics = new Metrics();
  // Before any store prepares its statements, so every query is timed (db-metrics.ts).
  instrumentDatabase(opened.database, metrics.registry);
  const clock = overrides.clock ?? systemClock;
  const feed = createFeed(config, opened, clock, overrides.log);
  const base: BaseDeps = {
    config,
    database: opened.database,
    db: opened.database.db,
    feed,
    sqlite: opened.sqlite,
    clock,
    log: overrides.log,
    metrics,
    fastCrypto: overrides.fastCrypto,
    passwords: overrides.passwords,
  };
  const user = await createUserModule(base);
  const registry = await createRegistryModule(base, user.gate);
  const proxy = createProxyModule(base, user.gate, registry.routing);
  const edge = await createEdgeModule(base, user.gate, proxy);
  const observability = await createObservabilityModule(base, user.gate, () => [...registry.jobs(), ...(edge.acme?.jobs() ?? [])]);
  // Consumers subscribed while the modules were built; from here on other nodes' changes arrive.
  await feed.start();
  const close = async () => {
    await feed.stop();
    await opened.close();
  };
  return { ...base, user, registry, proxy, edge, observability, close };
}

/** The change feed: PostgreSQL's (LISTEN/NOTIFY over the feed table), or nothing to follow on one SQLite node. */
function createFeed(config: Config, opened: OpenedDatabase, clock: Clock, log: Logger): ChangeFeed {
  if (opened.database.kind === "sqlite" || !opened.listen) return singleNodeFeed;
  return new PostgresFeed({ database: opened.database, listen: opened.listen, prefix: config.dbPrefix, clock, log });
}
