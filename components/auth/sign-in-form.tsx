'use client';
import { useState, type FormEvent } from 'react';
import { signIn } from 'next-auth/react';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';

export function SignInForm() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const form = new FormData(e.currentTarget);
    const totp = String(form.get('totp') ?? '').trim();
    const res = await signIn('credentials', {
      redirect: false,
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      ...(totp ? { totp } : {}),
    });
    if (res?.ok && !res.error) {
      window.location.assign('/');
      return;
    }
    setBusy(false);
    // One message for every cause: the server's answer never says whether the account exists, the
    // password was right or only the code was missing, and neither does the form.
    setError('Incorrect email, password or code, or the account is disabled or locked for a while.');
  }

  // The code field is always there, so that asking for it never confirms a password.
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormField id="email" label="Email">
        <Input name="email" type="email" autoComplete="username" required />
      </FormField>
      <FormField id="password" label="Password">
        <Input name="password" type="password" autoComplete="current-password" required />
      </FormField>
      <FormField id="totp" label="Code from your authenticator app" hint="Only if you set up two-step sign-in.">
        <Input name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} />
      </FormField>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {error}
        </p>
      )}
      <Button type="submit" busy={busy} className="w-full">
        Sign in
      </Button>
    </form>
  );
}
