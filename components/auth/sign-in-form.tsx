'use client';
import { useState, type FormEvent } from 'react';
import { signIn } from 'next-auth/react';
import { TOTP_REQUIRED } from '@/lib/schemas/auth';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';

export function SignInForm() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Set once the password was accepted and the account wants its second factor.
  const [askCode, setAskCode] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const form = new FormData(e.currentTarget);
    const res = await signIn('credentials', {
      redirect: false,
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      ...(askCode ? { totp: String(form.get('totp') ?? '') } : {}),
    });
    if (res?.ok && !res.error) {
      window.location.assign('/');
      return;
    }
    setBusy(false);
    if (res?.error === TOTP_REQUIRED) {
      setAskCode(true);
      return;
    }
    // One message for every cause, so the form does not reveal which accounts exist.
    setError(askCode ? 'Incorrect email, password or code, or the account is disabled.' : 'Incorrect email or password, or the account is disabled.');
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormField id="email" label="Email">
        <Input name="email" type="email" autoComplete="username" required readOnly={askCode} />
      </FormField>
      <FormField id="password" label="Password">
        <Input name="password" type="password" autoComplete="current-password" required readOnly={askCode} />
      </FormField>
      {askCode && (
        <FormField id="totp" label="Code from your authenticator app">
          <Input name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required autoFocus />
        </FormField>
      )}
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {error}
        </p>
      )}
      <Button type="submit" busy={busy} className="w-full">
        {askCode ? 'Verify' : 'Sign in'}
      </Button>
    </form>
  );
}
