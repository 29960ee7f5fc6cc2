import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Cell, Table } from './table';

// On a phone each cell shows its column's name (globals.css reads data-label): Table must hand it
// to every Cell of a plain row, in column order, skipping the cells a condition left out.
describe('Table', () => {
  it('gives each Cell of a row its column name as data-label', () => {
    const admin = false;
    const html = renderToStaticMarkup(
      <Table head={['Name', 'Role', '']}>
        {['ada', 'bob'].map((n) => (
          <tr key={n}>
            <Cell>{n}</Cell>
            {admin && <Cell>hidden</Cell>}
            <Cell>viewer</Cell>
            <Cell>
              <button type="button">Edit</button>
            </Cell>
          </tr>
        ))}
      </Table>,
    );
    expect(html.match(/<td[^>]*>/g)).toEqual([
      '<td data-label="Name" class="px-3 py-2 text-zinc-800 dark:text-zinc-200">',
      '<td data-label="Role" class="px-3 py-2 text-zinc-800 dark:text-zinc-200">',
      '<td class="px-3 py-2 text-zinc-800 dark:text-zinc-200">',
      '<td data-label="Name" class="px-3 py-2 text-zinc-800 dark:text-zinc-200">',
      '<td data-label="Role" class="px-3 py-2 text-zinc-800 dark:text-zinc-200">',
      '<td class="px-3 py-2 text-zinc-800 dark:text-zinc-200">',
    ]);
    expect(html).toContain('<table class="reflow-table');
  });

  it('keeps a label a Cell was given, and leaves other children alone', () => {
    const html = renderToStaticMarkup(
      <Table head={['A', 'B']}>
        <tr>
          <Cell label="Own">1</Cell>
          <td>raw</td>
        </tr>
      </Table>,
    );
    expect(html).toContain('<td data-label="Own"');
    expect(html).toContain('<td>raw</td>');
  });
});
