import Link from 'next/link';
import type { OperationDto } from '@/lib/dto/operations';
import { HISTORY_KINDS, HISTORY_OUTCOMES } from '@/lib/schemas/operations';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { Select } from '@/components/ui/input';
import { Cell, Table } from '@/components/ui/table';
import { formatTime } from '@/lib/format-time';
import { withEnv } from '@/lib/env-href';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';

const TONE = { succeeded: 'good', running: 'neutral', failed: 'bad', cancelled: 'warn', interrupted: 'warn' } as const;
const REDEPLOYABLE = new Set(['deploy', 'update', 'rollback']);

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function duration(op: OperationDto): string {
  if (!op.finishedAt) return '—';
  const s = Math.round((Date.parse(op.finishedAt) - Date.parse(op.createdAt)) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}

/** from → to of a release change: the version it replaced (recorded in the result) and its target. */
function versions(op: OperationDto): string {
  const to = text(op.result?.version) ?? text(op.params.version);
  const from = text(op.result?.previousVersion);
  if (!to) return '';
  return from && from !== to ? `${from} → ${to}` : to;
}

type Props = { history: OperationDto[]; filter: { kind?: string; outcome?: string }; canOperate: boolean; /** The page's environment: the filter and the links stay in it. */ env: string };

/** Every operation with who, when, how long and how it ended; filtered by kind and outcome through the URL. */
export function HistoryTable({ history, filter, canOperate, env }: Props) {
  return (
    <>
      <form method="get" className="mb-3 flex flex-wrap items-end gap-3" aria-label="Filter the history">
        {/* A GET form replaces the whole query: the environment goes along or the filter would land on Local. */}
        {env !== LOCAL_ENVIRONMENT_ID && <input type="hidden" name="env" value={env} />}
        <label className="text-sm">
          Kind
          <Select name="kind" defaultValue={filter.kind ?? ''} className="mt-1 w-40">
            <option value="">all</option>
            {HISTORY_KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </Select>
        </label>
        <label className="text-sm">
          Outcome
          <Select name="outcome" defaultValue={filter.outcome ?? ''} className="mt-1 w-40">
            <option value="">all</option>
            {HISTORY_OUTCOMES.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </Select>
        </label>
        <Button type="submit" variant="secondary">
          Filter
        </Button>
      </form>
      {history.length === 0 ? (
        <EmptyState title={filter.kind || filter.outcome ? 'No operations match' : 'No operations yet'} />
      ) : (
        <Table head={['Started', 'Operation', 'Version', 'By', 'Duration', 'Outcome', '']}>
          {history.map((op) => {
            const version = text(op.result?.version) ?? text(op.params.version);
            return (
              <tr key={op.id} data-testid="history-row">
                <Cell>{formatTime(op.createdAt)}</Cell>
                <Cell>
                  <span data-testid="history-purpose">{op.purpose}</span>
                  <span className="block text-xs text-zinc-500">{op.kind}</span>
                </Cell>
                <Cell>{versions(op)}</Cell>
                {/* No actor: the console itself (the start-up reconcile, the backup schedule). */}
                <Cell>{op.actor ?? 'system'}</Cell>
                <Cell>{duration(op)}</Cell>
                <Cell>
                  <Badge tone={TONE[op.status]}>{op.status}</Badge>
                </Cell>
                <Cell>
                  <span className="flex flex-wrap gap-x-3">
                    <Link className="text-indigo-600 underline dark:text-indigo-400" href={withEnv(`/deployments/${op.id}`, env)}>
                      Details
                    </Link>
                    {canOperate && version && op.status === 'succeeded' && REDEPLOYABLE.has(op.kind) && (
                      <Link className="text-indigo-600 underline dark:text-indigo-400" href={withEnv(`/deployments?version=${encodeURIComponent(version)}#deploy`, env)}>
                        Deploy this release again
                      </Link>
                    )}
                  </span>
                </Cell>
              </tr>
            );
          })}
        </Table>
      )}
    </>
  );
}
