import { EnvironmentsAdmin } from '@/components/environments/environments-admin';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { listEnvironments } from '@/server/services/environments';
import { addEnvironmentAction, removeEnvironmentAction, scanEnvironmentAction } from './actions';

export const metadata = { title: 'Environments' };
export const dynamic = 'force-dynamic';

export default async function EnvironmentsPage() {
  const caller = await requirePageCaller('admin');
  return (
    <div className="space-y-6">
      <PageHeader title="Environments">
        The Tale hosts this console watches: the local one (this host&apos;s Docker Engine and deployment directory), hosts reached over SSH, and Docker Engines reached over TCP with a TLS client certificate. Adding an SSH host shows its key to compare with the host&apos;s own before anything is saved; a TCP one is checked against the CA you give. Private keys and certificates are kept on this server and never shown again.
      </PageHeader>
      <EnvironmentsAdmin environments={listEnvironments(runtime(), caller)} actions={{ scan: scanEnvironmentAction, add: addEnvironmentAction, remove: removeEnvironmentAction }} />
    </div>
  );
}
