'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import { useEnvironment } from '@/components/shell/environment-context';
import { changeAction } from '@/lib/call-action';
import type { BackupDto, BackupListDto, DrillDto, ProjectFilesDiffDto, ProjectFilesRestoredDto } from '@/lib/dto/backups';
import { ProjectFilesDialog } from './project-files-dialog';
import type { OperationDto } from '@/lib/dto/operations';
import type { Role } from '@/lib/roles';
import { formatBytes } from '@/lib/format-usage';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Cell, Table } from '@/components/ui/table';
import { formatTime } from '@/lib/format-time';

type Started = OperationDto & { repositoryPassword?: string | null };
type Props = {
  list: BackupListDto | null;
  error: string | null;
  projectId: string | null;
  role: Role;
  actions: {
    backup: (input: unknown) => Promise<ActionResult<Started>>;
    restore: (input: unknown) => Promise<ActionResult<OperationDto>>;
    drill: (input: unknown) => Promise<ActionResult<OperationDto>>;
    check: (input: unknown) => Promise<ActionResult<OperationDto>>;
    projectFilesDiff: (input: unknown) => Promise<ActionResult<ProjectFilesDiffDto>>;
    restoreProjectFiles: (input: unknown) => Promise<ActionResult<ProjectFilesRestoredDto>>;
  };
};

const DRILL_TONE = { passed: 'good', failed: 'bad', running: 'warn', cancelled: 'neutral', interrupted: 'neutral' } as const;

/** The latest restore drill of a backup: passed, or failed with the tables that differ in its title. */
function DrillCell({ drill }: { drill: DrillDto | null }) {
  const { href } = useEnvironment();
  if (!drill) return <span className="text-zinc-500">not drilled</span>;
  return (
    <a href={href(`/deployments/${drill.operationId}`)} title={drill.error?.message ?? `${drill.tables ?? 0} tables matched, ${formatTime(drill.startedAt)}`} data-testid="drill-status">
      <Badge tone={DRILL_TONE[drill.status]}>{drill.status === 'passed' ? 'restorable' : drill.status}</Badge>
      {drill.error && <span className="ml-2 block max-w-xs truncate text-xs text-red-600">{drill.error.message}</span>}
    </a>
  );
}

const rowsOf = (b: BackupDto) => b.databases.reduce((n, d) => n + d.tables.reduce((m, t) => m + t.rows, 0), 0);
const tablesOf = (b: BackupDto) => b.databases.reduce((n, d) => n + d.tables.length, 0);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The list of backups with "Back up now" (operators) and "Restore" (admins, behind the typed
 * project id, checked again on the server). The first backup creates the repository and shows its
 * password here once; the operation's own page follows the progress.
 */
/** The external servers a backup's databases came from, `host:port`, as the restore's confirmation names them (server/services/backups.ts). */
function externalServers(b: BackupDto): string | null {
  const labels = [...new Set(b.databases.flatMap((d) => (d.source.kind === 'external' ? [`${d.source.host.includes(':') ? `[${d.source.host}]` : d.source.host}:${d.source.port}`] : [])))].sort();
  return labels.length ? labels.join(', ') : null;
}

