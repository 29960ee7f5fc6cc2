import { PageHeader } from '@/components/shell/page-header';
import { DatabaseInUse } from '@/components/external-database/database-in-use';
import { DatabaseWizard } from '@/components/external-database/database-wizard';
import { requirePageContext } from '@/server/auth/session';
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

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function DatabaseSettingsPage({ searchParams }: { searchParams: Search }) {
  const { rt, caller } = await requirePageContext(await searchParams, 'admin');
  // Every step acts on the page's environment.
  const env = rt.environment.id;
  const mode = await externalDatabaseMode(rt, caller);
  // Docker unreachable: the wizard still works on the files; the running side is just not shown.
  const inUse = await getDatabaseInUse(rt, caller).catch(() => null);
  return (
    <>
      <PageHeader title="External database">
        Run Tale on your own PostgreSQL instead of the bundled one: connect, check, prepare, copy the existing data, configure and verify, each step shown
        before it changes anything.
      </PageHeader>
      <DatabaseWizard
        mode={mode}
        inUse={inUse && <DatabaseInUse state={inUse} removeVolume={removeBundledVolumeAction.bind(null, env)} />}
        actions={{
          test: testConnectionAction.bind(null, env),
          check: checkServerAction.bind(null, env),
          preview: previewPrepareAction.bind(null, env),
          prepare: prepareServerAction.bind(null, env),
          configure: configureAction.bind(null, env),
          copy: copyDataAction.bind(null, env),
          copyStatus: copyStatusAction.bind(null, env),
          verify: verifyAction.bind(null, env),
          useBundled: useBundledAction.bind(null, env),
        }}
      />
    </>
  );
}
