/**
 * @module useAction and <ActionError>: how the Access, Edge and Traffic screens run a change (a create,
 * a grant, a revoke). One change at a time per form (a second click while one runs is ignored), and its
 * error kept beside the form that caused it until the next try: the server's `{error, code}` message,
 * or for a 403 a plain "you do not have permission to …".
 */
import { useCallback, useRef, useState } from "preact/hooks";
import { ApiError, describeError } from "../api";
import { Alert } from "./alert";

export interface Action {
  busy: boolean;
  error: unknown;
  /** Runs `change`; resolves true when it succeeded (its error is kept for display otherwise). */
  run(change: () => Promise<unknown>): Promise<boolean>;
}

/** The state of one form's change. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const running = useRef(false);
  const run = useCallback(async (change: () => Promise<unknown>) => {
    if (running.current) return false;
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      await change();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

/** A change's error in words (nothing when there is none); `what` completes "You do not have permission to …". */
export function ActionError({ error, what }: { error: unknown; what: string }) {
  if (!error) return null;
  if (error instanceof ApiError && error.status === 403) {
    return (
      <Alert kind="error">
        You do not have permission to {what} ({error.code}).
      </Alert>
    );
  }
  return <Alert kind="error">{error instanceof ApiError ? `${error.message} (${error.code})` : describeError(error)}</Alert>;
}

/** "a, b, c" from a text field into a list: trimmed, empty items dropped. */
export const listOf = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/** A time as the browser's locale shows it, in a <time> element; "—" when absent. */
export function When({ at }: { at: string | undefined }) {
  return at ? <time dateTime={at}>{new Date(at).toLocaleString()}</time> : <>—</>;
}
