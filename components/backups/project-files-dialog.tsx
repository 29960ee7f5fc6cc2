'use client';
import { useEffect, useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { changeAction, readAction } from '@/lib/call-action';
import type { BackupDto, ProjectFilesDiffDto, ProjectFilesRestoredDto } from '@/lib/dto/backups';
import { EnvDiffView, LineDiffView } from '@/components/settings/diff-view';
import { Badge } from '@/components/ui/badge';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { formatTime } from '@/lib/format-time';

type Props = {
  backup: BackupDto | null;
  projectId: string | null;
  canRestore: boolean;
  onClose: () => void;
  /** Server actions: stable references, so the diff is read once per opened backup. */
  diffAction: (input: unknown) => Promise<ActionResult<ProjectFilesDiffDto>>;
  restoreAction: (input: unknown) => Promise<ActionResult<ProjectFilesRestoredDto>>;
};

const STATUS = {
  same: { tone: 'neutral', text: 'same' },
  changed: { tone: 'warn', text: 'differs' },
  'only-in-backup': { tone: 'warn', text: 'only in the backup' },
  'only-now': { tone: 'neutral', text: 'only now (kept)' },
} as const;

/**
 * A backup's project files against the current ones, file by file (secrets masked), and for
 * admins the separate, typed-confirmed choice to write them back. Not part of a data restore.
 */
export function ProjectFilesDialog({ backup, projectId, canRestore, onClose, diffAction, restoreAction }: Props) {
  const [pending, start] = useTransition();
  const [diff, setDiff] = useState<ProjectFilesDiffDto | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<ProjectFilesRestoredDto | null>(null);
  const [typed, setTyped] = useState('');
  const [errors, setErrors] = useState<Record<string, string[]>>({});

  useEffect(() => {
    setDiff(null);
    setDone(null);
    setTyped('');
    setErrors({});
    setMessage(null);
    if (!backup) return;
    start(async () => {
      const res = await readAction(() => diffAction({ snapshot: backup.id }));
      if (res.ok) setDiff(res.data);
      else setMessage(res.message);
    });
  }, [backup, diffAction]);

  const restore = () =>
    start(async () => {
      if (!backup) return;
      const res = await changeAction(() => restoreAction({ snapshot: backup.id, projectId: typed }));
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        return setMessage(res.message);
      }
      setMessage(null);
      setDone(res.data);
    });

  const differs = diff?.files.some((f) => f.status === 'changed' || f.status === 'only-in-backup') ?? false;
  return (
    <Dialog open={backup !== null} title="Project files of this backup" onClose={onClose}>
      <div className="space-y-3" data-testid="project-files">
        {!diff && !message && <p className="text-sm">Reading the backup’s project files…</p>}
        {diff && (
          <>
            <p className="text-sm">What restoring them would change, from the current files (left, struck out) to the backup’s of {formatTime(diff.startedAt)}. Secrets are masked.</p>
            <ul className="space-y-2">
              {diff.files.map((f) => (
                <li key={f.path} data-testid={`project-file-${f.path}`}>
                  <code>{f.path}</code> <Badge tone={STATUS[f.status].tone}>{STATUS[f.status].text}</Badge>
                  {f.env && <EnvDiffView diff={f.env} />}
                  {f.lines && <LineDiffView diff={f.lines} />}
                </li>
              ))}
            </ul>
          </>
        )}
        {done && (
          <p role="status" data-testid="project-files-restored" className="text-sm">
            Restored {done.restored.length ? done.restored.join(', ') : 'nothing (every file was the same)'}; the previous versions are kept in .tale/backups/. A deploy applies them to the services.
          </p>
        )}
        {canRestore && diff && differs && !done && (
          <>
            <FormField id="confirm-project-files" label={`Type the project id (${projectId ?? 'unknown'}) to restore these files`} errors={errors.projectId}>
              <Input value={typed} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
            </FormField>
            <CancelConfirmButtons onCancel={onClose} variant="danger" busy={pending} disabled={!typed.trim()} onConfirm={restore}>
              Restore project files
            </CancelConfirmButtons>
          </>
        )}
        {message && (
          <p role="alert" className="text-sm text-red-600">
            {message}
          </p>
        )}
      </div>
    </Dialog>
  );
}
