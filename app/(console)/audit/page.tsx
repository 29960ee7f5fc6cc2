import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageUser } from '@/server/auth/session';

export const metadata = { title: 'Audit' };

export default async function AuditPage() {
  await requirePageUser('admin');
  return (
    <>
      <PageHeader title="Audit" />
      <EmptyState title="Not available yet">Every change made through the console will be recorded here.</EmptyState>
    </>
  );
}
