'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto, PlanPreviewDto } from '@/lib/dto/operations';
import { PlanReview } from '@/components/deployments/plan-review';
import { PreflightNote, preflightAllowsConfirm, preflightOverride } from '@/components/deployments/preflight-note';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { useToast } from '@/components/ui/toast';
import { useEnvironment } from '@/components/shell/environment-context';

const box = 'mb-4 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-indigo-200 bg-indigo-50 p-4 text-sm dark:border-indigo-900 dark:bg-indigo-950';

/** No project yet: the way to the initialise form, instead of the CLI's "Run tale init". */
export function InitialiseHint({ deployDir }: { deployDir: string }) {
  const { href } = useEnvironment();
  return (
    <div data-testid="first-run-initialise" className={box}>
      <span>
        There is no Tale project in <code className="break-all">{deployDir}</code> yet.
      </span>
      <Link className="font-medium text-indigo-700 underline dark:text-indigo-300" href={href('/settings#initialise')}>
        Initialise it in Settings
      </Link>
    </div>
  );
}

type Actions = { preview: (input: unknown) => Promise<ActionResult<PlanPreviewDto>>; deploy: (input: unknown) => Promise<ActionResult<OperationDto>> };

/**
 * Initialised, nothing deployed: "Deploy <newest>" with the deploy dialog's confirmation (the plan,
 * read before anything changes). Shown to operators and admins only.
 */
export function DeployNewest({ version, actions }: { version: string; actions: Actions }) {
  const router = useRouter();
  const { href } = useEnvironment();
  const toast = useToast();
  const [busy, start] = useTransition();
  const [review, setReview] = useState<PlanPreviewDto | null>(null);
  const [overrideReason, setOverrideReason] = useState('');
  const preview = () =>
    start(async () => {
      const res = await actions.preview({ kind: 'deploy', version });
      if (!res.ok) return toast(res.message, 'error');
      setReview(res.data);
    });
  const confirm = () =>
    start(async () => {
      const res = await actions.deploy({ version, overridePreflight: preflightOverride(review?.preflight ?? null, overrideReason) });
      if (!res.ok) {
        setReview(null);
        return toast(res.message, 'error');
      }
      router.push(href(`/deployments/${res.data.id}`));
    });
  return (
    <div data-testid="first-deploy" className={box}>
      <span>Nothing is deployed yet. The newest release is {version}.</span>
      <Button busy={busy} onClick={preview}>
        Deploy {version}
      </Button>
      <Dialog open={review !== null} title={`Deploy ${version}`} onClose={() => setReview(null)}>
        {review && (
          <div className="space-y-3">
            {review.preflight && <PreflightNote preflight={review.preflight} reason={overrideReason} onReason={setOverrideReason} />}
            <PlanReview plan={review} />
            <CancelConfirmButtons onCancel={() => setReview(null)} busy={busy} disabled={!preflightAllowsConfirm(review.preflight, overrideReason)} onConfirm={confirm}>
              Deploy {version}
            </CancelConfirmButtons>
          </div>
        )}
      </Dialog>
    </div>
  );
}
