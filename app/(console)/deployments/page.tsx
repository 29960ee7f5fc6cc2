import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { Cell, Table } from '@/components/ui/table';
import { PageHeader } from '@/components/shell/page-header';
import { DeployControls } from '@/components/deployments/deploy-controls';
import { requirePageUser } from '@/server/auth/session';
import { currentStatus, operations } from '@/server/services/operations';
import { cleanupAction, deployAction, rollbackAction } from './actions';

export const metadata = { title: 'Deployments' };

export default async function DeploymentsPage() {
  const user = await requirePageUser('viewer');
  const [status, history] = [await currentStatus(), operations()];
  return (
    <>
      <PageHeader title="Deployments">
        {status.activeColor ? `Live: ${status.activeColor}, version ${status.activeVersion ?? 'unknown'}.` : 'Nothing is deployed yet.'}
        {status.running && (
          <>
            {' '}
            An operation is running: <Link className="underline" href={`/deployments/${status.running.id}`}>follow it</Link>.
          </>
        )}
      </PageHeader>
      {!status.engine.reachable && <p className="mb-4 text-sm text-red-600">The Docker Engine cannot be reached: {status.engine.message}</p>}
      {status.warnings.map((w) => (
        <p key={w} className="mb-2 text-sm text-amber-700 dark:text-amber-400">
          {w}
        </p>
      ))}
      <DeployControls
        previousVersion={status.previousVersion}
        activeVersion={status.activeVersion}
        canOperate={user.role !== 'viewer'}
        actions={{ deploy: deployAction, rollback: rollbackAction, cleanup: cleanupAction }}
      />
      <h2 className="mb-2 mt-8 text-lg font-semibold">History</h2>
      {history.length === 0 ? (
        <EmptyState title="No operations yet" />
      ) : (
        <Table head={['Started', 'Operation', 'By', 'Status', '']}>
          {history.map((op) => (
            <tr key={op.id}>
              <Cell>{op.createdAt.replace('T', ' ').slice(0, 19)}</Cell>
              <Cell>
                {op.kind} {typeof op.params.version === 'string' ? op.params.version : ''}
              </Cell>
              <Cell>{op.actor ?? '—'}</Cell>
              <Cell>
                <Badge tone={op.status === 'succeeded' ? 'good' : op.status === 'running' ? 'neutral' : 'bad'}>{op.status}</Badge>
              </Cell>
              <Cell>
                <Link className="text-indigo-600 underline dark:text-indigo-400" href={`/deployments/${op.id}`}>
                  Details
                </Link>
              </Cell>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
