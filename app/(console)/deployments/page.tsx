import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageUser } from '@/server/auth/session';

export const metadata = { title: 'Deployments' };

export default async function DeploymentsPage() {
  await requirePageUser('viewer');
  return (
    <>
      <PageHeader title="Deployments" />
      <EmptyState title="Not available yet">Deploy history, upgrades and rollbacks will appear here.</EmptyState>
    </>
  );
}
