'use client';
import { useState, type FormEvent } from 'react';
import { signIn } from 'next-auth/react';
import type { ActionResult } from '@/lib/action-result';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';

type Props = { action: (input: unknown) => Promise<ActionResult<{ email: string }>> };

const FIELDS = [
  { name: 'token', label: 'Setup token', type: 'password', autoComplete: 'off' },
  { name: 'name', label: 'Your name', type: 'text', autoComplete: 'name' },
  { name: 'email', label: 'Email', type: 'email', autoComplete: 'username' },
  { name: 'password', label: 'Password (12 characters or more)', type: 'password', autoComplete: 'new-password' },
  { name: 'confirm', label: 'Repeat the password', type: 'password', autoComplete: 'new-password' },
] as const;

export function SetupForm({ action }: Props) {
  const [result, setResult] = useState<Extract<ActionResult, { ok: false }> | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    const values = Object.fromEntries(FIELDS.map((f) => [f.name, String(new FormData(e.currentTarget).get(f.name) ?? '')]));
    const res = await action(values);
    if (!res.ok) {
      setResult(res);
      setBusy(false);
      return;
    }
    const signedIn = await signIn('credentials', { redirect: false, email: values.email, password: values.password });
    window.location.assign(signedIn?.ok ? '/' : '/login');
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {FIELDS.map((f) => (
        <FormField key={f.name} id={f.name} label={f.label} errors={result?.fieldErrors?.[f.name]}>
          <Input name={f.name} type={f.type} autoComplete={f.autoComplete} required />
        </FormField>
      ))}
      {result && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {result.message}
        </p>
      )}
      <Button type="submit" busy={busy} className="w-full">
        Create admin and sign in
      </Button>
    </form>
  );
}
