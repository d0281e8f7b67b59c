/**
 * @module Edge screen: the Proxy Svc's routes (host[/path] → URL or `slug:<service>`), redirects and TLS
 * certificates. Routes and redirects are created and deleted here (deletes confirm); certificates are
 * listed with their expiry as a date and the days left, flagged under 14 days (ACME renews at a third of
 * the lifetime left, so a certificate that close to its end means renewal is failing). Each part loads
 * on its own, so a user allowed routes but not certificates sees a plain refusal for that part only.
 */
import type { Static } from "@sinclair/typebox";
import { useState } from "preact/hooks";
import type { Cert, Redirect, Route } from "../../../src/contracts/proxy/edge";
import { api } from "../api";
import { useApi } from "../use-api";
import { can } from "../session";
import { ActionError, useAction } from "../ui/action";
import { ErrorPanel, toast } from "../ui/alert";
import { ConfirmButton } from "../ui/confirm-button";
import { Field, SelectField } from "../ui/field";
import { Layout } from "../ui/layout";
import { Table } from "../ui/table";

type RouteRow = Static<typeof Route>;
type RedirectRow = Static<typeof Redirect>;
type CertRow = Static<typeof Cert>;

const DAY_MS = 86_400_000;
/** Under this many days left, a certificate is flagged. */
const EXPIRY_WARNING_DAYS = 14;

/** Saving and deleting routes and redirects (admins hold it); without it the lists are read-only. */
const canEdit = () => can("proxy-svc:route:edit");

/** Whole days from now until `notAfter` (negative once expired). */
const daysLeft = (notAfter: string) => Math.floor((Date.parse(notAfter) - Date.now()) / DAY_MS);

/** Edge. */
export function EdgeScreen() {
  return (
    <Layout title="Edge">
      <p class="muted">Requests reaching the edge listeners (OB_EDGE_PROXY=true) by host and path: redirects are matched first, then routes; the longest prefix wins.</p>
      <Routes />
      <Redirects />
      <Certs />
    </Layout>
  );
}

function Routes() {
  const routes = useApi<{ routes?: RouteRow[] }>("POST", "/proxy-svc/routes", {});
  const action = useAction();
  const [form, setForm] = useState({ id: "", target: "" });
  const save = async (e: Event) => {
    e.preventDefault();
    const route = { id: form.id.trim(), target: form.target.trim() };
    if (await action.run(() => api("PUT", "/proxy-svc/routes", { routes: [route] }))) {
      toast(`Route ${route.id} saved.`);
      setForm({ id: "", target: "" });
      await routes.reload();
    }
  };
  const remove = async (r: RouteRow) => {
    if (await action.run(() => api("DELETE", "/proxy-svc/routes", { ids: [r.id] }))) {
      toast(`Route ${r.id} deleted.`);
      await routes.reload();
    }
  };
  return (
    <section aria-labelledby="routes-title">
      <h2 id="routes-title">Routes</h2>
      {canEdit() && (
        <form class="filters" onSubmit={save} aria-label="Save a route">
          <Field label="Route host and path" required autoComplete="off" value={form.id} onValue={(id) => setForm({ ...form, id })} placeholder="app.example.com/api" />
          <Field label="Route target" required autoComplete="off" value={form.target} onValue={(target) => setForm({ ...form, target })} hint="http(s) URL, or slug:<service>" />
          <button type="submit" class="primary" disabled={action.busy}>
            Save route
          </button>
        </form>
      )}
      <ActionError error={action.error} what="change edge routes" />
      {routes.error !== undefined && <ErrorPanel error={routes.error} />}
      {routes.data && (
        <Table
          caption={`Routes (${routes.data.routes?.length ?? 0})`}
          rows={routes.data.routes ?? []}
          rowKey={(r) => r.id}
          rowProps={(r) => ({ "data-route": r.id })}
          empty="No routes."
          columns={[
            { header: "Host and path", class: "mono", render: (r) => r.id },
            { header: "Target", class: "mono", render: (r) => r.target },
            ...(!canEdit()
              ? []
              : [
                  {
                    header: "Actions",
                    render: (r: RouteRow) => (
                      <ConfirmButton label="Delete" title={`Delete route ${r.id}`} confirmLabel="Delete route" disabled={action.busy} onConfirm={() => void remove(r)}>
                        Requests for {r.id} stop reaching {r.target} at once, on every node.
                      </ConfirmButton>
                    ),
                  },
                ]),
          ]}
        />
      )}
    </section>
  );
}

const STATUSES = [
  ["308", "308 Permanent"],
  ["301", "301 Moved"],
  ["302", "302 Found"],
  ["303", "303 See other"],
  ["307", "307 Temporary"],
] as const;

