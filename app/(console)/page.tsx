import { Suspense } from 'react';
import { PageHeader } from '@/components/shell/page-header';
import { LiveOverview } from '@/components/overview/live-overview';
import type { Caller } from '@/server/auth/caller';
import { requirePageContext } from '@/server/auth/session';
import type { Runtime } from '@/server/runtime';
import { getOverview, liveOverview } from '@/server/services/overview';
import { backupHealth } from '@/server/services/backup-drills';
import { BackupHealth } from '@/components/backups/backup-health';
import { PreflightCard } from '@/components/overview/preflight-card';
import { convexAdminKeyAction, deployAction, previewAction, setPrePullAction } from './deployments/actions';
import { HealthHistory } from '@/components/overview/health-history';

export const metadata = { title: 'Overview' };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function OverviewPage({ searchParams }: { searchParams: Search }) {
  const { rt, caller } = await requirePageContext(await searchParams, 'viewer');
  return (
    <>
      <PageHeader title="Overview">The Tale stack on this host, refreshed every few seconds.</PageHeader>
      {/* Docker can be slow on a busy host: the page (and a sign-in landing here) arrives at once,
          the containers stream in when the daemon answers. */}
      <Suspense fallback={<p role="status" aria-busy="true" className="text-sm text-zinc-600 dark:text-zinc-400">Asking Docker…</p>}>
        <Overview rt={rt} caller={caller} />
      </Suspense>
    </>
  );
}

async function Overview({ rt, caller }: { rt: Runtime; caller: Caller }) {
  // requirePageContext has sent anyone without a user elsewhere.
  const user = caller.user!;
  const env = rt.environment.id;
  const [overview, live] = await Promise.all([getOverview(rt, caller), liveOverview(rt)]);
  return (
    <div className="space-y-4">
      <BackupHealth health={backupHealth(rt, caller)} now={new Date()} />
      <PreflightCard />
      <LiveOverview
        initial={live}
        deployDir={overview.deployDir}
        initialised={overview.initialised}
        canOperate={user.role !== 'viewer'}
        deploy={deployAction.bind(null, env)}
        preview={previewAction.bind(null, env)}
        convexAdminKey={user.role === 'admin' ? convexAdminKeyAction.bind(null, env) : null}
        setPrePull={user.role === 'admin' ? setPrePullAction.bind(null, env) : null}
      />
      <HealthHistory />
    </div>
  );
}
