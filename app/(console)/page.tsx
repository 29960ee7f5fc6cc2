import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Cell, Table } from '@/components/ui/table';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageUser } from '@/server/auth/session';
import { getOverview } from '@/server/services/overview';
import { currentStatus } from '@/server/services/operations';

export const metadata = { title: 'Overview' };

const TONE: Record<string, 'good' | 'warn' | 'bad' | 'neutral'> = { healthy: 'good', running: 'good', starting: 'warn', unhealthy: 'bad', stopped: 'bad' };

export default async function OverviewPage() {
  await requirePageUser();
  const [overview, status] = await Promise.all([getOverview(), currentStatus()]);
  const deployed = status.containers.filter((c) => c.status !== 'not deployed');
  return (
    <>
      <PageHeader title="Overview">The Tale stack on this host.</PageHeader>
      <dl className="mb-6 grid gap-4 sm:grid-cols-3">
        <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <dt className="text-sm text-zinc-500">Docker Engine</dt>
          <dd className="mt-1" data-testid="engine-status">
            {status.engine.reachable ? (
              <Badge tone="good">Reachable · {status.engine.version}</Badge>
            ) : (
              <Badge tone="bad">Unreachable: {status.engine.message}</Badge>
            )}
          </dd>
        </div>
        <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <dt className="text-sm text-zinc-500">Live release</dt>
          <dd className="mt-1 text-sm" data-testid="live-release">
            {status.activeColor ? (
              <>
                <Badge tone="good">{status.activeColor}</Badge> version {status.activeVersion ?? 'unknown'}
                {status.previousVersion && <span className="text-zinc-500"> · previous {status.previousVersion}</span>}
              </>
            ) : (
              'Nothing deployed yet'
            )}
            {status.running && (
              <p className="mt-1">
                <Link className="text-indigo-600 underline dark:text-indigo-400" href={`/deployments/${status.running.id}`}>
                  {status.running.kind} in progress
                </Link>
              </p>
            )}
          </dd>
        </div>
        <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <dt className="text-sm text-zinc-500">Deployment directory</dt>
          <dd className="mt-1 space-y-1">
            <code className="block break-all font-mono text-sm">{overview.deployDir}</code>
            {overview.initialised ? <Badge tone="good">Initialised</Badge> : <Badge tone="warn">No tale.json yet</Badge>}
          </dd>
        </div>
      </dl>
      {status.warnings.map((w) => (
        <p key={w} className="mb-2 text-sm text-amber-700 dark:text-amber-400">
          {w}
        </p>
      ))}
      {deployed.length > 0 && (
        <Table head={['Service', 'Colour', 'Status', 'Version', 'Started', 'Restarts']}>
          {deployed.map((c) => (
            <tr key={c.name}>
              <Cell>
                {c.service}
                {c.active && c.color ? ' (live)' : ''}
              </Cell>
              <Cell>{c.color ?? '—'}</Cell>
              <Cell>
                <Badge tone={TONE[c.status] ?? 'neutral'}>{c.status}</Badge>
              </Cell>
              <Cell>{c.version ?? '—'}</Cell>
              <Cell>{c.startedAt ? c.startedAt.replace('T', ' ').slice(0, 19) : '—'}</Cell>
              <Cell>{c.restartCount ?? '—'}</Cell>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
