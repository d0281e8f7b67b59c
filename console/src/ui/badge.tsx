/** @module <StatusBadge>: an instance's or node's state as text plus colour (never colour alone). */
const TONES: Record<string, string> = { Healthy: "ok", Degraded: "warn", Unreachable: "bad", Unknown: "neutral", Alive: "ok", Down: "bad" };

/** A badge showing `status`; its tone comes from the status name. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${TONES[status] ?? "neutral"}`}>{status}</span>;
}
