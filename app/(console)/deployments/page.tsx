import Link from 'next/link';
import { PageHeader } from '@/components/shell/page-header';
import { DangerZone } from '@/components/deployments/danger-zone';
import { DeployControls } from '@/components/deployments/deploy-controls';
import { HistoryTable } from '@/components/deployments/history-table';
import { PromoteDialog } from '@/components/deployments/promote-dialog';
import { historyFilterFromSearch } from '@/lib/schemas/operations';
import type { ReleaseDto } from '@/lib/dto/overview';
import { CodedError } from '@/lib/errors';
import { withEnv } from '@/lib/env-href';
import { requirePageContext } from '@/server/auth/session';
import type { Runtime } from '@/server/runtime';
import { currentStatus, operations, resetTargets } from '@/server/services/operations';
import { releases } from '@/server/services/releases';
import { cleanupAction, deployAction, previewAction, promoteAction, promotionPreviewAction, promotionSourcesAction, resetAction, rollbackAction, updateAction } from './actions';

export const metadata = { title: 'Deployments' };

type Search = Promise<Record<string, string | string[] | undefined>>;

async function releaseList(rt: Runtime, current: string | null, previous: string | null): Promise<{ list: ReleaseDto[] | null; error: string | null }> {
  try {
    return { list: await releases(rt, current, previous), error: null };
  } catch (err) {
    return { list: null, error: err instanceof CodedError ? err.message : 'the registry could not be reached' };
  }
}

export default async function DeploymentsPage({ searchParams }: { searchParams: Search }) {
  const search = await searchParams;
  const { rt, user } = await requirePageContext(search, 'viewer');
  const filter = historyFilterFromSearch(search);
  const canOperate = user.role !== 'viewer';
  // Every action this page hands its forms acts on the page's environment.
  const env = rt.environment.id;
  const status = await currentStatus(rt);
  const [picker, targets] = await Promise.all([
    canOperate ? releaseList(rt, status.activeVersion, status.previousVersion) : { list: null, error: null },
    canOperate ? resetTargets(rt) : { projectId: null, volumes: [] },
  ]);
  const history = operations(rt).filter((op) => (!filter.kind || op.kind === filter.kind) && (!filter.outcome || op.status === filter.outcome));
  return (
    <>
      <PageHeader title="Deployments">
        {status.activeColor ? `Live: ${status.activeColor}, version ${status.activeVersion ?? 'unknown'}.` : 'Nothing is deployed yet.'}
        {status.running && (
          <>
            {' '}
            An operation is running: <Link className="underline" href={withEnv(`/deployments/${status.running.id}`, env)}>follow it</Link>.
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
        // "Deploy this release again" links here with another ?version=: a fresh picker, not the old choice.
        key={filter.version ?? ''}
        releases={picker.list}
        registryError={picker.error}
        previousVersion={status.previousVersion}
        initialVersion={filter.version ?? null}
        canOperate={canOperate}
        actions={{ preview: previewAction.bind(null, env), deploy: deployAction.bind(null, env), update: updateAction.bind(null, env), rollback: rollbackAction.bind(null, env) }}
      />
      {canOperate && (
        <div className="mt-4">
          <PromoteDialog
            destination={{ id: env, name: rt.environment.name, production: rt.environment.production }}
            actions={{ sources: promotionSourcesAction.bind(null, env), preview: promotionPreviewAction.bind(null, env), promote: promoteAction.bind(null, env) }}
          />
        </div>
      )}
      <h2 className="mb-2 mt-8 text-lg font-semibold">History</h2>
      <HistoryTable history={history} filter={filter} canOperate={canOperate} env={env} />
      {canOperate && (
        <div className="mt-8">
          <DangerZone projectId={targets.projectId} volumes={targets.volumes} actions={{ cleanup: cleanupAction.bind(null, env), reset: resetAction.bind(null, env) }} />
        </div>
      )}
    </>
  );
}
