import { PageHeader } from '@/components/shell/page-header';
import { LiveOverview } from '@/components/overview/live-overview';
import { requirePageUser } from '@/server/auth/session';
import { getOverview, liveOverview } from '@/server/services/overview';
import { convexAdminKeyAction, deployAction } from './deployments/actions';

export const metadata = { title: 'Overview' };

export default async function OverviewPage() {
  const user = await requirePageUser('viewer');
  const [overview, live] = await Promise.all([getOverview(), liveOverview({ stats: false })]);
  return (
    <>
      <PageHeader title="Overview">The Tale stack on this host, refreshed every few seconds.</PageHeader>
      <LiveOverview
        initial={live}
        deployDir={overview.deployDir}
        initialised={overview.initialised}
        canOperate={user.role !== 'viewer'}
        deploy={deployAction}
        convexAdminKey={user.role === 'admin' ? convexAdminKeyAction : null}
      />
    </>
  );
}
