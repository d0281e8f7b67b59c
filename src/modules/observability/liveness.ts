/**
 * @module What `/livez` and `/healthz` answer (contract §2 health row): the process answers, and no
 * dependency is checked. One body for the routes (routes.ts) and for serve.ts's start-up stub, which
 * answers liveness before the modules exist.
 */
import type { HealthReport } from "./readiness";

/** The process is up and serving. */
export const LIVE = { status: "ok", checks: { process: { status: "ok" } } } as const satisfies HealthReport;

/**
 * Between bind and ready (migrations, key pair): live already, so an orchestrator does not restart a
 * node that is still migrating; the extra check says why readiness still waits.
 */
export const LIVE_WHILE_STARTING = {
  status: "ok",
  checks: { ...LIVE.checks, starting: { status: "ok", reason: "the server is starting" } },
} as const satisfies HealthReport;
