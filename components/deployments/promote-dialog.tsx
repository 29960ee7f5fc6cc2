'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import { changeAction, readAction } from '@/lib/call-action';
import type { OperationDto } from '@/lib/dto/operations';
import type { PromotionPreviewDto, PromotionSourceDto } from '@/lib/dto/promotion';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { BackupGateNote, gateAllowsConfirm } from './backup-gate-note';
import { PreflightNote, preflightAllowsConfirm, preflightOverride } from './preflight-note';

type Props = {
  /** The destination: this page's environment. */
  destination: { id: string; name: string; production: boolean };
  actions: {
    sources: () => Promise<ActionResult<PromotionSourceDto[]>>;
    preview: (input: unknown) => Promise<ActionResult<PromotionPreviewDto>>;
    promote: (input: unknown) => Promise<ActionResult<OperationDto | PromotionPreviewDto>>;
  };
};

/**
 * Promotion to this page's environment (docs/environments.md#promotion): pick the source, see its
 * live version and digests, how the two .env files and pins differ (secrets only as "differs"),
 * the proven-time check; a production destination is confirmed by typing its name. The sources
 * are read when the dialog opens, so a slow remote host never slows the page.
 */
export function PromoteDialog({ destination, actions }: Props) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [sources, setSources] = useState<PromotionSourceDto[] | null>(null);
  const [from, setFrom] = useState('');
  const [minutes, setMinutes] = useState('');
  const [preview, setPreview] = useState<PromotionPreviewDto | null>(null);
  const [typed, setTyped] = useState('');
  const [skipReason, setSkipReason] = useState('');
  const [overrideReason, setOverrideReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();

  const input = (id: string, m: string) => ({ from: id, ...(m.trim() ? { minCleanMinutes: Number(m) } : {}) });
  const show = () => {
    setOpen(true);
    setPreview(null);
    setMessage(null);
    setTyped('');
    setSkipReason('');
    setOverrideReason('');
    start(async () => {
      const res = await readAction(actions.sources);
      if (!res.ok) return setMessage(res.message);
      setSources(res.data);
    });
  };
  const look = (id: string, m: string) => {
    setFrom(id);
    setPreview(null);
    setMessage(null);
    if (!id) return;
    start(async () => {
      const res = await readAction(() => actions.preview(input(id, m)));
      if (!res.ok) return setMessage(res.message);
      setPreview(res.data);
    });
  };
  const promote = () =>
    start(async () => {
      // The destination's gates, as in the deploy dialog: a reason typed there skips the backup or overrides the preflight for this promotion.
      const skipBackup = preview?.backup.required && skipReason.trim() ? { reason: skipReason.trim() } : undefined;
      const overridePreflight = preflightOverride(preview?.preflight ?? null, overrideReason);
      const res = await changeAction(() => actions.promote({ ...input(from, minutes), ...(destination.production ? { confirmName: typed } : {}), skipBackup, overridePreflight }));
      if (!res.ok) return setMessage(res.message);
      if ('id' in res.data) router.push(`/deployments/${res.data.id}?env=${destination.id}`);
    });

  const ready =
    preview !== null &&
    preview.blocked === null &&
    (!destination.production || typed === destination.name) &&
    gateAllowsConfirm(preview.backup, skipReason) &&
    preflightAllowsConfirm(preview.preflight, overrideReason);
  return (
    <>
      <Button variant="secondary" data-testid="promote-open" onClick={show}>
        Promote to {destination.name}…
      </Button>
      <Dialog open={open} title={`Promote a release to ${destination.name}`} onClose={() => setOpen(false)}>
        <div className="space-y-3 text-sm" data-testid="promote-dialog">
          <FormField id="promote-from" label="From environment">
            <select className="w-full rounded border border-zinc-300 bg-transparent p-2 dark:border-zinc-700" value={from} onChange={(e) => look(e.target.value, minutes)}>
              <option value="">Choose…</option>
              {(sources ?? []).map((s) => (
                <option key={s.id} value={s.id} disabled={s.version === null}>
                  {s.name}: {s.version ?? s.error}
                </option>
              ))}
            </select>
          </FormField>
          <FormField id="promote-minutes" label="Minimum minutes the source ran it without incidents (optional)">
            <Input inputMode="numeric" value={minutes} onChange={(e) => setMinutes(e.target.value)} onBlur={() => from && look(from, minutes)} />
          </FormField>
          {preview && (
            <div className="space-y-2" data-testid="promote-preview">
              <p>
                {preview.source.name} runs <strong>{preview.source.release.version}</strong> since {preview.source.release.at}; {destination.name} runs {preview.destination.version ?? 'nothing yet'}.
              </p>
              <ul className="font-mono text-xs" data-testid="promote-digests">
                {Object.entries(preview.source.release.digests).map(([service, digest]) => (
                  <li key={service}>
                    {service} {digest.slice(0, 19)}…
                  </li>
                ))}
              </ul>
              <p>{destination.name} keeps its own .env and image pins; only the images are promoted.</p>
              {preview.env.length > 0 && (
                <table className="w-full text-xs" data-testid="promote-env">
                  <thead>
                    <tr>
                      <th className="text-left">.env key</th>
                      <th className="text-left">{preview.source.name}</th>
                      <th className="text-left">{destination.name}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.env.map((d) => (
                      <tr key={d.key}>
                        <td className="font-mono">{d.key}</td>
                        <td>{d.secret ? (d.before === null ? '—' : 'differs') : (d.before ?? '—')}</td>
                        <td>{d.secret ? (d.after === null ? '—' : 'differs') : (d.after ?? '—')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {preview.pins.map((p) => (
                <p key={p.service} data-testid="promote-pin">
                  Pin of {p.service}: {p.source ?? 'none'} on {preview.source.name}, {p.destination ?? 'none'} here.
                </p>
              ))}
              <p data-testid="promote-proven">
                Ran {preview.proven.ranMinutes} min{preview.proven.lastIncidentAt ? `, last incident at ${preview.proven.lastIncidentAt}` : ', no incident'}.
              </p>
              {preview.blocked && (
                <p role="alert" className="text-red-600" data-testid="promote-blocked">
                  {preview.blocked.message}
                </p>
              )}
              <PreflightNote preflight={preview.preflight} reason={overrideReason} onReason={setOverrideReason} />
              <BackupGateNote gate={preview.backup} reason={skipReason} onReason={setSkipReason} />
              {destination.production && (
                <FormField id="promote-confirm" label={`${destination.name} is production: type its name to confirm`}>
                  <Input value={typed} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
                </FormField>
              )}
            </div>
          )}
          {message && (
            <p role="alert" className="text-red-600" data-testid="promote-error">
              {message}
            </p>
          )}
          <CancelConfirmButtons onCancel={() => setOpen(false)} onConfirm={promote} busy={pending} disabled={!ready}>
            Promote
          </CancelConfirmButtons>
        </div>
      </Dialog>
    </>
  );
}
