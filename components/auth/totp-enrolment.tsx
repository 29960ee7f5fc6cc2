'use client';
import { useState, useTransition, type FormEvent } from 'react';
import type { ActionResult } from '@/lib/action-result';
import type { TwoFactorStatusDto } from '@/lib/dto/user';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';

type Props = {
  status: TwoFactorStatusDto;
  actions: {
    begin: () => Promise<ActionResult<{ secret: string; uri: string }>>;
    confirm: (input: unknown) => Promise<ActionResult<undefined>>;
  };
};

const note = 'rounded-md px-3 py-2 text-sm';

export function TotpEnrolment({ status, actions }: Props) {
  const [offer, setOffer] = useState<{ secret: string; uri: string } | null>(null);
  const [enabled, setEnabled] = useState(status.enabled);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [pending, startTransition] = useTransition();

  const begin = () =>
    startTransition(async () => {
      const res = await actions.begin();
      if (res.ok) setOffer(res.data);
      setError(res.ok ? null : res.message);
    });

  const confirm = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get('code') ?? '');
    startTransition(async () => {
      const res = await actions.confirm({ code });
      setErrors(res.ok ? {} : (res.fieldErrors ?? {}));
      setError(res.ok ? null : res.message);
      if (res.ok) {
        setOffer(null);
        setEnabled(true);
      }
    });
  };

  if (enabled) {
    return (
      <div className="space-y-4">
        <p className={`${note} bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200`} role="status">
          Two-step sign-in is on. Each sign-in asks for a code from your authenticator app.
        </p>
        <a href="/" className="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          Continue to the console
        </a>
      </div>
    );
  }

  return (
    <div className="space-y-4">
      {status.required && (
        <p className={`${note} bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-200`} role="status">
          Admins of this console must use two-step sign-in. Set it up to continue; until then your API tokens are refused too.
        </p>
      )}
      {!offer ? (
        <>
          <p className="text-sm">Protect your account with a code from an authenticator app (any app that supports TOTP).</p>
          <Button onClick={begin} busy={pending} className="w-full">
            Set up two-step sign-in
          </Button>
        </>
      ) : (
        <form onSubmit={confirm} className="space-y-3" noValidate>
          <p className="text-sm">Add this key to your app. It is shown only now.</p>
          <p className="text-xs text-zinc-500">Key (type it in)</p>
          <code data-testid="totp-secret" className="block break-all rounded bg-zinc-100 p-2 font-mono text-sm dark:bg-zinc-800">
            {offer.secret}
          </code>
          <p className="text-xs text-zinc-500">Or open this link on the device with the app</p>
          <a href={offer.uri} className="block break-all text-xs text-indigo-600 dark:text-indigo-400">
            {offer.uri}
          </a>
          <FormField id="code" label="Code from the app" errors={errors.code}>
            <Input name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required />
          </FormField>
          <Button type="submit" busy={pending} className="w-full">
            Turn on
          </Button>
        </form>
      )}
      {error && (
        <p role="alert" className={`${note} bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300`}>
          {error}
        </p>
      )}
    </div>
  );
}
