import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useWords } from '../i18n.tsx';
import { display } from '../values.ts';

export interface Column<T> {
  key: string;
  label: string;
  render?: (row: T) => ComponentChildren;
  numeric?: boolean;
}

/** A captioned table; cells are text unless a column renders its own (links, badges). */
export function Table<T extends object>({
  caption,
  columns,
  rows,
  limit,
}: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  /** Rows shown until the reader asks for all of them (long sender lists). */
  limit?: number;
}) {
  const w = useWords();
  const [all, setAll] = useState(false);
  const shown = limit !== undefined && !all ? rows.slice(0, limit) : rows;
  return (
    <div class="table-scroll">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" class={c.numeric ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="muted">
                {w.t('common.empty')}
              </td>
            </tr>
          ) : (
            shown.map((row, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c.key} class={c.numeric ? 'num' : undefined}>
                    {c.render ? c.render(row) : display((row as Record<string, unknown>)[c.key], w)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {shown.length < rows.length && (
        <button type="button" class="show-all" onClick={() => setAll(true)}>
          {w.t('common.show-all', { count: w.num(rows.length) })}
        </button>
      )}
    </div>
  );
}

/** A table for rows whose fields the page does not know in advance: one column per field. */
export function AutoTable({ caption, rows, prefix }: { caption: string; rows: object[]; prefix: string }) {
  const w = useWords();
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const columns: Column<object>[] = keys.map((key) => ({
    key,
    label: w.tMaybe(prefix, key),
    numeric: rows.some((r) => typeof (r as Record<string, unknown>)[key] === 'number'),
  }));
  return <Table caption={caption} columns={columns} rows={rows} />;
}
