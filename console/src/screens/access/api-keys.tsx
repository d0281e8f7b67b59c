/**
 * @module Access › API keys: the key metadata of the signed-in user (admins: of any user), create a key
 * (shown once, with a copy button and a warning: the server keeps only its hash), revoke a key after a
 * confirm (tokens exchanged from it are refused at once).
 */
import type { Static } from "@sinclair/typebox";
import { useId, useState } from "preact/hooks";
import type { ApiKeyView, CreatedApiKey, UserRecord } from "../../../../src/contracts/user/models";
import type { CreateApiKeyBody } from "../../../../src/contracts/user/requests";
import { api } from "../../api";
import { useApi } from "../../use-api";
import { session } from "../../session";
import { ActionError, useAction, When } from "../../ui/action";
import { Alert, ErrorPanel, toast } from "../../ui/alert";
import { ConfirmButton } from "../../ui/confirm-button";
import { Field, SelectField } from "../../ui/field";
import { Layout } from "../../ui/layout";
import { Table } from "../../ui/table";

type Key = Static<typeof ApiKeyView>;
type Created = Static<typeof CreatedApiKey>;

/** API keys. */
export function ApiKeysScreen() {
  // "" = the signed-in user; only admins can list other users (listUsers), and name them here.
  const [userId, setUserId] = useState("");
  const users = useApi<{ users: Static<typeof UserRecord>[] }>("POST", "/user-svc/users", { limit: 1000 }).data?.users ?? [];
  const keys = useApi<{ apiKeys: Key[] }>("POST", "/user-svc/api-keys", { includeRevoked: true, ...(userId ? { userId } : {}) });
  const [created, setCreated] = useState<Created>();
  const action = useAction();
  const revoke = async (k: Key) => {
    if (await action.run(() => api("DELETE", "/user-svc/api-keys", { id: k.id }))) {
      toast(`API key ${k.name || k.id} revoked.`);
      await keys.reload();
    }
  };
  const me = session();
  const others = users.filter((u) => u.id !== me?.userId);
  return (
    <Layout title="API keys">
      {others.length > 0 && (
        <div class="filters">
          <SelectField
            label="Keys of"
            value={userId}
            options={[["", `${me?.slug ?? "me"} (me)`], ...others.map((u) => [u.id, u.slug] as const)]}
            onValue={(id) => {
              setCreated(undefined);
              setUserId(id);
            }}
          />
        </div>
      )}
      <CreateKeyForm
        userId={userId}
        onCreated={(c) => {
          setCreated(c);
          void keys.reload();
        }}
      />
      {created && <ShownOnce created={created} onDone={() => setCreated(undefined)} />}
      {keys.error !== undefined && <ErrorPanel error={keys.error} />}
      <ActionError error={action.error} what="revoke this key" />
      {keys.data && (
        <Table
          caption={`API keys (${keys.data.apiKeys.length})`}
          rows={keys.data.apiKeys}
          rowKey={(k) => k.id}
          rowProps={(k) => ({ "data-key": k.name || k.id })}
          empty="No API keys."
          columns={[
            { header: "Name", render: (k) => <strong>{k.name || k.id}</strong> },
            { header: "Starts with", class: "mono", render: (k) => (k.prefix ? `${k.prefix}…` : "—") },
            { header: "Created", render: (k) => <When at={k.createdAt} /> },
            { header: "Expires", render: (k) => (k.expiresAt ? <When at={k.expiresAt} /> : "never") },
            { header: "Last used", render: (k) => <When at={k.lastUsedAt} /> },
            { header: "State", render: (k) => (k.revokedAt ? <span class="badge badge-bad">revoked</span> : <span class="badge badge-ok">active</span>) },
            {
              header: "Actions",
              render: (k) =>
                !k.revokedAt && (
                  <ConfirmButton label="Revoke" title={`Revoke API key ${k.name || k.id}`} confirmLabel="Revoke key" disabled={action.busy} onConfirm={() => void revoke(k)}>
                    Programs using this key, and the tokens exchanged from it, stop working at once.
                  </ConfirmButton>
                ),
            },
          ]}
        />
      )}
    </Layout>
  );
}

function CreateKeyForm({ userId, onCreated }: { userId: string; onCreated(c: Created): void }) {
  const [form, setForm] = useState({ name: "", expires: "" });
  const action = useAction();
  const dateId = useId();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Static<typeof CreateApiKeyBody> = {
      ...(form.name.trim() ? { name: form.name.trim() } : {}),
      ...(userId ? { userId } : {}),
      // A date field gives a day: the key lasts to the end of that day (UTC).
      ...(form.expires ? { expiresAt: `${form.expires}T23:59:59Z` } : {}),
    };
    let answer: Created | undefined;
    if (await action.run(async () => void (answer = await api<Created>("POST", "/user-svc/api-key", body)))) {
      setForm({ name: "", expires: "" });
      onCreated(answer!);
    }
  };
  return (
    <section aria-labelledby="create-key">
      <h2 id="create-key">Create an API key</h2>
      <form class="filters" onSubmit={submit}>
        <Field label="Key name" autoComplete="off" value={form.name} onValue={(name) => setForm({ ...form, name })} placeholder="ci-deploy" />
        <div class="field">
          <label for={dateId}>Expires on</label>
          <input id={dateId} type="date" value={form.expires} onInput={(e) => setForm({ ...form, expires: e.currentTarget.value })} aria-describedby={`${dateId}-hint`} />
          <small id={`${dateId}-hint`} class="hint">
            Empty: never.
          </small>
        </div>
        <button type="submit" class="primary" disabled={action.busy}>
          Create key
        </button>
      </form>
      <ActionError error={action.error} what="create this API key" />
    </section>
  );
}

/** The new key, this once: a read-only field to select, a copy button, and the warning. */
function ShownOnce({ created, onDone }: { created: Created; onDone(): void }) {
  const [copied, setCopied] = useState("");
  const fieldId = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("The browser did not allow the clipboard: select the key and copy it.");
    }
  };
  return (
    <section class="card key-once" aria-labelledby="key-once">
      <h2 id="key-once">API key {created.apiKey.name || created.apiKey.id} created</h2>
      <Alert kind="warning">
        <strong>Copy the key now: it is shown only this once.</strong> The server keeps only its hash, so it cannot be shown again; whoever holds it acts as its user until it is revoked.
      </Alert>
      <div class="field">
        <label for={fieldId}>The key</label>
        <input id={fieldId} class="mono" readOnly value={created.key} onFocus={(e) => e.currentTarget.select()} />
      </div>
      <div class="actions">
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy key
        </button>
        <button type="button" onClick={onDone}>
          I have stored it
        </button>
      </div>
      <p role="status">{copied}</p>
    </section>
  );
}
