'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import { changeAction } from '@/lib/call-action';
import type { OperationDto } from '@/lib/dto/operations';
import { withEnv } from '@/lib/env-href';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';

type Start = (input: unknown) => Promise<ActionResult<OperationDto>>;
type Props = { projectId: string | null; volumes: string[]; actions: { cleanup: Start; reset: Start } };
type Open = { kind: 'cleanup' } | { kind: 'reset'; step: 'options' | 'volumes' } | null;

/**
 * Cleanup and reset, each behind the typed project id (checked again on the server). Deleting the
 * volumes is a second, separate confirmation that names them: it is the one step that loses data.
 */
export function DangerZone({ projectId, volumes, actions }: Props) {
  const router = useRouter();
  const [open, setOpen] = useState<Open>(null);
  const [typed, setTyped] = useState('');
  const [all, setAll] = useState(false);
  const [deleteVolumes, setDeleteVolumes] = useState(false);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();

  const show = (o: Open) => {
    setTyped('');
    setErrors({});
    setMessage(null);
    setAll(false);
    setDeleteVolumes(false);
    setOpen(o);
  };
  const run = (go: () => Promise<ActionResult<OperationDto>>) =>
    start(async () => {
      const res = await changeAction(go);
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        setMessage(res.message);
        if (open?.kind === 'reset') setOpen({ kind: 'reset', step: 'options' });
        return;
      }
      // The operation's page in the environment it runs on.
      router.push(withEnv(`/deployments/${res.data.id}`, res.data.environmentId));
    });

  // One per dialog: both stay in the DOM, and a label must point at its own input.
  const typedField = (id: string) => (
    <FormField id={id} label={`Type the project id (${projectId ?? 'unknown'}) to confirm`} errors={errors.projectId}>
      <Input value={typed} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
    </FormField>
  );
  // Both dialogs' buttons: the danger action waits for the typed id.
  const typedButtons = { onCancel: () => setOpen(null), variant: 'danger', busy: pending, disabled: !typed.trim() } as const;
  const refusal = message && (
    <p role="alert" data-testid="danger-error" className="text-sm text-red-600">
      {message}
    </p>
  );

  return (
    <section className="space-y-3 rounded-lg border border-red-200 p-4 dark:border-red-900" aria-labelledby="danger-zone">
      <h2 id="danger-zone" className="font-semibold text-red-700 dark:text-red-400">
        Danger zone
      </h2>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => show({ kind: 'cleanup' })}>
          Clean up inactive colour…
        </Button>
        <Button variant="danger" onClick={() => show({ kind: 'reset', step: 'options' })}>
          Reset…
        </Button>
      </div>

      <Dialog open={open?.kind === 'cleanup'} title="Clean up the inactive colour" onClose={() => setOpen(null)}>
        <div className="space-y-3">
          <p>Removes the containers of the colour that is not live. The live colour, the database and the volumes are not touched.</p>
          {typedField('confirm-cleanup')}
          {refusal}
          <CancelConfirmButtons {...typedButtons} onConfirm={() => run(() => actions.cleanup({ projectId: typed }))}>
            Clean up
          </CancelConfirmButtons>
        </div>
      </Dialog>

      <Dialog open={open?.kind === 'reset'} title={open?.kind === 'reset' && open.step === 'volumes' ? 'Delete the volumes too?' : 'Reset the stack'} onClose={() => setOpen(null)}>
        {open?.kind === 'reset' && open.step === 'options' && (
          <div className="space-y-3">
            <p>Removes both colours&apos; containers and forgets the live colour: the site is down until the next deploy.</p>
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={all} onChange={(e) => (setAll(e.target.checked), e.target.checked || setDeleteVolumes(false))} />
              Also remove db, proxy and convex, and the network
            </label>
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={deleteVolumes} disabled={!all} onChange={(e) => setDeleteVolumes(e.target.checked)} />
              Also delete the volumes (all data)
            </label>
            {typedField('confirm-reset')}
            {refusal}
            <CancelConfirmButtons
              {...typedButtons}
              onConfirm={() => (deleteVolumes ? setOpen({ kind: 'reset', step: 'volumes' }) : run(() => actions.reset({ projectId: typed, all, volumes: false })))}
            >
              {deleteVolumes ? 'Continue' : 'Reset'}
            </CancelConfirmButtons>
          </div>
        )}
        {open?.kind === 'reset' && open.step === 'volumes' && (
          <div className="space-y-3" data-testid="volumes-confirmation">
            <p className="font-semibold text-red-700 dark:text-red-400">These volumes will be deleted. The data in them is gone for good: every database row, upload and certificate.</p>
            <ul className="list-disc pl-6 font-mono text-xs">
              {volumes.map((v) => (
                <li key={v}>{v}</li>
              ))}
            </ul>
            <p>There is no undo; a backup is the only way back.</p>
            <CancelConfirmButtons
              onCancel={() => setOpen({ kind: 'reset', step: 'options' })}
              cancelLabel="Back"
              variant="danger"
              busy={pending}
              onConfirm={() => run(() => actions.reset({ projectId: typed, all: true, volumes: true }))}
            >
              Delete the volumes and reset
            </CancelConfirmButtons>
          </div>
        )}
      </Dialog>
    </section>
  );
}
