import { Badge } from '@/components/ui/badge';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageUser } from '@/server/auth/session';
import { getOverview } from '@/server/services/overview';

export const metadata = { title: 'Overview' };

export default async function OverviewPage() {
  await requirePageUser();
  const overview = await getOverview();
  return (
    <>
      <PageHeader title="Overview">The Tale stack on this host.</PageHeader>
      <dl className="grid gap-4 sm:grid-cols-2">
        <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <dt className="text-sm text-zinc-500">Docker Engine</dt>
          <dd className="mt-1" data-testid="engine-status">
            {overview.engine.reachable ? (
              <Badge tone="good">Reachable · {overview.engine.version}</Badge>
            ) : (
              <Badge tone="bad">Unreachable: {overview.engine.reason}</Badge>
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
    </>
  );
}
