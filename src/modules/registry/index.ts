/**
 * @module Registry Svc (contract §4): wires the in-memory instance table, its storage, the services,
 * the routes and the background jobs (prober, sweeper, node heartbeat, the committer: group commit of
 * registrations and removals before they are answered, write-behind of health), and the network
 * policy's guard that registrations, the prober and the proxy consult. The sweeper runs once per
 * cluster: only while this node leads the "sweeper" role (cluster/leader.ts; always on SQLite);
 * probing is spread over the live nodes (nodes.ts `share`; everything on SQLite).
 */
import type { BaseDeps } from "../module";
import type { AuthGate } from "../auth-gate";
import type { Module } from "../module";
import type { JobStatus } from "../../lib/interval-job";
import { Publisher } from "../../lib/events";
import { singleNodeFeed } from "../cluster/feed";
import { createLeader, type Leader } from "../cluster/leader";
import { AddressGuard } from "./address-guard";
import { AddressPolicy } from "./address-policy";
import { registryEventLogger } from "./event-log";
import { eventRoutes } from "./event-routes";
import { EventStreams } from "./event-streams";
import { Flusher } from "./flusher";
import { InstanceTable } from "./instance-table";
import { NodeService } from "./nodes";
import { REGISTRY_DEFAULT_PERMITS } from "./permissions";
import type { ProbeFn } from "./probe";
import { Prober } from "./prober";
import { RemoteInstanceChanges } from "./remote-changes";
import { registryRoutes } from "./routes";
import type { InstanceRouting, RegistryEvent } from "./routing";
import { InstanceService } from "./service";
import { systemResolve, type ResolveFn } from "./resolve";
import { SelfAddresses } from "./self-addresses";
import { RegistryStore } from "./store";
import { Sweeper } from "./sweeper";

/** How often health changes (status, heartbeat) left pending are written; registrations and removals do not wait for it. */
const FLUSH_INTERVAL_MS = 1000;

/** The registry as the rest of the server sees it: routing for the proxy, services, and the jobs (tests drive them). */
export interface RegistryModule extends Module {
  routing: InstanceRouting;
  instances: InstanceService;
  nodes: NodeService;
  prober: Prober;
  sweeper: Sweeper;
  /** Whether this node runs the sweeper (and TTL eviction): the cluster's elected one, or the only node. */
  sweeperLeader: Leader;
  flusher: Flusher;
  table: InstanceTable;
  /** The open event streams of `GET /registry-svc/events`. */
  streams: EventStreams;
  /** The background jobs as readiness sees them (contract §2 `/readyz`). */
  jobs(): JobStatus[];
}

/** Test seams of {@link createRegistryModule}. */
export interface RegistryModuleOptions {
  /** Replaces the real TCP/HTTP probe (tests). */
  probe?: ProbeFn;
  /** Replaces the system resolver of the network policy (tests: names that move, without DNS). */
  resolve?: ResolveFn;
  /** Replaces the local interface addresses of the self check (tests). */
  interfaces?: () => string[];
}

/**
 * Builds the registry: grants its default permits, loads the stored instances into memory and wires
 * the services and jobs. Nothing runs until `start()`; `stop()` ends the jobs and commits what is pending.
 */
