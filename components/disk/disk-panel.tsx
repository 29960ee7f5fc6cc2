'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import { useEnvironment } from '@/components/shell/environment-context';
import { changeAction } from '@/lib/call-action';
import type { DiskUsageDto } from '@/lib/dto/disk';
import type { OperationDto } from '@/lib/dto/operations';
import { formatBytes } from '@/lib/format-usage';
import { formatTime } from '@/lib/format-time';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { Cell, Table } from '@/components/ui/table';

type Props = {
  usage: DiskUsageDto | null;
  error: string | null;
  canPrune: boolean;
  prune: (input: unknown) => Promise<ActionResult<OperationDto>>;
};

/**
 * Usage tables and "Remove unused images": the dialog lists exactly the plan the server computed
 * and its total before anything runs, and sends the plan's id, so a plan that changed meanwhile is
 * refused and shown again instead of removing something nobody reviewed.
 */
export function DiskPanel({ usage, error, canPrune, prune }: Props) {
  const router = useRouter();
  const { href } = useEnvironment();
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  if (!usage) {
    return (
      <p role="alert" className="text-sm text-red-600">
        {error ?? 'Disk usage cannot be read.'}
      </p>
    );
  }
  const plan = usage.plan;
  const run = () =>
    start(async () => {
      const res = await changeAction(() => prune({ planId: plan.id }));
      if (!res.ok) {
        setMessage(res.message);
        // A changed plan: show the current one, to be reviewed again.
        if (res.code === 'DISK_PLAN_CHANGED') router.refresh();
        return;
      }
      router.push(href(`/deployments/${res.data.id}`));
    });

  return (
    <div className="space-y-8">
      <section aria-labelledby="disk-images" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="disk-images" className="text-lg font-semibold">
            Images <span className="text-sm font-normal text-zinc-600 dark:text-zinc-400">({formatBytes(usage.imagesBytes)} in all, shared layers counted per image)</span>
          </h2>
          {canPrune && (
            <Button variant="secondary" disabled={plan.images.length === 0} onClick={() => (setMessage(null), setOpen(true))}>
              Remove unused images…
            </Button>
          )}
        </div>
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="disk-summary">
          Live release {usage.liveVersion ?? 'none'}; a rollback goes to {usage.previousVersions.join(' or ') || 'no recorded release'}.{' '}
          {plan.blocked ?? (plan.images.length === 0 ? 'No image of the stack is unused.' : `${plan.images.length} unused, at least ${formatBytes(plan.freedBytes)} to free.`)}
        </p>
        <Table head={['Image', 'Size', 'Used by', 'Removal']}>
          {usage.images.map((i) => (
            <tr key={i.id} data-testid="disk-image">
              <Cell>
                <span className="font-mono text-xs break-all">{i.names[0] ?? i.id}</span>
                {i.names.length > 1 && <span className="text-xs text-zinc-600 dark:text-zinc-400"> and {i.names.length - 1} more names</span>}
                <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                  {i.version ?? 'no version'} · built {formatTime(i.created)}
                </span>
              </Cell>
              <Cell>
                {formatBytes(i.size)}
                <span className="block text-xs text-zinc-600 dark:text-zinc-400">{i.sharedSize === null ? 'shared: unknown' : `shared: ${formatBytes(i.sharedSize)}`}</span>
              </Cell>
              <Cell>
                <span className="text-xs">
                  {i.releases.length ? `releases ${i.releases.join(', ')}` : 'no release record'}; {i.containers.length ? `containers ${i.containers.join(', ')}` : 'no container'}
                </span>
              </Cell>
              <Cell>{i.remove ? <Badge tone="warn">unused: removed</Badge> : <span className="text-xs">kept: {i.keptBecause.join('; ')}</span>}</Cell>
            </tr>
          ))}
        </Table>
      </section>

      <section aria-labelledby="disk-volumes" className="space-y-3">
        <h2 id="disk-volumes" className="text-lg font-semibold">
          Volumes <span className="text-sm font-normal text-zinc-600 dark:text-zinc-400">({formatBytes(usage.volumesBytes)})</span>
        </h2>
        <Table head={['Volume', 'Size', 'Containers']}>
          {usage.volumes.map((v) => (
            <tr key={v.name}>
              <Cell>
                <span className="font-mono text-xs">{v.name}</span>
              </Cell>
              <Cell>{formatBytes(v.size)}</Cell>
              <Cell>{v.containers ?? '—'}</Cell>
            </tr>
          ))}
        </Table>
      </section>

      <section aria-labelledby="disk-build-cache" className="space-y-1">
        <h2 id="disk-build-cache" className="text-lg font-semibold">
          Build cache
        </h2>
        <p className="text-sm">
          {usage.buildCacheBytes === null ? 'Docker reports no build cache.' : `${formatBytes(usage.buildCacheBytes)}, shared by every build on this host (not removed here).`}
        </p>
      </section>

      <Dialog open={open} title="Remove unused images" onClose={() => setOpen(false)}>
        <div className="space-y-3" data-testid="prune-preview">
          <p>These images of the stack are used by no container and by neither the live nor the previous release. Each can be pulled again from the registry.</p>
          <ul className="list-disc pl-6 text-sm">
            {plan.images.map((i) => (
              <li key={i.id}>
                <span className="font-mono text-xs break-all">{i.names[0] ?? i.id}</span> — {formatBytes(i.size)}, {i.uniqueSize === null ? 'its own share unknown' : `${formatBytes(i.uniqueSize)} its own`}
              </li>
            ))}
          </ul>
          <p className="font-semibold" data-testid="prune-total">
            Frees at least {formatBytes(plan.freedBytes)}
            {plan.unknownSizes > 0 ? ` (and ${plan.unknownSizes} of unknown size)` : ''}.
          </p>
          <p className="text-xs text-zinc-600 dark:text-zinc-400">
            “At least”: each image counts only the layers no other image uses; layers only these images share with each other are freed too.
          </p>
          {message && (
            <p role="alert" className="text-sm text-red-600">
              {message}
            </p>
          )}
          <CancelConfirmButtons onCancel={() => setOpen(false)} onConfirm={run} busy={pending} variant="danger">
            Remove {plan.images.length} {plan.images.length === 1 ? 'image' : 'images'}
          </CancelConfirmButtons>
        </div>
      </Dialog>
    </div>
  );
}
