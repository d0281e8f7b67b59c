/**
 * @module Access › Roles and permits: which permission is granted to which slugs and roles in which app
 * (`*` = every app), filtered by permission or slug (by the server) and by role (here); grant a
 * permission (savePermits) and revoke a permit (deletePermits, after a confirm). The roles the permits
 * name are summed up above the table.
 */
import type { Static } from "@sinclair/typebox";
import { useState } from "preact/hooks";
import type { Permit } from "../../../../src/contracts/user/models";
import type { PermitInput } from "../../../../src/contracts/user/requests";
import { api } from "../../api";
import { useApi } from "../../use-api";
import { ActionError, listOf, useAction } from "../../ui/action";
import { ErrorPanel, toast } from "../../ui/alert";
import { ConfirmButton } from "../../ui/confirm-button";
import { Field } from "../../ui/field";
import { Layout } from "../../ui/layout";
import { Table } from "../../ui/table";

type PermitRow = Static<typeof Permit>;
const holders = (p: PermitRow) => [...(p.slugs ?? []), ...(p.roles ?? [])].join(", ") || "nobody";

/** Roles and permits. */
export function RolesScreen() {
  const [filter, setFilter] = useState({ permission: "", slug: "", role: "" });
  const [query, setQuery] = useState<{ permission?: string; slug?: string }>({});
  const permits = useApi<{ permits: PermitRow[] }>("POST", "/user-svc/permits", query);
  const action = useAction();
  const all = [...(permits.data?.permits ?? [])].sort((a, b) => a.permission.localeCompare(b.permission));
  const role = filter.role.trim();
  const shown = role ? all.filter((p) => (p.roles ?? []).includes(role)) : all;
  const roles = new Map<string, number>();
  for (const p of all) for (const r of p.roles ?? []) roles.set(r, (roles.get(r) ?? 0) + 1);
  const revoke = async (p: PermitRow) => {
    if (await action.run(() => api("DELETE", "/user-svc/permits", { ids: [p.id] }))) {
      toast(`${p.permission} revoked from ${holders(p)}.`);
      await permits.reload();
    }
  };
  const search = (e: Event) => {
    e.preventDefault();
    const permission = filter.permission.trim();
    const slug = filter.slug.trim();
    setQuery({ ...(permission ? { permission } : {}), ...(slug ? { slug } : {}) });
  };
  return (
    <Layout title="Roles and permits">
      <GrantForm onGranted={permits.reload} />
      <section aria-labelledby="permits-title">
        <h2 id="permits-title">Permits</h2>
        <form class="filters" role="search" aria-label="Filter permits" onSubmit={search}>
          <Field label="Only permission" type="search" value={filter.permission} onValue={(permission) => setFilter({ ...filter, permission })} placeholder="user-svc:user:view" />
          <Field label="Only slug" type="search" value={filter.slug} onValue={(slug) => setFilter({ ...filter, slug })} />
          <Field label="Only role" type="search" value={filter.role} onValue={(r) => setFilter({ ...filter, role: r })} placeholder="user-svc:admin" hint="Filters as you type." />
          <button type="submit">Filter</button>
        </form>
        {permits.error !== undefined && <ErrorPanel error={permits.error} />}
        <ActionError error={action.error} what="revoke this permit" />
        {permits.data && (
          <>
            <details class="roles-summary">
              <summary>Roles named by these permits ({roles.size})</summary>
              <ul>
                {[...roles]
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([name, count]) => (
                    <li key={name}>
                      <button type="button" class="link" onClick={() => setFilter({ ...filter, role: name })}>
                        {name}
                      </button>
                      : {count} permission{count === 1 ? "" : "s"}
                    </li>
                  ))}
              </ul>
            </details>
            <Table
              caption={`Permits (${shown.length})`}
              rows={shown}
              rowKey={(p) => p.id}
              rowProps={(p) => ({ "data-permit": p.permission })}
              empty="No permit matches."
              columns={[
                { header: "Permission", class: "mono", render: (p) => p.permission },
                { header: "App", render: (p) => (p.appId === "*" ? "every app" : <span class="mono">{p.appId}</span>) },
                { header: "Slugs", render: (p) => p.slugs?.join(", ") },
                { header: "Roles", class: "mono", render: (p) => p.roles?.join(", ") },
                {
                  header: "Actions",
                  render: (p) => (
                    <ConfirmButton label="Revoke" title={`Revoke ${p.permission} from ${holders(p)}`} confirmLabel="Revoke permit" disabled={action.busy} onConfirm={() => void revoke(p)}>
                      {holders(p)} lose {p.permission} at once. A module's default permits come back at the next start.
                    </ConfirmButton>
                  ),
                },
              ]}
            />
          </>
        )}
      </section>
    </Layout>
  );
}

function GrantForm({ onGranted }: { onGranted(): void }) {
  const [form, setForm] = useState({ permission: "", slugs: "", roles: "", appHost: "" });
  const action = useAction();
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const grant: Static<typeof PermitInput> = {
      permission: form.permission.trim(),
      slugs: listOf(form.slugs),
      roles: listOf(form.roles),
      ...(form.appHost.trim() ? { appHost: form.appHost.trim() } : {}),
    };
    if (await action.run(() => api("PUT", "/user-svc/permits", { permits: [grant] }))) {
      toast(`Granted ${grant.permission} to ${[...grant.slugs!, ...grant.roles!].join(", ") || "nobody"}.`);
      setForm({ ...form, permission: "", slugs: "", roles: "" });
      onGranted();
    }
  };
  return (
    <section aria-labelledby="grant-title">
      <h2 id="grant-title">Grant a permission</h2>
      <form class="filters" onSubmit={submit}>
        <Field label="Permission" name="permission" required autoComplete="off" value={form.permission} onValue={set("permission")} placeholder="skeleton-svc:pet:read" />
        <Field label="To slugs" name="slugs" autoComplete="off" value={form.slugs} onValue={set("slugs")} hint="Comma-separated." />
        <Field label="To roles" name="roles" autoComplete="off" value={form.roles} onValue={set("roles")} hint="Comma-separated." />
        <Field label="App host" name="appHost" autoComplete="off" value={form.appHost} onValue={set("appHost")} hint="Empty: this app; * for every app." />
        <button type="submit" class="primary" disabled={action.busy}>
          Grant
        </button>
      </form>
      <ActionError error={action.error} what="grant this permission" />
    </section>
  );
}
