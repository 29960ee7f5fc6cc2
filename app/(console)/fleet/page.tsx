import Link from 'next/link';
import { FleetCards } from '@/components/environments/fleet-cards';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageCaller, runtimeFor } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { getFleet } from '@/server/services/fleet';

export const metadata = { title: 'Fleet' };
export const dynamic = 'force-dynamic';

export default async function FleetPage() {
  const caller = await requirePageCaller('viewer');
  const fleet = await getFleet(runtime(), caller, runtimeFor);
  return (
    <div className="space-y-6">
      <PageHeader title="Fleet">
        Every environment at once: whether it answers, the live version and each service&apos;s health. An environment that does not answer within its deadline is shown as unreachable and does not hold up the others.{' '}
        {caller.user.role === 'admin' && (
          <Link className="underline" href="/environments">
            Manage environments
          </Link>
        )}
      </PageHeader>
      <FleetCards fleet={fleet} />
    </div>
  );
}
