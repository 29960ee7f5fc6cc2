'use client';
import { useState, useTransition, type FormEvent } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';

type Props = { action: (input: unknown) => Promise<ActionResult<undefined>> };

const note = 'rounded-md px-3 py-2 text-sm';

/** The signed-in user's own password: the current one, then the new one twice. */
export function ChangePassword({ action }: Props) {
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, start] = useTransition();

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const input = Object.fromEntries(['currentPassword', 'newPassword', 'confirm'].map((k) => [k, String(data.get(k) ?? '')]));
    start(async () => {
      const res = await action(input);
      setErrors(res.ok ? {} : (res.fieldErrors ?? {}));
      setError(res.ok ? null : res.message);
      setDone(res.ok);
      if (res.ok) form.reset();
    });
  };

  return (
    <section className="mt-6 space-y-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
      <h2 className="font-medium">Password</h2>
      <form onSubmit={submit} className="space-y-3" noValidate>
        <FormField id="current-password" label="Current password" errors={errors.currentPassword}>
          <Input name="currentPassword" type="password" autoComplete="current-password" required />
        </FormField>
        <FormField id="new-password" label="New password (12 characters or more)" errors={errors.newPassword}>
          <Input name="newPassword" type="password" autoComplete="new-password" required />
        </FormField>
        <FormField id="confirm-password" label="New password again" errors={errors.confirm}>
          <Input name="confirm" type="password" autoComplete="new-password" required />
        </FormField>
        <Button type="submit" variant="secondary" busy={busy} className="w-full">
          Change password
        </Button>
      </form>
      {done && (
        <p role="status" className={`${note} bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200`}>
          Password changed. Your other sessions are signed out; this one stays signed in.
        </p>
      )}
      {error && (
        <p role="alert" className={`${note} bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300`}>
          {error}
        </p>
      )}
    </section>
  );
}
