import { Suspense } from 'react';
import { PageHeader } from '@/components/shell/page-header';
import { LiveOverview } from '@/components/overview/live-overview';
import type { SessionUser } from '@/lib/dto/user';
import { requirePageUser } from '@/server/auth/session';
import { getOverview, liveOverview } from '@/server/services/overview';
import { convexAdminKeyAction, deployAction } from './deployments/actions';

export const metadata = { title: 'Overview' };

export default async function OverviewPage() {
  const user = await requirePageUser('viewer');
  return (
    <>
      <PageHeader title="Overview">The Tale stack on this host, refreshed every few seconds.</PageHeader>
      {/* Docker can be slow on a busy host: the page (and a sign-in landing here) arrives at once,
          the containers stream in when the daemon answers. */}
      <Suspense fallback={<p role="status" aria-busy="true" className="text-sm text-zinc-600 dark:text-zinc-400">Asking Docker…</p>}>
        <Overview user={user} />
      </Suspense>
    </>
  );
}

async function Overview({ user }: { user: SessionUser }) {
  const [overview, live] = await Promise.all([getOverview(), liveOverview({ stats: false })]);
  return (
    <LiveOverview
      initial={live}
      deployDir={overview.deployDir}
      initialised={overview.initialised}
      canOperate={user.role !== 'viewer'}
      deploy={deployAction}
      convexAdminKey={user.role === 'admin' ? convexAdminKeyAction : null}
    />
  );
}