export function BackupsPanel({ list, error, projectId, role, actions }: Props) {
  const router = useRouter();
  const { href } = useEnvironment();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const [password, setPassword] = useState<{ value: string; operationId: string } | null>(null);
  const [restoring, setRestoring] = useState<BackupDto | null>(null);
  const [typed, setTyped] = useState('');
  const [typedServer, setTypedServer] = useState('');
  const [skipReason, setSkipReason] = useState<string | null>(null);
  const [files, setFiles] = useState<BackupDto | null>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});

  const backUp = () =>
    start(async () => {
      setMessage(null);
      const res = await changeAction(() => actions.backup({}));
      if (!res.ok) return setMessage(res.message);
      if (res.data.repositoryPassword) setPassword({ value: res.data.repositoryPassword, operationId: res.data.id });
      else router.push(href(`/deployments/${res.data.id}`));
    });
  const restore = (b: BackupDto) =>
    start(async () => {
      const res = await changeAction(() =>
        actions.restore({
          snapshot: b.id,
          projectId: typed,
          ...(skipReason !== null ? { skipBackup: { reason: skipReason } } : {}),
          ...(externalServers(b) ? { externalServer: typedServer } : {}),
          }),
      );
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        return setMessage(res.message);
      }
      router.push(href(`/deployments/${res.data.id}`));
    });

  const operate = (run: () => Promise<ActionResult<OperationDto>>) =>
    start(async () => {
      setMessage(null);
      const res = await changeAction(run);
      if (!res.ok) return setMessage(res.message);
      router.push(href(`/deployments/${res.data.id}`));
    });

  const canBackUp = role !== 'viewer';
  const canRestore = role === 'admin';
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        {canBackUp && (
          <Button onClick={backUp} busy={pending} data-testid="backup-now">
            Back up now
          </Button>
        )}
        {canBackUp && list?.repository.initialised && (
          <Button variant="secondary" onClick={() => operate(() => actions.check({}))} busy={pending} data-testid="check-repository">
            Check repository
          </Button>
        )}
        {list && <span className="text-sm text-zinc-600 dark:text-zinc-400">Repository: <code>{list.repository.location}</code></span>}
      </div>
      {list?.unfinishedRestore && (
        <p role="alert" data-testid="unfinished-restore" className="rounded border border-red-300 p-2 text-sm text-red-700 dark:text-red-400">
          The last restore {list.unfinishedRestore.status === 'interrupted' ? 'was interrupted' : `ended ${list.unfinishedRestore.status}`}: {list.unfinishedRestore.message ?? ''}{' '}
          <a className="underline" href={href(`/deployments/${list.unfinishedRestore.operationId}`)}>
            Its timeline
          </a>
        </p>
      )}
      {(message || error) && (
        <p role="alert" data-testid="backup-error" className="text-sm text-red-600">
          {message ?? error}
        </p>
      )}

      {list && list.backups.length === 0 ? (
        <EmptyState title="No backups yet">
          The first backup creates the repository and shows its password once: keep it somewhere safe, since without it no backup can be read.
        </EmptyState>
      ) : (
        list && (
          <Table head={['Taken', 'Kind', 'By', 'Release', 'Size (added)', 'Duration', 'Rows', 'Restore drill', '']}>
            {list.backups.map((b) => (
              <tr key={b.id} id={`backup-${b.backupId}`} data-testid="backup-row">
                <Cell>
                  <span title={b.id}>{formatTime(b.startedAt)}</span>
                </Cell>
                <Cell>{b.kind}</Cell>
                <Cell>{b.startedBy ?? 'system'}</Cell>
                <Cell>{b.release?.version ?? '—'}</Cell>
                <Cell>
                  {formatBytes(b.bytes)} ({formatBytes(b.dataAdded)})
                </Cell>
                <Cell>{seconds(b.durationMs)}</Cell>
                <Cell>
                  <span title={b.databases.map((d) => `${d.name}: ${d.tables.map((t) => `${t.schema}.${t.table} ${t.rows}`).join(', ')}`).join('\n')}>
                    {rowsOf(b).toLocaleString('en-US')} rows in {tablesOf(b)} {tablesOf(b) === 1 ? 'table' : 'tables'}
                  </span>
                </Cell>
                <Cell>
                  <DrillCell drill={b.drill} />
                </Cell>
                <Cell>
                  {canBackUp && (
                    <Button variant="secondary" onClick={() => operate(() => actions.drill({ snapshot: b.id }))} busy={pending} data-testid="run-drill">
                      Run drill
                    </Button>
                  )}{' '}
                  {canRestore && (
                    <Button variant="secondary" onClick={() => (setTyped(''), setSkipReason(null), setErrors({}), setMessage(null), setRestoring(b))}>
                      Restore…
                    </Button>
                  )}{' '}
                  {canBackUp && (
                    <Button variant="secondary" onClick={() => setFiles(b)} data-testid="project-files-button">
                      Project files: show diff{canRestore ? ' / restore' : ''}
                    </Button>
                  )}
                </Cell>
              </tr>
            ))}
          </Table>
        )
      )}

      <Dialog open={password !== null} title="Keep the repository password" onClose={() => password && router.push(href(`/deployments/${password.operationId}`))}>
        <div className="space-y-3">
          <p>The backup repository was created with this password. It is shown only now. Without it the backups cannot be read, for example on a new host: keep a copy somewhere safe, away from this server.</p>
          <p className="break-all rounded bg-zinc-100 p-2 font-mono text-sm dark:bg-zinc-800" data-testid="repository-password">
            {password?.value}
          </p>
          <Button onClick={() => password && router.push(href(`/deployments/${password.operationId}`))}>I have kept it: follow the backup</Button>
        </div>
      </Dialog>

      <ProjectFilesDialog
        backup={files}
        projectId={projectId}
        canRestore={canRestore}
        onClose={() => (setFiles(null), router.refresh())}
        diffAction={actions.projectFilesDiff}
        restoreAction={actions.restoreProjectFiles}
      />

      <Dialog open={restoring !== null} title="Restore this backup" onClose={() => setRestoring(null)}>
        {restoring && (
          <div className="space-y-3">
            <p>
              The site stops serving while the platform, rag, crawler and convex are stopped; every database is replaced by its copy from {formatTime(restoring.startedAt)} and the volumes{' '}
              {restoring.volumes.map((v) => v.key).join(', ')} are emptied and refilled. Changes made since then are lost. First a safety backup of the current state is taken, so this restore can be undone; when the backup’s release ({restoring.release?.version ?? 'unknown'}) is not the live one, it is deployed by digest before the site reopens. The project files (.env and the others) are not restored: that is a separate choice (“Project files”).
            </p>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={skipReason !== null} onChange={(e) => setSkipReason(e.target.checked ? '' : null)} />
              Skip the safety backup
            </label>
            {skipReason !== null && (
              <FormField id="skip-reason" label="Why this restore goes without a safety backup (audited)" errors={errors['skipBackup.reason'] ?? errors.skipBackup}>
                <Input value={skipReason} onChange={(e) => setSkipReason(e.target.value)} />
              </FormField>
            )}
            <FormField id="confirm-restore" label={`Type the project id (${projectId ?? 'unknown'}) to confirm`} errors={errors.projectId}>
              <Input value={typed} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
            </FormField>
            {externalServers(restoring) && (
              <FormField
                id="confirm-restore-external"
                label={`This restore writes into the external PostgreSQL server ${externalServers(restoring)}: type ${externalServers(restoring)} to confirm`}
                errors={errors.externalServer}
              >
                <Input value={typedServer} autoComplete="off" spellCheck={false} onChange={(e) => setTypedServer(e.target.value)} />
              </FormField>
            )}
            {message && (
              <p role="alert" data-testid="restore-error" className="text-sm text-red-600">
                {message}
              </p>
            )}
            <CancelConfirmButtons onCancel={() => setRestoring(null)} variant="danger" busy={pending} disabled={!typed.trim() || (externalServers(restoring) !== null && !typedServer.trim())} onConfirm={() => restore(restoring)}>
              Restore
            </CancelConfirmButtons>
          </div>
        )}
      </Dialog>
    </div>
  );
}
