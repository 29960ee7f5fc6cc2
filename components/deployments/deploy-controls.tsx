'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto } from '@/lib/dto/operations';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { useToast } from '@/components/ui/toast';

type Start = (input: unknown) => Promise<ActionResult<OperationDto>>;
type Props = {
  previousVersion: string | null;
  activeVersion: string | null;
  canOperate: boolean;
  actions: { deploy: Start; rollback: Start; cleanup: Start };
};

type Confirm = { kind: 'deploy'; version: string; all: boolean } | { kind: 'rollback' } | { kind: 'cleanup' } | null;

export function DeployControls({ previousVersion, activeVersion, canOperate, actions }: Props) {
  const router = useRouter();
  const toast = useToast();
  const [version, setVersion] = useState('');
  const [all, setAll] = useState(false);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [pending, start] = useTransition();

  const go = (run: () => Promise<ActionResult<OperationDto>>) =>
    start(async () => {
      const res = await run();
      setConfirm(null);
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        toast(res.message, 'error');
        return;
      }
      router.push(`/deployments/${res.data.id}`);
    });

  if (!canOperate) return <p className="text-sm text-zinc-500">Your role can watch deployments but not start them.</p>;

  return (
    <div className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex flex-wrap items-end gap-3">
        <div className="w-56">
          <FormField id="version" label="Version" errors={errors.version} hint="Empty: the newest in the registry">
            <Input value={version} placeholder="e.g. 1.2.3" onChange={(e) => setVersion(e.target.value.trim())} />
          </FormField>
        </div>
        <label className="flex items-center gap-2 pb-7 text-sm">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          Include infrastructure (db, proxy, convex)
        </label>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" busy={pending} onClick={() => go(() => actions.deploy({ version: version || undefined, all, dryRun: true }))}>
          Dry run
        </Button>
        <Button busy={pending} onClick={() => setConfirm({ kind: 'deploy', version, all })}>
          Deploy {version || 'newest'}
        </Button>
        <Button variant="secondary" disabled={!previousVersion} onClick={() => setConfirm({ kind: 'rollback' })}>
          {previousVersion ? `Roll back to ${previousVersion}` : 'No previous release'}
        </Button>
        <Button variant="secondary" onClick={() => setConfirm({ kind: 'cleanup' })}>
          Clean up inactive colour
        </Button>
      </div>

      <Dialog open={confirm !== null} title="Confirm" onClose={() => setConfirm(null)}>
        {confirm?.kind === 'deploy' && (
          <p>
            Deploy {confirm.version || 'the newest version'} {activeVersion ? `(now ${activeVersion})` : ''} as a blue-green switch
            {confirm.all ? ', recreating db, proxy and convex (a short interruption)' : ''}? The live colour keeps serving until the
            new one is healthy.
          </p>
        )}
        {confirm?.kind === 'rollback' && (
          <p>
            Roll back to {previousVersion}? Convex data and indexes are not rolled back: a release with forward-only schema changes may
            not run on data the newer version already migrated.
          </p>
        )}
        {confirm?.kind === 'cleanup' && <p>Remove the inactive colour&apos;s containers? The live colour is not touched.</p>}
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirm(null)}>
            Cancel
          </Button>
          <Button
            busy={pending}
            onClick={() => {
              if (confirm?.kind === 'deploy') go(() => actions.deploy({ version: confirm.version || undefined, all: confirm.all }));
              if (confirm?.kind === 'rollback') go(() => actions.rollback({}));
              if (confirm?.kind === 'cleanup') go(() => actions.cleanup({}));
            }}
          >
            Continue
          </Button>
        </div>
      </Dialog>
    </div>
  );
}
