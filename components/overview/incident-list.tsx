'use client';
import Link from 'next/link';
import type { HealthIncidentDto } from '@/lib/dto/health';
import { formatTime } from '@/lib/format-time';
import { incidentText, isProblem } from '@/lib/health-incident-text';
import { Badge } from '@/components/ui/badge';
import { Cell, Table } from '@/components/ui/table';
import { useEnvironment } from '@/components/shell/environment-context';
import { logsAtIncident } from './health-links';

const TONE = (i: HealthIncidentDto) => (isProblem(i) ? (i.kind === 'gap' ? 'warn' : 'bad') : 'good');

export function IncidentList({ incidents }: { incidents: HealthIncidentDto[] }) {
  // The logs of the incident's environment: the one this overview shows.
  const { href } = useEnvironment();
  if (!incidents.length) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing happened to the stack&apos;s containers in this range.</p>;
  return (
    <Table head={['Time (UTC)', 'Kind', 'What happened', 'Logs']}>
      {incidents.map((i) => {
        const logs = logsAtIncident(i);
        return (
          <tr key={i.id} data-testid="incident" data-kind={i.kind}>
            <Cell>
              <span className="whitespace-nowrap tabular-nums">{formatTime(i.at)}</span>
              {i.until && <span className="block text-xs text-zinc-600 dark:text-zinc-400">until {formatTime(i.until)}</span>}
            </Cell>
            <Cell>
              <Badge tone={TONE(i)}>{i.kind}</Badge>
            </Cell>
            <Cell>{incidentText(i)}</Cell>
            <Cell>
              {logs ? (
                <Link className="text-indigo-700 underline dark:text-indigo-300" href={href(logs)}>
                  Logs at {formatTime(i.at).slice(11)}
                </Link>
              ) : (
                '—'
              )}
            </Cell>
          </tr>
        );
      })}
    </Table>
  );
}
