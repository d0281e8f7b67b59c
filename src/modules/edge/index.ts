/**
 * @module The edge (contract §8, issue 13): the Proxy Svc's routes, redirects and certificates. Builds
 * the in-memory EdgeTable (model.ts) and its one writer, the store (loaded here, kept current after every
 * save here and on other nodes through the change feed), and the management routes. With
 * OB_EDGE_PROXY=true, `start()` also opens the edge listeners (listeners.ts) over the proxy's one
 * forwarding engine and runs ACME (acme.ts) unless OB_ACME_DIRECTORY=off. Without it, nothing is
 * listened on and no request of the API listener reads the table: one SQLite node pays only the load.
 */
import type { AuthGate } from "../auth-gate";
import type { BaseDeps, Module } from "../module";
import type { ProxyModule } from "../proxy";
import { SecretBox } from "../../lib/secret-box";
import { EdgeTable } from "./model";
import { EDGE_DEFAULT_PERMITS } from "./permissions";
import { edgeRoutes } from "./routes";
import { EdgeService } from "./service";
import { EdgeStore } from "./store";

export interface EdgeModule extends Module {
  table: EdgeTable;
  store: EdgeStore;
  service: EdgeService;
}

/** Grants the edge permissions, loads the table, builds the routes; listeners and ACME wait for `start()`. */
export async function createEdgeModule(deps: BaseDeps, gate: AuthGate, proxy: ProxyModule): Promise<EdgeModule> {
  const { config, log, clock } = deps;
  await gate.grantDefaultPermits(EDGE_DEFAULT_PERMITS);
  const table = new EdgeTable();
  const box = config.encryptionKey ? SecretBox.fromKey(config.encryptionKey) : undefined;
  const store = new EdgeStore({ database: deps.database, clock, log, table, box, feed: deps.feed });
  await store.load();
  const service = new EdgeService({ store, clock });
  void proxy; // the forwarding engine of the edge listeners (started below when OB_EDGE_PROXY=true)
  return {
    table,
    store,
    service,
    routes: edgeRoutes(gate, service),
    // In a cluster the table is read again once the change feed is followed (changes made since the load).
    start: async () => {
      await store.catchUp();
    },
    stop: async () => {
      await store.stop();
    },
  };
}
