/**
 * @module Access › Enrolls: who holds a role. The server lists enrolls only by a filter (a role, a user
 * or a contact), so the screen asks for one, starting with the admin role. Enroll a user (picked by
 * slug) or a contact (pending until that contact registers and is verified) in a role; delete an enroll
 * after a confirm.
 */
import type { Static } from "@sinclair/typebox";
import { useState } from "preact/hooks";
import type { Enroll, UserRecord } from "../../../../src/contracts/user/models";
import type { EnrollInput } from "../../../../src/contracts/user/requests";
import { api } from "../../api";
import { useApi } from "../../use-api";
import { ActionError, useAction } from "../../ui/action";
import { ErrorPanel, toast } from "../../ui/alert";
import { ConfirmButton } from "../../ui/confirm-button";
import { Field, SelectField } from "../../ui/field";
import { Layout } from "../../ui/layout";
import { Table } from "../../ui/table";

type EnrollRow = Static<typeof Enroll>;
type User = Static<typeof UserRecord>;
type By = "role" | "userId" | "contactId";

const BY: readonly (readonly [By, string])[] = [
  ["role", "Role"],
  ["userId", "User"],
  ["contactId", "Contact"],
];

/** The users an admin can pick from (none for others: listUsers needs user-svc:user:view). */
function useUsers(): User[] {
  return useApi<{ users: User[] }>("POST", "/user-svc/users", { limit: 1000 }).data?.users ?? [];
}

const userOptions = (users: User[]) => [["", "Choose a user"] as const, ...users.map((u) => [u.id, u.slug] as const)];

/** Enrolls. */
export function EnrollsScreen() {
  const users = useUsers();
  const [draft, setDraft] = useState<{ by: By; value: string }>({ by: "role", value: "user-svc:admin" });
  const [filter, setFilter] = useState(draft);
  const enrolls = useApi<{ enrolls: EnrollRow[] }>("POST", "/user-svc/enrolls", { [filter.by]: filter.value });
  const action = useAction();
  const slugOf = (id?: string) => (id ? (users.find((u) => u.id === id)?.slug ?? id) : "");
  const remove = async (e: EnrollRow) => {
    if (await action.run(() => api("DELETE", "/user-svc/enrolls", { ids: [e.id] }))) {
      toast(`${e.role} taken from ${slugOf(e.userId) || e.contactId}.`);
      await enrolls.reload();
    }
  };
  const byLabel = BY.find(([b]) => b === filter.by)![1].toLowerCase();
  return (
    <Layout title="Enrolls">
      <EnrollForm users={users} onSaved={enrolls.reload} />
      <section aria-labelledby="find-title">
        <h2 id="find-title">Who holds what</h2>
        <form
          class="filters"
          role="search"
          aria-label="Find enrolls"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter({ ...draft, value: draft.value.trim() });
          }}
        >
          <SelectField label="Find by" value={draft.by} options={BY} onValue={(by) => setDraft({ by: by as By, value: "" })} />
          {draft.by === "userId" && users.length > 0 ? (
            <SelectField label="Which user" value={draft.value} options={userOptions(users)} onValue={(value) => setDraft({ ...draft, value })} />
          ) : (
            <Field
              label={draft.by === "role" ? "Which role" : draft.by === "userId" ? "Which user id" : "Which contact"}
              required
              value={draft.value}
              onValue={(value) => setDraft({ ...draft, value })}
            />
          )}
          <button type="submit">Find</button>
        </form>
        {enrolls.error !== undefined && <ErrorPanel error={enrolls.error} />}
        <ActionError error={action.error} what="delete this enroll" />
        {enrolls.data && (
          <Table
            caption={`Enrolls of ${byLabel} ${filter.by === "userId" ? slugOf(filter.value) : filter.value} (${enrolls.data.enrolls.length})`}
            rows={enrolls.data.enrolls}
            rowKey={(e) => e.id}
            rowProps={(e) => ({ "data-enroll": `${e.role} ${slugOf(e.userId) || e.contactId}` })}
            empty="Nobody holds it."
            columns={[
              { header: "Role", class: "mono", render: (e) => e.role },
              { header: "User", render: (e) => slugOf(e.userId) },
              { header: "Contact", render: (e) => (e.contactId ? `${e.contactId}${e.userId ? "" : " (pending)"}` : "") },
              { header: "App", render: (e) => (e.appId === "*" ? "every app" : <span class="mono">{e.appId}</span>) },
              {
                header: "Actions",
                render: (e) => (
                  <ConfirmButton
                    label="Delete"
                    title={`Delete enroll of ${slugOf(e.userId) || e.contactId} in ${e.role}`}
                    confirmLabel="Delete enroll"
                    disabled={action.busy}
                    onConfirm={() => void remove(e)}
                  >
                    The role and the permissions it carries are taken away; the user's sessions are renewed without it.
                  </ConfirmButton>
                ),
              },
            ]}
          />
        )}
      </section>
    </Layout>
  );
}

function EnrollForm({ users, onSaved }: { users: User[]; onSaved(): void }) {
  const [form, setForm] = useState({ role: "", who: "userId" as "userId" | "contactId", userId: "", contactId: "" });
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const enroll: Static<typeof EnrollInput> = { role: form.role.trim(), ...(form.who === "userId" ? { userId: form.userId.trim() } : { contactId: form.contactId.trim() }) };
    if (await action.run(() => api("PUT", "/user-svc/enrolls", { enrolls: [enroll] }))) {
      toast(`Enrolled ${form.who === "userId" ? (users.find((u) => u.id === form.userId)?.slug ?? form.userId) : enroll.contactId} in ${enroll.role}.`);
      setForm({ ...form, role: "" });
      onSaved();
    }
  };
  return (
    <section aria-labelledby="enroll-title">
      <h2 id="enroll-title">Enroll in a role</h2>
      <form class="filters" onSubmit={submit}>
        <Field label="Role" name="role" required autoComplete="off" value={form.role} onValue={(role) => setForm({ ...form, role })} placeholder="skeleton-svc:editor" />
        <SelectField
          label="Who"
          value={form.who}
          options={[
            ["userId", "A user"],
            ["contactId", "A contact (pending until verified)"],
          ]}
          onValue={(who) => setForm({ ...form, who: who as "userId" | "contactId" })}
        />
        {form.who === "contactId" ? (
          <Field label="Contact" type="email" required autoComplete="off" value={form.contactId} onValue={(contactId) => setForm({ ...form, contactId })} />
        ) : users.length > 0 ? (
          <SelectField label="User" value={form.userId} options={userOptions(users)} onValue={(userId) => setForm({ ...form, userId })} />
        ) : (
          <Field label="User id" required autoComplete="off" value={form.userId} onValue={(userId) => setForm({ ...form, userId })} />
        )}
        <button type="submit" class="primary" disabled={action.busy}>
          Enroll
        </button>
      </form>
      <ActionError error={action.error} what="give this role" />
    </section>
  );
}
