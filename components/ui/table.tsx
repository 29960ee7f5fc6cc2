import { Children, cloneElement, isValidElement, type ReactElement, type ReactNode } from 'react';

/**
 * A data table. On a phone (below Tailwind's sm) it reflows into one card per row, each cell on
 * its own line after its column's name (globals.css, `.reflow-table`), so nothing is cut off at
 * the right. The column names come from `head`: Table hands each <Cell> of a <tr> it is given
 * its column's name, so callers write plain rows.
 */
export function Table({ head, children }: { head: ReactNode[]; children: ReactNode }) {
  const rows = Children.map(children, (row) => {
    if (!isValidElement<{ children?: ReactNode }>(row) || row.type !== 'tr') return row;
    // toArray drops the false and null of conditional cells, as the browser never sees them either.
    const cells = Children.toArray(row.props.children).map((cell, i) => {
      const label = head[i];
      if (!isValidElement<CellProps>(cell) || cell.type !== Cell || cell.props.label !== undefined || typeof label !== 'string') return cell;
      return cloneElement(cell as ReactElement<CellProps>, { label });
    });
    return cloneElement(row, undefined, cells);
  });
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table className="reflow-table min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
        <thead className="bg-zinc-50 dark:bg-zinc-900">
          <tr>
            {head.map((h, i) => (
              <th key={i} scope="col" className="px-3 py-2 text-left font-medium text-zinc-700 dark:text-zinc-300">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">{rows}</tbody>
      </table>
    </div>
  );
}

type CellProps = { children: ReactNode; label?: string };

/** A table cell; `label` (given by Table) is its column's name, shown beside it on a phone only. */
export function Cell({ children, label }: CellProps) {
  return (
    <td data-label={label || undefined} className="px-3 py-2 text-zinc-800 dark:text-zinc-200">
      {children}
    </td>
  );
}
