'use client';
import { useState, useTransition } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto, PlanPreviewDto } from '@/lib/dto/operations';
import type { ReleaseDto } from '@/lib/dto/overview';
import { withEnv } from '@/lib/env-href';
import { useEnvironment } from '@/components/shell/environment-context';
import { STACK_SERVICES } from '@/lib/schemas/operations';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input, Select } from '@/components/ui/input';
import { useToast } from '@/components/ui/toast';
import { PlanReview } from './plan-review';
import { SchemaWarning } from './schema-warning';
import { BackupGateNote, gateAllowsConfirm } from './backup-gate-note';
import { PreflightNote, preflightAllowsConfirm, preflightOverride } from './preflight-note';
import { changeAction, readAction } from '@/lib/call-action';

type Start = (input: unknown) => Promise<ActionResult<OperationDto>>;
type Props = {
  /** Newest first; null when the registry could not be asked (then a version is typed). */
  releases: ReleaseDto[] | null;
  registryError: string | null;
  previousVersion: string | null;
  /** Preselected, e.g. "deploy this release again" from the history. */
  initialVersion: string | null;
  canOperate: boolean;
  actions: { preview: (input: unknown) => Promise<ActionResult<PlanPreviewDto>>; deploy: Start; update: Start; rollback: Start };
};

function label(r: ReleaseDto): string {
  const marks = [r.current && 'current', r.previous && 'previous', !r.available && 'unavailable', r.failedHere && 'failed here'].filter(Boolean);
  return marks.length ? `${r.version} (${marks.join(', ')})` : r.version;
}

