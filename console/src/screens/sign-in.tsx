/**
 * @module Sign-in: slug and password (POST /user-svc/login in the default app), then the TOTP code field
 * when the server answers `user.totp_required`. On success the token and the permissions of the user's
 * roles are kept in memory (session.ts) and the user goes where they were headed.
 */
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { ApiError, describeError, publicApi } from "../api";
import { setSession } from "../session";
import { DEVICE } from "../sign-out";
import { Alert } from "../ui/alert";
import { Field } from "../ui/field";
import { homePath } from "../ui/layout";
import type { LoginBody } from "../../../src/contracts/user/requests";
import type { TokenResponse } from "../../../src/contracts/user/models";

/** The app the console signs in to (the server's default app host). */
const APP_HOST = "unnamed";

/** Signs in `slug`; answers the token, or throws the server's ApiError. */
export async function login(body: Omit<LoginBody, "appHost">): Promise<void> {
  const answer = await publicApi<TokenResponse>("POST", "/user-svc/login", { ...body, appHost: APP_HOST, device: DEVICE });
  const token = answer.token.token;
  // One setSession, with the permissions: a session without them would render (and redirect) as a user who may do nothing.
  const { permissions } = await loadPermissions(token);
  setSession(token, permissions);
}

async function loadPermissions(token: string): Promise<{ permissions: string[] }> {
  const response = await fetch("/user-svc/permissions", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
  return response.ok ? ((await response.json()) as { permissions: string[] }) : { permissions: [] };
}

/** The sign-in form. */
export function SignIn() {
  const { query, route } = useLocation();
  const [slug, setSlug] = useState("");
  const [password, setPassword] = useState("");
  const [totpCode, setTotpCode] = useState("");
  const [needsTotp, setNeedsTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await login({ slug, password, ...(needsTotp ? { totpCode } : {}) });
      const next = query.next?.startsWith("/console/") && !query.next.startsWith("/console/sign-in") ? query.next : homePath();
      route(next, true);
    } catch (err) {
      if (err instanceof ApiError && err.code === "user.totp_required") {
        setNeedsTotp(true);
        setError("");
      } else if (err instanceof ApiError && err.code === "user.totp_invalid") {
        setError("That code is not valid. Enter the current code from your authenticator.");
      } else if (err instanceof ApiError && err.status === 401) {
        setError("Wrong slug or password.");
      } else {
        setError(describeError(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to 1Backend</h1>
        {error && <Alert kind="error">{error}</Alert>}
        <Field label="Slug" name="slug" value={slug} onValue={setSlug} autoComplete="username" required autoFocus />
        <Field label="Password" name="password" type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
        {needsTotp && (
          <Field
            label="Authenticator code"
            name="totpCode"
            value={totpCode}
            onValue={setTotpCode}
            inputMode="numeric"
            autoComplete="one-time-code"
            hint="Two-factor authentication is on for this account: enter the 6-digit code from your authenticator."
            required
            autoFocus
          />
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
