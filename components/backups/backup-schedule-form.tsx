'use client';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { changeAction } from '@/lib/call-action';
import type { BackupScheduleDto } from '@/lib/dto/backups';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { formatTime } from '@/lib/format-time';

type Schedule = BackupScheduleDto['schedule'];
type Props = { initial: BackupScheduleDto; canEdit: boolean; save: (input: unknown) => Promise<ActionResult<BackupScheduleDto>> };

const when = (iso: string | null) => (iso ? formatTime(iso) : '—');

/**
 * Schedule and retention (admins change, operators read): daily at HH:MM UTC or every N hours, and
 * how many daily, weekly and monthly backups to keep. The server validates with the same schema.
 */
export function BackupScheduleForm({ initial, canEdit, save }: Props) {
  const [dto, setDto] = useState(initial);
  const [form, setForm] = useState<Schedule>(initial.schedule);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const set = (patch: Partial<Schedule>) => setForm((f) => ({ ...f, ...patch }));
  const setKeep = (key: keyof Schedule['keep'], value: string) => setForm((f) => ({ ...f, keep: { ...f.keep, [key]: Number(value) } }));
  const submit = () =>
    start(async () => {
      setMessage(null);
      const res = await changeAction(() => save(form));
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        return setMessage(res.message);
      }
      setErrors({});
      setDto(res.data);
      setMessage('Saved.');
    });

  return (
    <section className="space-y-3 rounded border border-zinc-200 p-4 dark:border-zinc-800" data-testid="backup-schedule">
      <h2 className="font-semibold">Schedule and retention</h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        A scheduled backup runs as the system, is followed by a restore drill of it and then by retention, which forgets whole backups beyond those kept. Next run:{' '}
        <span data-testid="schedule-next">{dto.schedule.enabled ? when(dto.nextRunAt) : 'off'}</span>; last: {when(dto.lastRunAt)}.
      </p>
      <fieldset disabled={!canEdit || pending} className="grid gap-3 sm:grid-cols-2">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} data-testid="schedule-enabled" />
          Take backups on a schedule
        </label>
        <FormField id="schedule-mode" label="When" errors={errors.mode}>
          <select className="rounded border border-zinc-300 bg-transparent px-2 py-1 dark:border-zinc-700" value={form.mode} onChange={(e) => set({ mode: e.target.value as Schedule['mode'] })}>
            <option value="daily">Every day at (UTC)</option>
            <option value="every">Every N hours</option>
          </select>
        </FormField>
        {form.mode === 'daily' ? (
          <FormField id="schedule-at" label="Time of day (UTC, HH:MM)" errors={errors.at}>
            <Input value={form.at} onChange={(e) => set({ at: e.target.value })} inputMode="numeric" />
          </FormField>
        ) : (
          <FormField id="schedule-every" label="Hours between backups" errors={errors.everyHours}>
            <Input type="number" min={1} max={168} value={form.everyHours} onChange={(e) => set({ everyHours: Number(e.target.value) })} />
          </FormField>
        )}
        <FormField id="keep-daily" label="Keep daily" errors={errors['keep.daily'] ?? errors.keep}>
          <Input type="number" min={0} value={form.keep.daily} onChange={(e) => setKeep('daily', e.target.value)} />
        </FormField>
        <FormField id="keep-weekly" label="Keep weekly" errors={errors['keep.weekly']}>
          <Input type="number" min={0} value={form.keep.weekly} onChange={(e) => setKeep('weekly', e.target.value)} />
        </FormField>
        <FormField id="keep-monthly" label="Keep monthly" errors={errors['keep.monthly']}>
          <Input type="number" min={0} value={form.keep.monthly} onChange={(e) => setKeep('monthly', e.target.value)} />
        </FormField>
      </fieldset>
      {canEdit && (
        <Button onClick={submit} busy={pending} data-testid="schedule-save">
          Save schedule
        </Button>
      )}
      {message && (
        <p role="status" data-testid="schedule-message" className="text-sm">
          {message}
        </p>
      )}
    </section>
  );
}
