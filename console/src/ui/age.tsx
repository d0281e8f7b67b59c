/**
 * @module <Age since=…/>: "12 s ago" that ticks each second, with the exact time as a tooltip and
 * datetime. Every Age on the page shares one timer (a table of a thousand instances runs one interval,
 * not a thousand), started by the first mounted Age and stopped with the last.
 */
import { useEffect, useState } from "preact/hooks";

const tickers = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | undefined;

/** The current time, re-rendering the component every second. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    tickers.add(setNow);
    timer ??= setInterval(() => {
      const t = Date.now();
      for (const tick of tickers) tick(t);
    }, 1000);
    return () => {
      tickers.delete(setNow);
      if (tickers.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  }, []);
  return now;
}

/** Renders how long ago `since` (ISO 8601) was; "never" when absent. */
export function Age({ since, never = "never" }: { since: string | undefined; never?: string }) {
  const now = useNow();
  if (!since) return <span class="muted">{never}</span>;
  const at = Date.parse(since);
  return (
    <time dateTime={since} title={new Date(at).toISOString()}>
      {formatAge(now - at)}
    </time>
  );
}

/** "now", "12 s ago", "3 min ago", "2 h ago", "5 d ago". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 1) return "now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
