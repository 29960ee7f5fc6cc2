import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageUser } from '@/server/auth/session';

export const metadata = { title: 'Settings' };

export default async function SettingsPage() {
  await requirePageUser('operator');
  return (
    <>
      <PageHeader title="Settings" />
      <EmptyState title="Not available yet">Domain, TLS, proxy and environment settings will appear here.</EmptyState>
    </>
  );
}
