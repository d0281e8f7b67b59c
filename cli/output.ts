/** @module Printing: aligned tables like 1Backend's (tabwriter, padding 3), Go-style ages, JSON and YAML (`-o`). */

/**
 * Formats rows under `headers`; every column but the last is padded to its widest cell + 3 spaces.
 *
 * @example
 * table(["ID", "URL"], [["inst-1", "http://127.0.0.1:9311"]])
 */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join("").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/**
 * `10s ago`-style age of an ISO time, in Go's duration format truncated to seconds (`45s`, `1m5s`,
 * `1h0m5s`); `never` for a missing or Go zero time, the raw text when it does not parse.
 *
 * @example
 * age("2025-01-01T00:00:00Z", Date.parse("2025-01-01T00:01:05Z")) // "1m5s ago"
 */
export function age(iso: string | undefined, now = Date.now()): string {
  if (!iso || iso.startsWith("0001-01-01")) return "never";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${goDuration(now - t)} ago`;
}

function goDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const total = Math.trunc(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

/** Pretty JSON with two-space indentation. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** YAML text. */
export function yaml(value: unknown): string {
  return Bun.YAML.stringify(value, null, 2).trimEnd();
}

/** The output formats of `-o`. */
export type Format = "json" | "yaml" | "table";

/** `data` as JSON or YAML, or `table()` for the table format (the table is built only when asked for). */
export function render(format: Format, data: unknown, table: () => string): string {
  if (format === "json") return json(data);
  if (format === "yaml") return yaml(data);
  return table();
}