/** Version picker, options, the plan for review, and the confirmation that starts the operation. */
export function DeployControls({ releases, registryError, previousVersion, initialVersion, canOperate, actions }: Props) {
  const router = useRouter();
  const { href } = useEnvironment();
  const toast = useToast();
  const firstChoice = initialVersion ?? releases?.find((r) => r.available)?.version ?? '';
  const [version, setVersion] = useState(firstChoice);
  const [all, setAll] = useState(false);
  const [inPlace, setInPlace] = useState(false);
  const [services, setServices] = useState<string[]>(['platform']);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [review, setReview] = useState<PlanPreviewDto | null>(null);
  const [accepted, setAccepted] = useState(false);
  const [skipReason, setSkipReason] = useState('');
  const [overrideReason, setOverrideReason] = useState('');
  const [retry, setRetry] = useState(false);
  const [pending, start] = useTransition();

  if (!canOperate) return <p className="text-sm text-zinc-500">Your role can watch deployments but not start them.</p>;

  const chosen = releases?.find((r) => r.version === version);
  const target = version || undefined;
  const fail = (res: { message: string; fieldErrors?: Record<string, string[]> }) => {
    setErrors(res.fieldErrors ?? {});
    toast(res.message, 'error');
  };

  const plan = (input: unknown) =>
    start(async () => {
      const res = await readAction(() => actions.preview(input));
      if (!res.ok) return fail(res);
      setErrors({});
      setAccepted(false);
      setSkipReason('');
      setOverrideReason('');
      setRetry(false);
      setReview(res.data);
    });

  const run = (go: () => Promise<ActionResult<OperationDto>>) =>
    start(async () => {
      const res = await changeAction(go);
      if (!res.ok) {
        setReview(null);
        return fail(res);
      }
      // The operation's page in the environment it runs on.
      router.push(withEnv(`/deployments/${res.data.id}`, res.data.environmentId));
    });

  const confirm = () => {
    if (!review) return;
    // The server refuses a downgrade without the flag; it is sent only once the box is ticked.
    const allowDowngrade = review.downgrade && accepted;
    // A reason typed in the "skip the backup" disclosure skips the gate's backup for this operation.
    const skipBackup = review.backup.required && skipReason.trim() ? { reason: skipReason.trim() } : undefined;
    // A reason typed while a preflight check fails overrides it for this operation; the server checks again.
    const overridePreflight = preflightOverride(review.preflight, overrideReason);
    if (review.kind === 'rollback') run(() => actions.rollback({ skipBackup, overridePreflight }));
    else if (review.kind === 'update') run(() => actions.update({ version: review.version, services, allowDowngrade, skipBackup, overridePreflight }));
    // Likewise a release that failed its health check here: sent only once "retry" is ticked.
    else run(() => actions.deploy({ version: review.version, all, allowDowngrade, skipBackup, retryFailedRelease: review.failedHere !== null && retry, overridePreflight }));
  };
  const confirmLabel = review?.kind === 'rollback' ? `Roll back to ${review.version}` : review?.kind === 'update' ? `Update to ${review.version}` : `Deploy ${review?.version ?? ''}`;

  return (
    <div className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900" id="deploy">
      <div className="flex flex-wrap items-start gap-4">
        <div className="w-72">
          {releases ? (
            <>
            <FormField id="version" label="Version" errors={errors.version} hint={chosen && !chosen.available ? chosen.missing : 'Newest first, from the registry'}>
              <Select value={version} onChange={(e) => setVersion(e.target.value)}>
                {releases.map((r) => (
                  <option key={r.version} value={r.version} disabled={!r.available}>
                    {label(r)}
                  </option>
                ))}
              </Select>
            </FormField>
            {chosen?.failedHere && (
              <p className="mt-1 text-xs text-amber-700 dark:text-amber-400" data-testid="failed-here-badge">
                Failed its health check here ({chosen.failedHere.code}).{' '}
                <Link className="underline" href={href(`/deployments/${chosen.failedHere.operationId}`)}>
                  See that deploy
                </Link>
              </p>
            )}
            </>
          ) : (
            <FormField id="version" label="Version" errors={errors.version} hint={`The registry could not be asked (${registryError}). Empty: the newest.`}>
              <Input value={version} placeholder="e.g. 1.2.3" onChange={(e) => setVersion(e.target.value.trim())} />
            </FormField>
          )}
        </div>
        <fieldset className="space-y-2 pt-6 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={all} disabled={inPlace} onChange={(e) => setAll(e.target.checked)} />
            Include infrastructure (db, proxy, convex)
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={inPlace} onChange={(e) => setInPlace(e.target.checked)} />
            Update named services in place (no colour switch)
          </label>
          {inPlace && (
            <div className="flex flex-wrap gap-3 pl-6" role="group" aria-label="Services to update">
              {STACK_SERVICES.map((s) => (
                <label key={s} className="flex items-center gap-1">
                  <input
                    type="checkbox"
                    checked={services.includes(s)}
                    onChange={(e) => setServices((prev) => (e.target.checked ? [...prev, s] : prev.filter((x) => x !== s)))}
                  />
                  {s}
                </label>
              ))}
              {errors.services && <p className="w-full text-xs text-red-600">{errors.services.join(' ')}</p>}
            </div>
          )}
        </fieldset>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button busy={pending} disabled={chosen?.available === false} onClick={() => plan(inPlace ? { kind: 'update', version: target, services } : { kind: 'deploy', version: target, all })}>
          Review {inPlace ? 'update' : 'deploy'} of {version || 'the newest'}
        </Button>
        <Button
          variant="secondary"
          busy={pending}
          onClick={() => run(() => (inPlace ? actions.update({ version: target, services, dryRun: true }) : actions.deploy({ version: target, all, dryRun: true })))}
        >
          Dry run
        </Button>
        <Button variant="secondary" busy={pending} disabled={!previousVersion} onClick={() => plan({ kind: 'rollback' })}>
          {previousVersion ? `Roll back to ${previousVersion}` : 'No previous release'}
        </Button>
      </div>

      <Dialog open={review !== null} title={review ? confirmLabel : 'Confirm'} onClose={() => setReview(null)}>
        {review && (
          <div className="space-y-3">
            {review.preflight && <PreflightNote preflight={review.preflight} reason={overrideReason} onReason={setOverrideReason} />}
            <PlanReview plan={review} />
            {review.downgrade && <SchemaWarning accepted={accepted} onAccept={setAccepted} />}
            {review.failedHere && (
              <div role="note" data-testid="failed-release-warning" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
                <p className="font-semibold">
                  {review.version} already failed its health check on this host: {review.failedHere.message}{' '}
                  <Link className="underline" href={href(`/deployments/${review.failedHere.operationId}`)}>
                    See that deploy
                  </Link>
                </p>
                <label className="flex items-center gap-2 font-medium">
                  <input type="checkbox" checked={retry} onChange={(e) => setRetry(e.target.checked)} />
                  Retry this release on purpose
                </label>
              </div>
            )}
            <BackupGateNote gate={review.backup} reason={skipReason} onReason={setSkipReason} />
            <CancelConfirmButtons
              onCancel={() => setReview(null)}
              busy={pending}
              disabled={(review.downgrade && !accepted) || (review.failedHere !== null && !retry) || !gateAllowsConfirm(review.backup, skipReason) || !preflightAllowsConfirm(review.preflight, overrideReason)}
              onConfirm={confirm}
            >
              {confirmLabel}
            </CancelConfirmButtons>
          </div>
        )}
      </Dialog>
    </div>
  );
}
