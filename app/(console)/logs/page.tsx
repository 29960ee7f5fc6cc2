import { PageHeader } from '@/components/shell/page-header';
import { LogViewer } from '@/components/logs/log-viewer';
import { requirePageUser } from '@/server/auth/session';

export const metadata = { title: 'Logs' };

export default async function LogsPage() {
  await requirePageUser('viewer');
  return (
    <>
      <PageHeader title="Logs">Live output of the stack&apos;s containers. stderr lines are marked ERR.</PageHeader>
      <LogViewer />
    </>
  );
}
