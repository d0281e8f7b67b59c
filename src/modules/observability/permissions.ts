/**
 * @module The permission that guards GET /metrics, as data. `metrics` is a reserved slug, so no
 * account can own the name and grant it to itself; admins hold it by default (OB_METRICS_PUBLIC=true
 * opens the endpoint instead, for a Prometheus on a trusted network).
 */
import type { DefaultPermit } from "../auth-gate";

/** Read the Prometheus metrics (GET /metrics). */
export const METRICS_VIEW = "metrics:view";

/** Admins hold it; grant it to a scraper's account with a permit (role or slug). */
export const OBSERVABILITY_DEFAULT_PERMITS: DefaultPermit[] = [{ permission: METRICS_VIEW, roles: ["user-svc:admin"] }];