export async function createRegistryModule(deps: BaseDeps, gate: AuthGate, options: RegistryModuleOptions = {}): Promise<RegistryModule> {
  const { config, clock, log } = deps;
  await gate.grantDefaultPermits(REGISTRY_DEFAULT_PERMITS);
  const events = new Publisher<RegistryEvent>(log);
  // Cluster mode: changes are committed at once (not by the interval flush), so other nodes learn them in the feed's latency.
  const clustered = deps.feed !== undefined && deps.feed !== singleNodeFeed;
  const table = new InstanceTable(events, {
    heartbeatWriteMs: config.heartbeatWriteIntervalMs,
    onChangeQueued: clustered ? () => flusher.commitSoon() : undefined,
    onHeartbeat: (record) => streams.onHeartbeat(record),
  });
  events.subscribe(registryEventLogger(log));
  const metrics = deps.metrics?.registryMetrics;
  if (metrics) metrics.instancesByStatus = () => countByStatus(table);
  const store = new RegistryStore(deps);
  table.load(await store.loadInstances());
  const resolve = options.resolve ?? systemResolve;
  const self = new SelfAddresses({
    listenHost: config.listenHost,
    listenPort: config.listenPort,
    selfUrl: config.selfUrl,
    nodeUrls: async () => (await nodes.list([])).map((node) => node.url),
    resolve,
    clock,
    interfaces: options.interfaces,
  });
  const policy = new AddressPolicy({ allow: config.instanceAllow, deny: config.instanceDeny });
  const guard = new AddressGuard({ policy, self, resolve, table, clock, log });
  const prober = new Prober({
    table,
    clock,
    log,
    intervalMs: config.healthIntervalMs,
    timeoutMs: config.healthTimeoutMs,
    degradedAfterMs: config.healthDegradedAfterMs,
    concurrency: config.healthConcurrency,
    probe: options.probe,
    checkConnect: (id) => guard.checkConnect(id),
    rotateAddress: (id) => guard.rotateAddress(id),
    share: () => nodes.share(), // this node's instances among the live nodes (all of them on one node)
    onProbe: metrics && ((result) => metrics.probes.inc(result)),
  });
  const sweeperInterval = Math.min(config.healthIntervalMs, config.unhealthyAfterMs);
  const sweeper = new Sweeper({ table, clock, log, intervalMs: sweeperInterval, unhealthyAfterMs: config.unhealthyAfterMs, instanceTtlMs: config.instanceTtlMs, share: () => nodes.share() });
  const sweeperLeader = createLeader(config, "sweeper", { clock, log });
  sweeperLeader.runWhileLeading(sweeper);
  const flusher = new Flusher({ table, store, intervalMs: FLUSH_INTERVAL_MS, log, onRolledBack: (ids) => remote?.changed(ids) });
  // The rows other nodes write, applied to the table (cluster mode; nothing arrives on one node).
  const remote = clustered ? new RemoteInstanceChanges({ table, store, settled: () => flusher.settled(), log }) : undefined;
  if (remote) store.onInstancesChangedElsewhere(remote.changed);
  const nodes = await NodeService.create({
    store,
    clock,
    log,
    selfUrl: config.selfUrl,
    nodeId: config.nodeId,
    region: config.region,
    availabilityZone: config.availabilityZone,
    heartbeatIntervalMs: config.healthIntervalMs,
    ttlMs: config.nodeTtlMs,
    cluster: config.dbKind === "postgres",
  });
  // After the node row exists: the screen's self check reads the node table.
  await guard.screenStored();
  const instances = new InstanceService({ table, clock, probeSoon: (id) => prober.probeSoon(id), vet: (url) => guard.vet(url), onRegister: metrics && ((kind) => metrics.registrations.inc(kind)) });
  const streams = new EventStreams({ instances, table, clock, log, perUser: config.eventStreamsPerUser, max: config.eventStreamsMax });
  events.subscribe(streams.onEvent);
  gate.onRevoke?.(streams.onRevoke);
  const routing: InstanceRouting = {
    instancesOf: (slug) => table.instancesOf(slug),
    reportConnectFailure: (id) => {
      guard.rotateAddress(id); // a name's next checked address gets the next connect (and probe)
      table.setHealth(id, "Unreachable");
    },
    checkConnect: (id) => guard.checkConnect(id),
    subscribe: (listener) => events.subscribe(listener),
  };
  return {
    routing,
    instances,
    nodes,
    prober,
    sweeper,
    sweeperLeader,
    flusher,
    table,
    streams,
    routes: registryRoutes(gate, instances, nodes, flusher).use(eventRoutes(gate, streams)),
    // A follower's sweeper is stopped on purpose: readiness sees its election job instead.
    jobs: () => [prober.job.status(), ...sweeperLeader.jobs(), ...(sweeperLeader.leading ? [sweeper.job.status()] : []), nodes.job.status(), flusher.job.status()],
    async start() {
      log.info("node joined", { node: nodes.self().id, url: config.selfUrl });
      nodes.start();
      flusher.start();
      await remote?.resync(); // what other nodes committed between this node's load and the feed's start
      await sweeperLeader.start(); // starts the sweeper if this node leads
      prober.start();
      streams.start();
    },
    drain() {
      streams.endAll("registry.server_stopping"); // before the server waits for in-flight requests: a stream would hold it
    },
    async stop() {
      streams.endAll("registry.server_stopping");
      await streams.stop();
      await prober.stop();
      await sweeperLeader.stop(); // stops the sweeper and releases the lock: another node takes over at once
      await sweeper.stop();
      await nodes.stop();
      await remote?.stop();
      await flusher.stop();
      log.info("node left", { node: nodes.self().id, url: config.selfUrl });
    },
  };
}

function countByStatus(table: InstanceTable): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of table.all()) counts[record.status] = (counts[record.status] ?? 0) + 1;
  return counts;
}
