/** @module <Table>: a captioned data table from column definitions; an empty list says so in a row. */
import type { ComponentChildren } from "preact";

/** One column: its header and how a row renders in it. */
export interface Column<T> {
  header: string;
  render(row: T): ComponentChildren;
  /** Extra class on the cells (e.g. "num", "mono"). */
  class?: string;
}

export interface TableProps<T> {
  /** Describes the table for screen readers (visible unless `hideCaption`). */
  caption: string;
  hideCaption?: boolean;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey(row: T): string;
  /** Shown in one row when `rows` is empty. */
  empty?: ComponentChildren;
  /** Attributes per row, e.g. a data-* for tests. */
  rowProps?(row: T): Record<string, string>;
}

/** A scrollable table (narrow screens scroll it sideways instead of squeezing). */
export function Table<T>({ caption, hideCaption, columns, rows, rowKey, empty = "Nothing here yet.", rowProps }: TableProps<T>) {
  return (
    <div class="table-wrap">
      <table>
        <caption class={hideCaption ? "visually-hidden" : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" class={c.class}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="empty">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)} {...(rowProps?.(row) ?? {})}>
                {columns.map((c) => (
                  <td key={c.header} class={c.class}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
