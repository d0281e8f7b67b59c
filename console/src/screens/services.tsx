/**
 * @module The Services screen: every slug the user may see with its instances (URL, status, ticking
 * heartbeat age, region, deployment id), live from the registry's event stream (events.ts) — a snapshot, then
 * each change — so an instance that dies turns Unreachable here within the probe interval with no
 * reload. Filters by slug, status and region; remove an instance after a confirm.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, describeError } from "../api";
import { watchInstances, type StreamState } from "../events";
import { applyChange } from "../instances";
import { can } from "../session";
import { Alert, toast } from "../ui/alert";
import { StatusBadge } from "../ui/badge";
import { Confirm } from "../ui/confirm";
import { SelectField } from "../ui/field";
import { Layout } from "../ui/layout";
import { Age } from "../ui/age";
import { Table, type Column } from "../ui/table";
import type { Instance, InstanceStatus } from "../../../src/contracts/registry/instances";

const STATUSES: readonly InstanceStatus[] = ["Healthy", "Degraded", "Unreachable", "Unknown"];
const ALL = "";

/** The live instances and the stream's state. */
function useLiveInstances() {
  const [instances, setInstances] = useState<ReadonlyMap<string, Instance>>(new Map());
  const [state, setState] = useState<StreamState>({ kind: "connecting" });
  const [loaded, setLoaded] = useState(false);
  useEffect(
    () =>
      watchInstances({
        snapshot: (list) => {
          setInstances(new Map(list.map((i) => [i.id, i])));
          setLoaded(true);
        },
        change: (event) => setInstances((current) => applyChange(current, event)),
        state: setState,
      }),
    [],
  );
  return { instances, state, loaded, setInstances };
}

function StreamStatus({ state }: { state: StreamState }) {
  const text =
    state.kind === "live"
      ? "Live: changes appear as they happen."
      : state.kind === "connecting"
        ? "Connecting to the live feed…"
        : state.kind === "retrying"
          ? `Live feed interrupted (${state.reason}); reconnecting in ${Math.ceil(state.retryInMs / 1000)} s…`
          : state.reason;
  return (
    <p class={`stream-state stream-${state.kind}`} role="status" data-stream={state.kind}>
      {text}
    </p>
  );
}

/** Services: instances grouped by slug. */
export function ServicesScreen() {
  const { instances, state, loaded, setInstances } = useLiveInstances();
  const [slugFilter, setSlugFilter] = useState(ALL);
  const [statusFilter, setStatusFilter] = useState(ALL);
  const [regionFilter, setRegionFilter] = useState(ALL);
  const [removing, setRemoving] = useState<Instance | undefined>(undefined);
  const [error, setError] = useState("");
  const mayRemove = can("registry-svc:instance:delete");

  const slugs = useMemo(() => [...new Set([...instances.values()].map((i) => i.slug))].sort(), [instances]);
  const regions = useMemo(() => [...new Set([...instances.values()].flatMap((i) => (i.region ? [i.region] : [])))].sort(), [instances]);
  const groups = useMemo(() => {
    const shown = [...instances.values()].filter(
      (i) => (slugFilter === ALL || i.slug === slugFilter) && (statusFilter === ALL || i.status === statusFilter) && (regionFilter === ALL || i.region === regionFilter),
    );
    const bySlug = new Map<string, Instance[]>();
    for (const i of shown.sort((a, b) => a.url.localeCompare(b.url))) bySlug.set(i.slug, [...(bySlug.get(i.slug) ?? []), i]);
    return [...bySlug.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [instances, slugFilter, statusFilter, regionFilter]);

  const remove = async (instance: Instance) => {
    setRemoving(undefined);
    try {
      await api("DELETE", `/registry-svc/instance/${encodeURIComponent(instance.id)}`);
      // the stream's `removed` event follows; drop it now so the screen answers the click at once
      setInstances((current) => applyChange(current, { type: "removed", instance }));
      toast(`Removed ${instance.url}`);
    } catch (err) {
      setError(`Could not remove ${instance.url}: ${describeError(err)}`);
    }
  };

  const columns: Column<Instance>[] = [
    { header: "URL", class: "mono", render: (i) => i.url },
    { header: "Status", render: (i) => <StatusBadge status={i.status} /> },
    { header: "Last heartbeat", render: (i) => <Age since={i.lastHeartbeat} /> },
    { header: "Region", render: (i) => i.region ?? <span class="muted">—</span> },
    { header: "Deployment", render: (i) => i.deploymentId ?? <span class="muted">—</span> },
    { header: "ID", class: "mono", render: (i) => i.id },
  ];
  if (mayRemove)
    columns.push({
      header: "Actions",
      render: (i) => (
        <button type="button" class="small" onClick={() => setRemoving(i)} aria-label={`Remove ${i.url}`}>
          Remove
        </button>
      ),
    });

  return (
    <Layout title="Services">
      <StreamStatus state={state} />
      {error && <Alert kind="error">{error}</Alert>}
      <div class="filters" role="search" aria-label="Filter instances">
        <SelectField label="Slug" value={slugFilter} onValue={setSlugFilter} options={[[ALL, "All slugs"], ...slugs.map((s) => [s, s] as const)]} />
        <SelectField label="Status" value={statusFilter} onValue={setStatusFilter} options={[[ALL, "All statuses"], ...STATUSES.map((s) => [s, s] as const)]} />
        <SelectField label="Region" value={regionFilter} onValue={setRegionFilter} options={[[ALL, "All regions"], ...regions.map((r) => [r, r] as const)]} />
      </div>
      {loaded && groups.length === 0 && (
        <p class="muted">{instances.size === 0 ? "No instances are registered yet." : "No instance matches these filters."}</p>
      )}
      {groups.map(([slug, list]) => (
        <section key={slug} aria-labelledby={`slug-${slug}`} data-slug={slug}>
          <div class="section-head">
            <h2 id={`slug-${slug}`}>{slug}</h2>
            <span class="muted">
              {list.filter((i) => i.status === "Healthy").length} of {list.length} healthy
            </span>
          </div>
          <Table caption={`Instances of ${slug}`} hideCaption columns={columns} rows={list} rowKey={(i) => i.id} rowProps={(i) => ({ "data-instance-id": i.id, "data-status": i.status })} />
        </section>
      ))}
      <Confirm open={removing !== undefined} title="Remove this instance?" confirmLabel="Remove instance" onConfirm={() => removing && void remove(removing)} onCancel={() => setRemoving(undefined)}>
        <p>
          <span class="mono">{removing?.url}</span> of <strong>{removing?.slug}</strong> stops receiving traffic. A running service registers
          itself again at its next heartbeat.
        </p>
      </Confirm>
    </Layout>
  );
}
