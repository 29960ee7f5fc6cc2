'use client';
import { useTransition } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto } from '@/lib/dto/operations';
import type { PendingDto } from '@/lib/dto/settings';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { useToast } from '@/components/ui/toast';

/** `apply` is null for a reader who may not apply (an operator): the banner then only informs. */
type Props = { pending: PendingDto; apply: (() => Promise<ActionResult<OperationDto>>) | null };

export function ApplyNow({ pending, apply }: Props) {
  const router = useRouter();
  const toast = useToast();
  const [busy, start] = useTransition();
  const what = pending.proxy
    ? `Recreates the proxy in place${pending.colors ? ', then (on the next click) the colors with a blue-green deploy' : ''}.`
    : 'Deploys the running version again with blue-green switching: no downtime.';
  return (
    <div role="status" className="mb-6 flex flex-wrap items-center gap-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
      <Badge tone="warn">Pending</Badge>
      <span className="flex-1">
        {pending.files.join(' and ')} changed; the running stack uses the previous settings until the next deploy.{' '}
        {apply ? what : 'An admin can apply them now.'}
      </span>
      {apply && (
        <Button
          busy={busy}
          onClick={() =>
            start(async () => {
              const res = await apply();
              if (!res.ok) return toast(res.message, 'error');
              router.push(`/deployments/${res.data.id}`);
            })
          }
        >
          Apply now
        </Button>
      )}
    </div>
  );
}
