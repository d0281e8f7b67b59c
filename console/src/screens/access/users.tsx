/**
 * @module Access › Users: every user (newest 100) with its roles (its enrolls), create a user (slug,
 * name, contact, password), reset a password, revoke all of a user's sessions (its tokens are refused
 * at once, everywhere), delete a user. Destructive actions confirm first; a refused change shows the
 * server's `{error, code}` message beside its form.
 */
import type { Static } from "@sinclair/typebox";
import { useState } from "preact/hooks";
import type { Enroll, UserRecord } from "../../../../src/contracts/user/models";
import type { CreateUserBody } from "../../../../src/contracts/user/requests";
import { api } from "../../api";
import { useApi } from "../../use-api";
import { can } from "../../session";
import { ActionError, useAction, When } from "../../ui/action";
import { ErrorPanel, toast } from "../../ui/alert";
import { ConfirmButton } from "../../ui/confirm-button";
import { Field } from "../../ui/field";
import { Layout } from "../../ui/layout";
import { Table } from "../../ui/table";

type User = Static<typeof UserRecord>;

/** Users. */
export function UsersScreen() {
  const users = useApi<{ users: User[]; count?: number }>("POST", "/user-svc/users", { limit: 100, count: true });
  const action = useAction();
  const act = async (done: string, change: () => Promise<unknown>) => {
    if (await action.run(change)) {
      toast(done);
      await users.reload();
    }
  };
  const rows = users.data?.users ?? [];
  return (
    <Layout title="Users">
      {can("user-svc:user:create") && <CreateUserForm onCreated={users.reload} />}
      {users.error !== undefined && <ErrorPanel error={users.error} />}
      <ActionError error={action.error} what="change this user" />
      {users.data && (
        <Table
          caption={`Users (${users.data.count ?? rows.length})`}
          rows={rows}
          rowKey={(u) => u.id}
          rowProps={(u) => ({ "data-user": u.slug })}
          columns={[
            { header: "Slug", render: (u) => <strong>{u.slug}</strong> },
            { header: "Name", render: (u) => u.name },
            { header: "Contact", render: (u) => u.contactIds?.join(", ") },
            { header: "Roles", render: (u) => <Roles userId={u.id} /> },
            { header: "Created", render: (u) => <When at={u.createdAt} /> },
            {
              header: "Actions",
              render: (u) => (
                <div class="row-actions">
                  {can("user-svc:user:password-reset") && <ResetPassword user={u} />}
                  {can("user-svc:token:revoke") && (
                    <ConfirmButton
                      label="Revoke sessions"
                      title={`Revoke sessions of ${u.slug}`}
                      confirmLabel="Revoke sessions"
                      disabled={action.busy}
                      onConfirm={() => void act(`Every session of ${u.slug} was revoked.`, () => api("DELETE", "/user-svc/tokens", { userId: u.id }))}
                    >
                      Every token of {u.slug} is refused at once, on every node and by the proxy; it has to sign in again.
                    </ConfirmButton>
                  )}
                  {can("user-svc:user:delete") && (
                    <ConfirmButton
                      label="Delete"
                      title={`Delete user ${u.slug}`}
                      confirmLabel="Delete user"
                      disabled={action.busy}
                      onConfirm={() => void act(`User ${u.slug} deleted.`, () => api("DELETE", `/user-svc/user/${encodeURIComponent(u.id)}`))}
                    >
                      The user, its contacts and its sessions are deleted. This cannot be undone.
                    </ConfirmButton>
                  )}
                </div>
              ),
            },
          ]}
        />
      )}
    </Layout>
  );
}

/** A user's roles, from its enrolls (listUsers does not carry them). */
function Roles({ userId }: { userId: string }) {
  const enrolls = useApi<{ enrolls: Static<typeof Enroll>[] }>("POST", "/user-svc/enrolls", { userId });
  if (enrolls.error) return <span class="muted">not visible</span>;
  return <span class="mono">{[...new Set((enrolls.data?.enrolls ?? []).map((e) => e.role))].sort().join(", ")}</span>;
}

function CreateUserForm({ onCreated }: { onCreated(): void }) {
  const empty = { slug: "", name: "", contact: "", password: "" };
  const [form, setForm] = useState(empty);
  const action = useAction();
  const set = (key: keyof typeof empty) => (value: string) => setForm({ ...form, [key]: value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Static<typeof CreateUserBody> = {
      user: { slug: form.slug.trim(), ...(form.name.trim() ? { name: form.name.trim() } : {}) },
      ...(form.contact.trim() ? { contacts: [{ id: form.contact.trim(), platform: "email" }] } : {}),
      ...(form.password ? { password: form.password } : {}),
    };
    if (await action.run(() => api("POST", "/user-svc/user", body))) {
      toast(`User ${body.user.slug} created.`);
      setForm(empty);
      onCreated();
    }
  };
  return (
    <section aria-labelledby="create-user">
      <h2 id="create-user">Create a user</h2>
      <form class="filters" onSubmit={submit}>
        <Field label="Slug" name="slug" required autoComplete="off" value={form.slug} onValue={set("slug")} hint="Lowercase letters, digits, single hyphens." />
        <Field label="Name" name="name" autoComplete="off" value={form.name} onValue={set("name")} />
        <Field label="Contact (e-mail)" name="contact" type="email" autoComplete="off" value={form.contact} onValue={set("contact")} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" value={form.password} onValue={set("password")} hint="8 characters or more." />
        <button type="submit" class="primary" disabled={action.busy}>
          Create user
        </button>
      </form>
      <ActionError error={action.error} what="create users" />
    </section>
  );
}

/** "Reset password" opens a small form in the row: the new password, then Save. */
function ResetPassword({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const action = useAction();
  if (!open) {
    return (
      <button type="button" class="small" aria-label={`Reset password of ${user.slug}`} onClick={() => setOpen(true)}>
        Reset password
      </button>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await action.run(() => api("POST", `/user-svc/${encodeURIComponent(user.id)}/reset-password`, { newPassword: password }))) {
      toast(`Password of ${user.slug} reset.`);
      setOpen(false);
      setPassword("");
    }
  };
  return (
    <form class="row-form" onSubmit={submit}>
      <Field label={`New password for ${user.slug}`} type="password" required autoFocus autoComplete="new-password" value={password} onValue={setPassword} />
      <button type="submit" class="small primary" disabled={action.busy}>
        Save password
      </button>
      <button type="button" class="small" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ActionError error={action.error} what="reset passwords" />
    </form>
  );
}
