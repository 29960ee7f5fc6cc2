import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { Input, Select } from '@/components/ui/input';
import { Cell, Table } from '@/components/ui/table';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { auditEvents } from '@/server/services/audit';
import { auditFilterFromSearch } from '@/lib/schemas/audit';
import { repeatSummary } from '@/lib/audit-repeats';
import { formatTime } from '@/lib/format-time';

export const metadata = { title: 'Audit' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AuditPage({ searchParams }: Props) {
  await requirePageUser('admin');
  const raw = await searchParams;
  const parsed = auditFilterFromSearch(raw);
  const filter = parsed.success ? parsed.data : {};
  const rows = auditEvents(runtime(), filter);
  const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return (
    <>
      <PageHeader title="Audit">Every change and every sign-in attempt, newest first. Secrets are never recorded. The same refusal of someone not signed in, repeated from one address, is one row with a count.</PageHeader>
      <form className="mb-4 flex flex-wrap items-end gap-3" method="get">
        <Input name="action" aria-label="Action" placeholder="action, e.g. auth.sign_in" defaultValue={filter.action} className="w-56" />
        <Input name="actor" aria-label="Actor" placeholder="actor email" defaultValue={filter.actor} className="w-56" />
        <Select name="outcome" aria-label="Outcome" defaultValue={filter.outcome ?? ''} className="w-36">
          <option value="">any outcome</option>
          <option value="success">success</option>
          <option value="failure">failure</option>
          <option value="denied">denied</option>
        </Select>
        <Input name="from" aria-label="From" type="date" defaultValue={filter.from} className="w-40" />
        <Input name="to" aria-label="To" type="date" defaultValue={filter.to} className="w-40" />
        <Button type="submit" variant="secondary">
          Filter
        </Button>
        <a className="text-sm text-indigo-600 underline dark:text-indigo-400" href={`/api/v1/audit?${query}&format=csv`}>
          Export CSV
        </a>
        <a className="text-sm text-indigo-600 underline dark:text-indigo-400" href={`/api/v1/audit?${query}`}>
          Export JSON
        </a>
      </form>
      {!parsed.success && <p className="mb-4 text-sm text-red-600">Some filters were not valid and were ignored.</p>}
      {rows.length === 0 ? (
        <EmptyState title="No matching events" />
      ) : (
        <Table head={['When', 'Actor', 'Action', 'Target', 'Source', 'Outcome', 'Details']}>
          {rows.map((r) => (
            <tr key={r.id}>
              <Cell>{formatTime(r.at)}</Cell>
              <Cell>{r.actor ?? '—'}</Cell>
              <Cell>{r.action}</Cell>
              <Cell>{r.target ?? '—'}</Cell>
              <Cell>{r.sourceIp ?? '—'}</Cell>
              <Cell>
                <Badge tone={r.outcome === 'success' ? 'good' : r.outcome === 'denied' ? 'warn' : 'bad'}>{r.outcome}</Badge>
              </Cell>
              <Cell>
                <span className="font-mono text-xs [overflow-wrap:anywhere]">{[r.message, r.params].filter(Boolean).join(' · ')}</span>
                {r.repeatCount > 0 && (
                  <span className="ml-2 text-xs font-medium text-amber-700 dark:text-amber-400" data-testid="audit-repeats">
                    {repeatSummary(r)}
                  </span>
                )}
              </Cell>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
