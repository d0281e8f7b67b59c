/**
 * @module Health and metrics routes (contract §2 health row, issue 10): `/healthz` and `/livez` (the
 * process is up and serving), `/readyz` (readiness.ts: 503 when not ready), `/metrics` (Prometheus
 * text format; `metrics:view` unless OB_METRICS_PUBLIC=true). `/health` stays in app.ts as it was.
 */
import { Elysia, t } from "elysia";
import { authGuard } from "../../http/auth-guard";
import type { AuthGate } from "../auth-gate";
import { errors } from "../../contracts/error";
import { LIVE } from "./liveness";
import type { Metrics } from "./metrics";
import { METRICS_VIEW } from "./permissions";
import type { Readiness } from "./readiness";

const tags = ["Health"];
const Check = t.Object({ status: t.Union([t.Literal("ok"), t.Literal("fail")]), reason: t.Optional(t.String({ description: "Why the check failed." })) });
const Report = t.Object(
  {
    status: t.Union([t.Literal("ok"), t.Literal("unavailable")], { description: "`ok` when every check passed." }),
    checks: t.Record(t.String(), Check, { description: "Each check by name." }),
  },
  { title: "HealthReport" },
);

const liveness = {
  response: { 200: Report },
  detail: {
    summary: "Liveness: the process is up and serving (no dependency is checked)",
    description: "Answers 200 `{status: \"ok\"}` whenever the process answers at all; no token needed. Restart the process when it stops answering; for \"can it serve traffic\" ask `/readyz`.",
    tags,
  },
};

/** The health routes and the metrics route. */
export function observabilityRoutes(gate: AuthGate, readiness: Readiness, metrics: Metrics, metricsPublic: boolean) {
  const scrape = async () => new Response(await metrics.text(), { headers: { "content-type": metrics.contentType } });
  const scrapeDetail = {
    summary: metricsPublic ? "Prometheus metrics (public: OB_METRICS_PUBLIC=true)" : "Prometheus metrics (needs metrics:view; admins hold it)",
    description: "Prometheus text exposition format 0.0.4: proxied requests by slug, method class and status class; upstream latency; connect failures and retries; the proxy's own 502/503/504 answers; instances by status; probe results; logins; token checks; registrations; database query latency; event-loop lag; process metrics. Labels are bounded: slugs without instances count as `_unknown`, slugs past the first 1,000 as `_other`, a slug idle for 10 minutes is dropped, no path or URL is a label.",
    tags,
  };
  const routes = new Elysia({ name: "observability" })
    .use(authGuard(gate))
    .get("/healthz", () => LIVE, liveness)
    .get("/livez", () => LIVE, liveness)
    .get(
      "/readyz",
      async ({ status }) => {
        const report = await readiness.check();
        return status(report.status === "ok" ? 200 : 503, report);
      },
      {
        response: { 200: Report, 503: Report },
        detail: {
          summary: "Readiness: database reachable and writable, migrations applied, background jobs running (503 when not)",
          description: "Checked at most once a second (the database check commits one tiny write). Container health checks and load balancers should use this one.",
          tags,
        },
      },
    );
  if (metricsPublic) return routes.get("/metrics", scrape, { response: { 200: t.String() }, detail: scrapeDetail });
  return routes.get("/metrics", scrape, { auth: METRICS_VIEW, response: { 200: t.String(), ...errors(401, 403) }, detail: scrapeDetail });
}