function Redirects() {
  const redirects = useApi<{ redirects?: RedirectRow[] }>("POST", "/proxy-svc/redirects", {});
  const action = useAction();
  const [form, setForm] = useState({ id: "", target: "", statusCode: "308" });
  const save = async (e: Event) => {
    e.preventDefault();
    const redirect = { id: form.id.trim(), target: form.target.trim(), statusCode: Number(form.statusCode) };
    if (await action.run(() => api("PUT", "/proxy-svc/redirects", { redirects: [redirect] }))) {
      toast(`Redirect ${redirect.id} saved.`);
      setForm({ ...form, id: "", target: "" });
      await redirects.reload();
    }
  };
  const remove = async (r: RedirectRow) => {
    if (await action.run(() => api("DELETE", "/proxy-svc/redirects", { ids: [r.id] }))) {
      toast(`Redirect ${r.id} deleted.`);
      await redirects.reload();
    }
  };
  return (
    <section aria-labelledby="redirects-title">
      <h2 id="redirects-title">Redirects</h2>
      {canEdit() && (
        <form class="filters" onSubmit={save} aria-label="Save a redirect">
          <Field label="Redirect from host and path" required autoComplete="off" value={form.id} onValue={(id) => setForm({ ...form, id })} placeholder="old.example.com" />
          <Field label="Redirect to URL" required type="url" autoComplete="off" value={form.target} onValue={(target) => setForm({ ...form, target })} placeholder="https://example.com" />
          <SelectField label="Status" value={form.statusCode} options={STATUSES} onValue={(statusCode) => setForm({ ...form, statusCode })} />
          <button type="submit" class="primary" disabled={action.busy}>
            Save redirect
          </button>
        </form>
      )}
      <ActionError error={action.error} what="change redirects" />
      {redirects.error !== undefined && <ErrorPanel error={redirects.error} />}
      {redirects.data && (
        <Table
          caption={`Redirects (${redirects.data.redirects?.length ?? 0})`}
          rows={redirects.data.redirects ?? []}
          rowKey={(r) => r.id}
          rowProps={(r) => ({ "data-redirect": r.id })}
          empty="No redirects."
          columns={[
            { header: "From", class: "mono", render: (r) => r.id },
            { header: "To", class: "mono", render: (r) => r.target },
            { header: "Status", class: "num", render: (r) => r.statusCode ?? 308 },
            ...(!canEdit()
              ? []
              : [
                  {
                    header: "Actions",
                    render: (r: RedirectRow) => (
                      <ConfirmButton label="Delete" title={`Delete redirect ${r.id}`} confirmLabel="Delete redirect" disabled={action.busy} onConfirm={() => void remove(r)}>
                        Requests for {r.id} are no longer redirected to {r.target}.
                      </ConfirmButton>
                    ),
                  },
                ]),
          ]}
        />
      )}
    </section>
  );
}

function Certs() {
  const certs = useApi<{ certs?: CertRow[] }>("POST", "/proxy-svc/certs", {});
  return (
    <section aria-labelledby="certs-title">
      <h2 id="certs-title">Certificates</h2>
      {certs.error !== undefined && <ErrorPanel error={certs.error} />}
      {certs.data && (
        <Table
          caption={`Certificates (${certs.data.certs?.length ?? 0})`}
          rows={certs.data.certs ?? []}
          rowKey={(c) => c.id}
          rowProps={(c) => ({ "data-cert": c.id, ...(c.notAfter && daysLeft(c.notAfter) < EXPIRY_WARNING_DAYS ? { class: "expiring" } : {}) })}
          empty="No certificates: ACME issues them for routed hosts once the edge runs with TLS, or save one through the API."
          columns={[
            { header: "Host", class: "mono", render: (c) => c.id },
            { header: "Names", render: (c) => c.dnsNames?.join(", ") ?? c.commonName },
            { header: "Issuer", render: (c) => c.issuer },
            { header: "Expires", render: (c) => (c.notAfter ? <time dateTime={c.notAfter}>{c.notAfter.slice(0, 10)}</time> : "—") },
            { header: "Days left", class: "num", render: (c) => <DaysLeft notAfter={c.notAfter} /> },
          ]}
        />
      )}
    </section>
  );
}

/** Days left as a number; under 14 days also a badge in words (never colour alone). */
function DaysLeft({ notAfter }: { notAfter?: string }) {
  if (!notAfter) return <>—</>;
  const left = daysLeft(notAfter);
  if (left >= EXPIRY_WARNING_DAYS) return <>{left}</>;
  return <span class={`badge ${left < 0 ? "badge-bad" : "badge-warn"}`}>{left < 0 ? `expired ${-left} d ago` : `${left} — renew soon`}</span>;
}
