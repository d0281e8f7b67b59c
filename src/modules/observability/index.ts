/**
 * @module Observability (issue 10): health and readiness endpoints and GET /metrics. The metrics
 * themselves are created in the composition root (deps.ts) before the other modules, which count into
 * them; this module serves them, samples the event-loop lag, and judges readiness.
 */
import type { BaseDeps } from "../module";
import type { AuthGate } from "../auth-gate";
import type { Module } from "../module";
import { embeddedMigrationCounts } from "./migration-count.macro" with { type: "macro" };
import { Metrics } from "./metrics";
import { OBSERVABILITY_DEFAULT_PERMITS } from "./permissions";
import { Readiness } from "./readiness";
import type { JobStatus } from "../../lib/interval-job";
import { observabilityRoutes } from "./routes";
import { trafficRoutes } from "./traffic-routes";
import { TrafficSampler } from "./traffic-sampler";

export interface ObservabilityModule extends Module {
  readiness: Readiness;
  metrics: Metrics;
  /** The 10 s samples of `GET /proxy-svc/traffic`. */
  traffic: TrafficSampler;
}

/** `jobs`: the background jobs readiness requires running (the registry's). */
export async function createObservabilityModule(deps: BaseDeps, gate: AuthGate, jobs: () => readonly JobStatus[]): Promise<ObservabilityModule> {
  await gate.grantDefaultPermits(OBSERVABILITY_DEFAULT_PERMITS);
  const metrics = deps.metrics ?? new Metrics();
  const readiness = new Readiness({ database: deps.database, clock: deps.clock, expectedMigrations: embeddedMigrationCounts()[deps.database.kind], jobs });
  const traffic = new TrafficSampler({ proxy: metrics.proxy, clock: deps.clock, log: deps.log });
  return {
    readiness,
    metrics,
    traffic,
    routes: observabilityRoutes(gate, readiness, metrics, deps.config.metricsPublic).use(trafficRoutes(gate, traffic)),
    start: () => {
      metrics.eventLoop.start();
      traffic.start();
    },
    stop: async () => {
      metrics.eventLoop.stop();
      await traffic.stop();
    },
  };
}
