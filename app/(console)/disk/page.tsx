import { DiskPanel } from '@/components/disk/disk-panel';
import { PageHeader } from '@/components/shell/page-header';
import { CodedError } from '@/lib/errors';
import { requirePageContext } from '@/server/auth/session';
import { diskUsage } from '@/server/services/disk';
import { pruneImagesAction } from './actions';

export const metadata = { title: 'Disk' };
export const dynamic = 'force-dynamic';

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function DiskPage({ searchParams }: { searchParams: Search }) {
  const { rt, caller } = await requirePageContext(await searchParams, 'viewer');
  let usage = null;
  let error: string | null = null;
  try {
    usage = await diskUsage(rt, caller);
  } catch (err) {
    if (!(err instanceof CodedError)) throw err;
    error = err.message;
  }
  return (
    <>
      <PageHeader title="Disk">
        What the stack’s images, the project’s volumes and Docker’s build cache take on this host, and which images nothing needs any more.
      </PageHeader>
      <DiskPanel usage={usage} error={error} canPrune={caller.user.role !== 'viewer'} prune={pruneImagesAction.bind(null, rt.environment.id)} />
    </>
  );
}
