/**
 * @module Access › Organizations: the organizations of this app (admins see all, others their own),
 * create one (the creator becomes its admin; `activate: false`, so the console's own token stays as it
 * is), and an organization's memberships: add a user (accepted at once, as 1Backend), remove a member
 * after a confirm.
 */
import type { Static } from "@sinclair/typebox";
import { useState } from "preact/hooks";
import type { Membership, Organization, User, UserRecord } from "../../../../src/contracts/user/models";
import type { SaveOrganizationBody } from "../../../../src/contracts/user/requests";
import { api } from "../../api";
import { useApi } from "../../use-api";
import { ActionError, listOf, useAction, When } from "../../ui/action";
import { ErrorPanel, toast } from "../../ui/alert";
import { ConfirmButton } from "../../ui/confirm-button";
import { Field, SelectField } from "../../ui/field";
import { Layout } from "../../ui/layout";
import { Table } from "../../ui/table";

type Org = Static<typeof Organization>;
type Member = { membership: Static<typeof Membership>; organization: Org; user: Static<typeof User> };

/** Organizations. */
export function OrgsScreen() {
  const orgs = useApi<{ organizations: Org[] }>("POST", "/user-svc/organizations", { limit: 1000 });
  const [selected, setSelected] = useState<string>();
  const org = orgs.data?.organizations.find((o) => o.id === selected);
  return (
    <Layout title="Organizations">
      <CreateOrgForm
        onCreated={(id) => {
          setSelected(id);
          void orgs.reload();
        }}
      />
      {orgs.error !== undefined && <ErrorPanel error={orgs.error} />}
      {orgs.data && (
        <Table
          caption={`Organizations (${orgs.data.organizations.length})`}
          rows={orgs.data.organizations}
          rowKey={(o) => o.id}
          rowProps={(o) => ({ "data-org": o.slug })}
          empty="No organization yet."
          columns={[
            { header: "Slug", render: (o) => <strong>{o.slug}</strong> },
            { header: "Name", render: (o) => o.name },
            { header: "Created", render: (o) => <When at={o.createdAt} /> },
            {
              header: "Members",
              render: (o) => (
                <button type="button" class="small" aria-pressed={o.id === selected} aria-label={`Members of ${o.slug}`} onClick={() => setSelected(o.id)}>
                  Members
                </button>
              ),
            },
          ]}
        />
      )}
      {org && <Members org={org} key={org.id} />}
    </Layout>
  );
}

function CreateOrgForm({ onCreated }: { onCreated(id: string): void }) {
  const [form, setForm] = useState({ slug: "", name: "" });
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Static<typeof SaveOrganizationBody> = { slug: form.slug.trim(), name: form.name.trim() || form.slug.trim(), activate: false };
    let id = "";
    if (await action.run(async () => void (id = (await api<{ organization: Org }>("PUT", "/user-svc/organization", body)).organization.id))) {
      toast(`Organization ${body.slug} created.`);
      setForm({ slug: "", name: "" });
      onCreated(id);
    }
  };
  return (
    <section aria-labelledby="create-org">
      <h2 id="create-org">Create an organization</h2>
      <form class="filters" onSubmit={submit}>
        <Field label="Organization slug" required autoComplete="off" value={form.slug} onValue={(slug) => setForm({ ...form, slug })} />
        <Field label="Organization name" autoComplete="off" value={form.name} onValue={(name) => setForm({ ...form, name })} />
        <button type="submit" class="primary" disabled={action.busy}>
          Create organization
        </button>
      </form>
      <ActionError error={action.error} what="create organizations" />
    </section>
  );
}

function Members({ org }: { org: Org }) {
  const members = useApi<{ memberships: Member[] }>("POST", "/user-svc/memberships", { organizationId: org.id });
  const users = useApi<{ users: Static<typeof UserRecord>[] }>("POST", "/user-svc/users", { limit: 1000 }).data?.users ?? [];
  const [form, setForm] = useState({ userId: "", roles: "" });
  const action = useAction();
  const path = (userId: string) => `/user-svc/organization/${encodeURIComponent(org.id)}/user/${encodeURIComponent(userId)}`;
  const add = async (e: Event) => {
    e.preventDefault();
    if (await action.run(() => api("PUT", path(form.userId.trim()), { roles: listOf(form.roles) }))) {
      toast(`Added to ${org.slug}.`);
      setForm({ userId: "", roles: "" });
      await members.reload();
    }
  };
  const remove = async (m: Member) => {
    if (await action.run(() => api("DELETE", path(m.user.id)))) {
      toast(`${m.user.slug} removed from ${org.slug}.`);
      await members.reload();
    }
  };
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members of {org.slug}</h2>
      <form class="filters" onSubmit={add} aria-label={`Add a member to ${org.slug}`}>
        {users.length > 0 ? (
          <SelectField label="User to add" value={form.userId} options={[["", "Choose a user"], ...users.map((u) => [u.id, u.slug] as const)]} onValue={(userId) => setForm({ ...form, userId })} />
        ) : (
          <Field label="User id to add" required value={form.userId} onValue={(userId) => setForm({ ...form, userId })} />
        )}
        <Field label="Extra roles" autoComplete="off" value={form.roles} onValue={(roles) => setForm({ ...form, roles })} hint={`Comma-separated, under user-svc:org:{${org.id}}:`} />
        <button type="submit" class="primary" disabled={action.busy}>
          Add member
        </button>
      </form>
      {members.error !== undefined && <ErrorPanel error={members.error} />}
      <ActionError error={action.error} what="change this organization's members" />
      {members.data && (
        <Table
          caption={`Memberships of ${org.slug} (${members.data.memberships.length})`}
          rows={members.data.memberships}
          rowKey={(m) => m.membership.id}
          rowProps={(m) => ({ "data-member": m.user.slug })}
          empty="No members."
          columns={[
            { header: "User", render: (m) => <strong>{m.user.slug}</strong> },
            { header: "Status", render: (m) => m.membership.status },
            { header: "Roles", class: "mono", render: (m) => m.membership.roles?.join(", ") },
            {
              header: "Actions",
              render: (m) => (
                <ConfirmButton label="Remove" title={`Remove ${m.user.slug} from ${org.slug}`} confirmLabel="Remove member" disabled={action.busy} onConfirm={() => void remove(m)}>
                  {m.user.slug} leaves {org.slug} and loses its roles there.
                </ConfirmButton>
              ),
            },
          ]}
        />
      )}
    </section>
  );
}
