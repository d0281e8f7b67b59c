/**
 * @module Traffic screen: requests per slug and status class, and upstream latency (p50/p95), over the
 * last minutes, from the proxy's own metrics (`GET /proxy-svc/traffic`, sampled by the server every
 * `intervalSeconds`). Drawn as two small SVG charts, with the same numbers as tables for screen readers
 * and keyboards; refreshed every interval while the screen is open.
 */
import type { Static } from "@sinclair/typebox";
import { useEffect, useState } from "preact/hooks";
import type { TrafficResponse } from "../../../src/contracts/proxy/traffic";
import { api } from "../api";
import { LineChart, type ChartSeries } from "../ui/line-chart";
import { ErrorPanel } from "../ui/alert";
import { Layout } from "../ui/layout";
import { SelectField } from "../ui/field";

type Traffic = Static<typeof TrafficResponse>;
type Sample = Traffic["samples"][number];
type SlugSample = Sample["slugs"][string];

const CLASSES = ["2xx", "3xx", "4xx", "5xx"] as const;
/** 3:1 against light and dark backgrounds; each line also dashed differently. */
const CLASS_STYLE: Record<(typeof CLASSES)[number], { color: string; dash?: string }> = {
  "2xx": { color: "#1f8a4c" },
  "3xx": { color: "#3478e0", dash: "6 3" },
  "4xx": { color: "#b86e00", dash: "2 3" },
  "5xx": { color: "#e0453f", dash: "10 3 2 3" },
};
const ALL = "";

const timeOf = (at: string) => new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const total = (s: SlugSample | undefined) => (s ? CLASSES.reduce((n, c) => n + (s.requests[c] ?? 0), 0) : 0);
const ms = (v: number | null | undefined) => (v == null ? "—" : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

/** "15 minutes", "1 minute", "40 seconds". */
const span = (seconds: number) => (seconds < 60 ? `${seconds} seconds` : `${Math.round(seconds / 60)} minute${Math.round(seconds / 60) === 1 ? "" : "s"}`);

/** The per-class counts of one sample for one slug, or summed over every slug. */
function countsOf(sample: Sample, slug: string): Record<(typeof CLASSES)[number], number> {
  const rows = slug === ALL ? Object.values(sample.slugs) : sample.slugs[slug] ? [sample.slugs[slug]] : [];
  const out = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };
  for (const row of rows) for (const c of CLASSES) out[c] += row.requests[c] ?? 0;
  return out;
}

/** A slug's requests over every sample. */
const requestsOf = (samples: Sample[], slug: string) => samples.reduce((n, s) => n + total(s.slugs[slug]), 0);

/** A slug's latency in one sample, or null when it had no requests then (no percentile to show). */
const latencyOf = (sample: Sample, slug: string, which: "p50" | "p95"): number | null => {
  const row = sample.slugs[slug];
  return row && total(row) > 0 ? (row.latencyMs[which] ?? null) : null;
};

