import { BackupTargetForm } from '@/components/backups/backup-target-form';
import { BackupsPanel } from '@/components/backups/backups-panel';
import { PageHeader } from '@/components/shell/page-header';
import { CodedError } from '@/lib/errors';
import { requirePageContext } from '@/server/auth/session';
import { getBackupTarget } from '@/server/services/backup-target';
import { listBackups } from '@/server/services/backups';
import { resetTargets } from '@/server/services/operations';
import { checkRepositoryAction, saveTargetAction, testTargetAction } from './target-actions';
import { BackupScheduleForm } from '@/components/backups/backup-schedule-form';
import { getSchedule } from '@/server/services/backup-schedule';
import { backupAction, checkAction, drillAction, projectFilesDiffAction, restoreAction, restoreProjectFilesAction, scheduleAction } from './actions';

export const metadata = { title: 'Backups' };
export const dynamic = 'force-dynamic';

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function BackupsPage({ searchParams }: { searchParams: Search }) {
  const { rt, caller } = await requirePageContext(await searchParams, 'operator');
  // Every action this page hands its forms acts on the page's environment (its own repository too).
  const env = rt.environment.id;
  let list = null;
  let error: string | null = null;
  try {
    list = await listBackups(rt, caller);
  } catch (err) {
    if (!(err instanceof CodedError)) throw err;
    error = err.message;
  }
  const { projectId } = await resetTargets(rt);
  // The repository setting is for admins only: the target receives everything the backups hold.
  const target = caller.user.role === 'admin' ? await getBackupTarget(rt, caller) : null;
  return (
    <>
      <PageHeader title="Backups">
        The databases, the state volumes and the project files, kept in an encrypted, deduplicating restic repository. Restoring replaces the databases and the volumes.
      </PageHeader>
      <BackupsPanel
        list={list}
        error={error}
        projectId={projectId}
        role={caller.user.role}
        actions={{
          backup: backupAction.bind(null, env),
          restore: restoreAction.bind(null, env),
          drill: drillAction.bind(null, env),
          check: checkAction.bind(null, env),
          projectFilesDiff: projectFilesDiffAction.bind(null, env),
          restoreProjectFiles: restoreProjectFilesAction.bind(null, env),
        }}
      />
      {target?.ok && <BackupTargetForm target={target.data} actions={{ save: saveTargetAction.bind(null, env), test: testTargetAction.bind(null, env), check: checkRepositoryAction.bind(null, env) }} />}
      <BackupScheduleForm initial={getSchedule(rt, caller)} canEdit={caller.user.role === 'admin'} save={scheduleAction.bind(null, env)} />
    </>
  );
}
