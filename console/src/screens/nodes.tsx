/**
 * @module The Nodes screen: every server of the cluster, alive or not (POST /registry-svc/nodes), with
 * its URL, region, zone, last heartbeat and resource use. Alive is the server's own judgement (`alive`:
 * a heartbeat within 3 of its health intervals), so the console never guesses the cluster's timing.
 * Nodes change slowly: the list is reloaded every 5 s rather than streamed.
 */
import { useApi } from "../use-api";
import { ErrorPanel } from "../ui/alert";
import { StatusBadge } from "../ui/badge";
import { Layout } from "../ui/layout";
import { Age } from "../ui/age";
import { Table, type Column } from "../ui/table";
import type { ListNodesResponse, Node } from "../../../src/contracts/registry/nodes";

const RELOAD_MS = 5000;

const percent = (value: number) => `${Math.round(value)} %`;

/** Nodes. */
export function NodesScreen() {
  const nodes = useApi<ListNodesResponse>("POST", "/registry-svc/nodes", {}, RELOAD_MS);
  const self = useApi<{ node: Node }>("GET", "/registry-svc/node/self");
  const selfId = self.data?.node.id;
  const columns: Column<Node>[] = [
    { header: "ID", class: "mono", render: (n) => (n.id === selfId ? <>{n.id} <span class="badge badge-neutral">this node</span></> : n.id) },
    { header: "URL", class: "mono", render: (n) => n.url },
    { header: "Status", render: (n) => <StatusBadge status={n.alive === false ? "Down" : n.alive ? "Alive" : "Unknown"} /> },
    { header: "Region", render: (n) => n.region || <span class="muted">—</span> },
    { header: "Zone", render: (n) => n.availabilityZone || <span class="muted">—</span> },
    { header: "Last heartbeat", render: (n) => <Age since={n.lastHeartbeat} /> },
    { header: "CPU", class: "num", render: (n) => percent(n.usage.cpu.percent) },
    { header: "Memory", class: "num", render: (n) => percent(n.usage.memory.percent) },
    { header: "Disk", class: "num", render: (n) => percent(n.usage.disk.percent) },
  ];
  const list = [...(nodes.data?.nodes ?? [])].sort((a, b) => a.id.localeCompare(b.id));
  return (
    <Layout title="Nodes">
      {nodes.error !== undefined && <ErrorPanel error={nodes.error} />}
      {nodes.data && (
        <>
          <p class="muted">
            {list.filter((n) => n.alive !== false).length} of {list.length} nodes alive. Refreshed every {RELOAD_MS / 1000} s.
          </p>
          <Table caption="Nodes of the cluster" hideCaption columns={columns} rows={list} rowKey={(n) => n.id} rowProps={(n) => ({ "data-node-id": n.id })} empty="No nodes." />
        </>
      )}
    </Layout>
  );
}
