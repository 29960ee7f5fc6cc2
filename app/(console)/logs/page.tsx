import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageUser } from '@/server/auth/session';

export const metadata = { title: 'Logs' };

export default async function LogsPage() {
  await requirePageUser('viewer');
  return (
    <>
      <PageHeader title="Logs" />
      <EmptyState title="Not available yet">The live log tail of each service will appear here.</EmptyState>
    </>
  );
}
