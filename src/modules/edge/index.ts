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
import { AcmeManager } from "./acme";
import { startEdgeListeners, type EdgeListeners } from "./listeners";
import { EdgeTable } from "./model";
import { EDGE_DEFAULT_PERMITS } from "./permissions";
import { edgeRoutes } from "./routes";
import { EdgeService } from "./service";
import { EdgeStore } from "./store";

export interface EdgeModule extends Module {
  table: EdgeTable;
  store: EdgeStore;
  service: EdgeService;
  /** The edge listeners once `start()` opened them (OB_EDGE_PROXY=true): their bound ports. */
  readonly listeners: Pick<EdgeListeners, "httpPort" | "httpsPort"> | undefined;
  /** ACME while the edge runs with TLS and OB_ACME_DIRECTORY is not `off`. */
  readonly acme: AcmeManager | undefined;
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
  let listeners: EdgeListeners | undefined;
  let acme: AcmeManager | undefined;
  return {
    table,
    store,
    service,
    routes: edgeRoutes(gate, service),
    get listeners() {
      return listeners;
    },
    get acme() {
      return acme;
    },
    start: async () => {
      // In a cluster the table is read again once the change feed is followed (changes made since the load).
      await store.catchUp();
      if (!config.edgeProxy) return;
      // Test mode has no TLS listener, so nothing to order certificates for (1Backend: no ACME either).
      if (!config.edgeTestMode && config.acmeDirectory) acme = new AcmeManager({ config, log, clock, table, store });
      listeners = await startEdgeListeners({ config, log, table, forward: proxy.edge, challenges: acme?.challenges });
      await acme?.start();
    },
    stop: async () => {
      await listeners?.stop();
      await acme?.stop();
      await store.stop();
    },
  };
}
