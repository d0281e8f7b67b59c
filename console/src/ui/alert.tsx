/**
 * @module Messages: <Alert kind> in the page (role=alert for errors so screen readers announce them),
 * <ErrorPanel error> for a failed load (a 403 says plainly that the user lacks the permission, never a
 * blank page), and toast(message) with one <Toaster/> (in Layout) for short confirmations.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, describeError } from "../api";

export type AlertKind = "error" | "info" | "success" | "warning";

/** A message box; errors are announced at once (role=alert), others politely (role=status). */
export function Alert({ kind = "info", children }: { kind?: AlertKind; children: ComponentChildren }) {
  return (
    <div class={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** The error of a failed load; a 403 names what is missing instead of showing nothing. */
export function ErrorPanel({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 403) {
    return (
      <Alert kind="warning">
        <strong>Not allowed.</strong> Your account does not have permission to see this ({error.code}).
      </Alert>
    );
  }
  return <Alert kind="error">{describeError(error)}</Alert>;
}

interface Toast {
  id: number;
  kind: AlertKind;
  message: string;
}
let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

/** Shows `message` for a few seconds in the corner (announced by screen readers). */
export function toast(message: string, kind: AlertKind = "success", ms = 4000): void {
  const id = nextId++;
  toasts = [...toasts, { id, kind, message }];
  listeners.forEach((l) => l());
  setTimeout(() => {
    toasts = toasts.filter((t) => t.id !== id);
    listeners.forEach((l) => l());
  }, ms);
}

/** Where toasts appear; rendered once by Layout. */
export function Toaster() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return (
    <div class="toaster" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} class={`toast alert alert-${t.kind}`}>
          {t.message}
        </div>
      ))}
    </div>
  );
}
