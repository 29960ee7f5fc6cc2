import { PageHeader } from '@/components/shell/page-header';
import { DatabaseInUse } from '@/components/external-database/database-in-use';
import { DatabaseWizard } from '@/components/external-database/database-wizard';
import { requirePageCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { getDatabaseInUse } from '@/server/services/bundled-database';
import { externalDatabaseMode } from '@/server/services/external-database';
import {
  checkServerAction,
  configureAction,
  copyDataAction,
  copyStatusAction,
  prepareServerAction,
  previewPrepareAction,
  removeBundledVolumeAction,
  testConnectionAction,
  useBundledAction,
  verifyAction,
} from './actions';

export const metadata = { title: 'External database' };
export const dynamic = 'force-dynamic';

export default async function DatabaseSettingsPage() {
  const caller = await requirePageCaller('admin');
  const mode = await externalDatabaseMode(runtime(), caller);
  // Docker unreachable: the wizard still works on the files; the running side is just not shown.
  const inUse = await getDatabaseInUse(runtime(), caller).catch(() => null);
  return (
    <>
      <PageHeader title="External database">
        Run Tale on your own PostgreSQL instead of the bundled one: connect, check, prepare, copy the existing data, configure and verify, each step shown
        before it changes anything.
      </PageHeader>
      <DatabaseWizard
        mode={mode}
        inUse={inUse && <DatabaseInUse state={inUse} removeVolume={removeBundledVolumeAction} />}
        actions={{
          test: testConnectionAction,
          check: checkServerAction,
          preview: previewPrepareAction,
          prepare: prepareServerAction,
          configure: configureAction,
          copy: copyDataAction,
          copyStatus: copyStatusAction,
          verify: verifyAction,
          useBundled: useBundledAction,
        }}
      />
    </>
  );
}
