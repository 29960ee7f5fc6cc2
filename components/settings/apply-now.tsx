'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import { useEnvironment } from '@/components/shell/environment-context';
import { changeAction, readAction } from '@/lib/call-action';
import type { OperationDto, PlanPreviewDto } from '@/lib/dto/operations';
import type { PendingDto } from '@/lib/dto/settings';
import { PlanReview } from '@/components/deployments/plan-review';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { useToast } from '@/components/ui/toast';

type Actions = { preview: () => Promise<ActionResult<PlanPreviewDto>>; apply: () => Promise<ActionResult<OperationDto>> };
/** `actions` is null for a reader who may not apply (an operator): the banner then only informs. */
type Props = { pending: PendingDto; actions: Actions | null };

/**
 * The pending-changes banner. "Apply now" runs one operation for every pending change (the proxy,
 * then the colours) and first shows the plan it would run, like the deploy
 * dialog, so the admin reads before confirming whether (and for how long) the site goes away
 * while the proxy restarts.
 */
export function ApplyNow({ pending, actions }: Props) {
  const router = useRouter();
  const { href } = useEnvironment();
  const toast = useToast();
  const [busy, start] = useTransition();
  const [review, setReview] = useState<PlanPreviewDto | null>(null);
  // One operation does everything the changes need, in this order (settings-apply.ts).
  const what = pending.proxy
    ? `Recreates the proxy when its configuration changed${pending.colors ? ', then deploys the running version again with blue-green switching, in one operation' : ''}.`
    : 'Deploys the running version again with blue-green switching: no downtime.';
  const preview = () =>
    start(async () => {
      if (!actions) return;
      const res = await readAction(() => actions.preview());
      if (!res.ok) return toast(res.message, 'error');
      setReview(res.data);
    });
  const confirm = () =>
    start(async () => {
      if (!actions) return;
      const res = await changeAction(() => actions.apply());
      if (!res.ok) {
        setReview(null);
        return toast(res.message, 'error');
      }
      router.push(href(`/deployments/${res.data.id}`));
    });
  return (
    <>
      <div role="status" className="mb-6 flex flex-wrap items-center gap-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
        <Badge tone="warn">Pending</Badge>
        <span className="flex-1">
          {pending.files.join(' and ')} changed; the running stack uses the previous settings until the next deploy.{' '}
          {actions ? what : 'An admin can apply them now.'}
        </span>
        {actions && (
          <Button busy={busy} onClick={preview}>
            Apply now
          </Button>
        )}
      </div>
      <Dialog open={review !== null} title="Apply the saved settings" onClose={() => setReview(null)}>
        {review && (
          <div className="space-y-3">
            <PlanReview plan={review} />
            <CancelConfirmButtons onCancel={() => setReview(null)} busy={busy} onConfirm={confirm}>
              Apply
            </CancelConfirmButtons>
          </div>
        )}
      </Dialog>
    </>
  );
}
