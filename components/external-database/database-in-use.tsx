'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import type { DatabaseInUseDto } from '@/lib/dto/external-database';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { useToast } from '@/components/ui/toast';
import { useAction } from '@/components/ui/use-action';

/**
 * "In use: …" read from the running containers, and the pending mark when the files choose another
 * database for the next deploy. The overview and the database page show the same line.
 */
export function DatabaseInUseLine({ state }: { state: DatabaseInUseDto }) {
  return (
    <span className="flex flex-wrap items-center gap-2 text-sm">
      <span data-testid="database-in-use">In use: {state.inUse ? state.inUse.label : 'nothing runs'}</span>
      {state.pending && (
        // Not a Badge: a pill turns a sentence into a blob once it wraps on a phone.
        <span data-testid="database-pending" className="rounded-md bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-900/50 dark:text-amber-300">
          pending: {state.pending}
        </span>
      )}
    </span>
  );
}

const BUNDLED_STATE = { running: 'running', stopped: 'stopped (not used)', absent: 'no container' } as const;

type Props = {
  state: DatabaseInUseDto;
  removeVolume: (input: unknown) => Promise<ActionResult<{ removed: string }>>;
};

/** The database page's account of what runs, and the one way to delete the bundled db's data. */
export function DatabaseInUse({ state, removeVolume }: Props) {
  const router = useRouter();
  const toast = useToast();
  const { errors, busy, run } = useAction();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const { bundled } = state;
  return (
    <div className="space-y-2">
      <DatabaseInUseLine state={state} />
      {state.services.length > 0 && (
        <ul className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="database-services">
          {state.services.map((s) => (
            <li key={s.container}>
              {s.container}: {s.use ? s.use.label : 'unknown'}
            </li>
          ))}
        </ul>
      )}
      <p className="text-sm" data-testid="bundled-db-state">
        Bundled db ({bundled.container}): {bundled.state === 'running' && state.configured.kind === 'external' ? 'running until the next deploy' : BUNDLED_STATE[bundled.state]}
        {bundled.volumeExists ? `; its data is kept in the volume ${bundled.volume}.` : `; the volume ${bundled.volume} does not exist.`}
      </p>
      {bundled.volumeExists && state.configured.kind === 'external' && (
        <div className="space-y-1">
          <Button variant="danger" disabled={bundled.removalBlocked !== null} onClick={() => (setTyped(''), setOpen(true))}>
            Remove the bundled database volume
          </Button>
          {bundled.removalBlocked && <p className="text-xs text-zinc-500">{bundled.removalBlocked}</p>}
        </div>
      )}
      <Dialog open={open} title="Remove the bundled database volume?" onClose={() => setOpen(false)}>
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            run(removeVolume, { confirm: typed }, (d) => {
              setOpen(false);
              toast(`Removed ${d.removed}.`);
              router.refresh();
            });
          }}
        >
          <p>
            Deletes the bundled PostgreSQL&apos;s data for good: everything Tale wrote there before the switch. Going back to the bundled database then
            starts it empty.
          </p>
          <FormField id="confirm-volume" label={`Type ${bundled.volume} to confirm`} errors={errors.confirm}>
            <Input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
          </FormField>
          <CancelConfirmButtons onCancel={() => setOpen(false)} variant="danger" busy={busy} disabled={typed.trim() !== bundled.volume}>
            Remove the volume
          </CancelConfirmButtons>
        </form>
      </Dialog>
    </div>
  );
}