/** Polls the endpoint every interval; keeps the last good answer when a refresh fails. */
function useTraffic() {
  const [traffic, setTraffic] = useState<Traffic>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const load = async () => {
      let next = 10;
      try {
        const answer = await api<Traffic>("GET", "/proxy-svc/traffic");
        if (stopped) return;
        setTraffic(answer);
        setError(undefined);
        next = answer.intervalSeconds;
      } catch (err) {
        if (!stopped) setError(err);
      }
      if (!stopped) timer = setTimeout(load, Math.max(1, next) * 1000);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return { traffic, error };
}

/** Traffic. */
export function TrafficScreen() {
  const { traffic, error } = useTraffic();
  const [slug, setSlug] = useState(ALL);
  const samples = traffic?.samples ?? [];
  const slugs = [...new Set(samples.flatMap((s) => Object.keys(s.slugs)))].sort();
  const xLabels = samples.map((s) => timeOf(s.at));
  const requestSeries: ChartSeries[] = CLASSES.map((c) => ({ name: c, ...CLASS_STYLE[c], values: samples.map((s) => countsOf(s, slug)[c]) }));
  // With every slug shown, the latency chart follows the busiest one (percentiles do not add up across slugs).
  const busiest = [...slugs].sort((a, b) => requestsOf(samples, b) - requestsOf(samples, a))[0];
  const latencySlug = slug === ALL ? busiest : slug;
  const latencySeries: ChartSeries[] = latencySlug
    ? [
        { name: "p50", color: "#0e8a8a", values: samples.map((s) => latencyOf(s, latencySlug, "p50")) },
        { name: "p95", color: "#8a4fd6", dash: "6 3", values: samples.map((s) => latencyOf(s, latencySlug, "p95")) },
      ]
    : [];
  const interval = traffic?.intervalSeconds ?? 10;
  return (
    <Layout title="Traffic">
      <p class="muted">
        Requests through the proxy per {interval} s, and upstream latency, over the last {span(samples.length * interval)}. Refreshed every {interval} s.
      </p>
      {error !== undefined && <ErrorPanel error={error} />}
      {traffic && samples.length === 0 && <p role="status">No samples yet: the first one is taken {interval} s after the server starts.</p>}
      {samples.length > 0 && (
        <>
          <div class="filters">
            <SelectField label="Slug" value={slug} options={[[ALL, "All slugs"], ...slugs.map((s) => [s, s] as const)]} onValue={setSlug} />
          </div>
          <h2>
            Requests per {interval} s {slug === ALL ? "(all slugs)" : `(${slug})`}
          </h2>
          <LineChart label={`Requests per ${interval} seconds by status class, ${slug === ALL ? "all slugs" : slug}`} xLabels={xLabels} series={requestSeries} />
          {latencySlug && (
            <>
              <h2>Upstream latency ({latencySlug})</h2>
              <LineChart label={`Upstream latency p50 and p95 of ${latencySlug}, milliseconds`} xLabels={xLabels} series={latencySeries} unit=" ms" />
            </>
          )}
          <SlugTable samples={samples} slugs={slugs} />
          <details>
            <summary>Every interval as a table</summary>
            <IntervalTable samples={samples} slug={slug} />
          </details>
        </>
      )}
    </Layout>
  );
}

/** Per slug over the whole window: requests per class, and the latest latency percentiles. */
function SlugTable({ samples, slugs }: { samples: Sample[]; slugs: string[] }) {
  return (
    <table>
      <caption>Requests per slug over the window, and the latest upstream latency</caption>
      <thead>
        <tr>
          <th scope="col">Slug</th>
          {CLASSES.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
          <th scope="col">p50</th>
          <th scope="col">p95</th>
        </tr>
      </thead>
      <tbody>
        {slugs.map((slug) => {
          const sums = samples.reduce(
            (acc, s) => {
              const c = countsOf(s, slug);
              for (const k of CLASSES) acc[k] += c[k];
              return acc;
            },
            { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 },
          );
          const latest = [...samples].reverse().find((s) => total(s.slugs[slug]) > 0);
          return (
            <tr key={slug}>
              <th scope="row">{slug}</th>
              {CLASSES.map((c) => (
                <td key={c}>{sums[c]}</td>
              ))}
              <td>{ms(latest && latencyOf(latest, slug, "p50"))}</td>
              <td>{ms(latest && latencyOf(latest, slug, "p95"))}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function IntervalTable({ samples, slug }: { samples: Sample[]; slug: string }) {
  return (
    <table>
      <caption>Requests per interval {slug === ALL ? "(all slugs)" : `(${slug})`}</caption>
      <thead>
        <tr>
          <th scope="col">Interval ending</th>
          {CLASSES.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
          {slug !== ALL && <th scope="col">p50</th>}
          {slug !== ALL && <th scope="col">p95</th>}
        </tr>
      </thead>
      <tbody>
        {samples.map((s) => {
          const c = countsOf(s, slug);
          return (
            <tr key={s.at}>
              <th scope="row">
                <time dateTime={s.at}>{timeOf(s.at)}</time>
              </th>
              {CLASSES.map((k) => (
                <td key={k}>{c[k]}</td>
              ))}
              {slug !== ALL && <td>{ms(latencyOf(s, slug, "p50"))}</td>}
              {slug !== ALL && <td>{ms(latencyOf(s, slug, "p95"))}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
