'use client';
import { useState, useTransition, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input, Select } from '@/components/ui/input';
import { useToast } from '@/components/ui/toast';
import type { SettingsAction } from './types';
import { changeAction } from '@/lib/call-action';

/** `tale init` in a browser: the three answers it asks for; the secrets are generated on the server. */
export function InitialiseForm({ initialise, canInitialise }: { initialise: SettingsAction; canInitialise: boolean }) {
  const router = useRouter();
  const toast = useToast();
  const [tlsMode, setTlsMode] = useState('selfsigned');
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, start] = useTransition();

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(e.currentTarget)) as Record<string, string>;
    start(async () => {
      const res = await changeAction(() => initialise({ host: data.host ?? '', tlsMode, ...(tlsMode === 'letsencrypt' ? { tlsEmail: data.tlsEmail ?? '' } : {}) }));
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        toast(res.message, 'error');
        return;
      }
      toast('Project initialised with generated secrets.');
      router.refresh();
    });
  };

  return (
    <form onSubmit={submit} aria-label="Initialise" className="max-w-lg space-y-4">
      <FormField id="init-host" label="Domain (HOST)" errors={errors.host} hint="The hostname people will use, e.g. tale.example.com">
        <Input name="host" required disabled={!canInitialise} />
      </FormField>
      <FormField id="init-tls" label="TLS mode" errors={errors.tlsMode}>
        <Select name="tlsMode" value={tlsMode} onChange={(e) => setTlsMode(e.target.value)} disabled={!canInitialise}>
          <option value="selfsigned">Self-signed (internal CA)</option>
          <option value="letsencrypt">Let’s Encrypt (public ports 80/443 and DNS needed)</option>
          <option value="external">External (your reverse proxy terminates TLS)</option>
        </Select>
      </FormField>
      {tlsMode === 'letsencrypt' && (
        <FormField id="init-email" label="ACME contact email (TLS_EMAIL)" errors={errors.tlsEmail}>
          <Input name="tlsEmail" type="email" disabled={!canInitialise} />
        </FormField>
      )}
      {canInitialise ? (
        <Button type="submit" busy={busy}>
          Initialise
        </Button>
      ) : (
        <p className="text-sm text-zinc-600">Only an admin can initialise a project (it generates the secrets).</p>
      )}
    </form>
  );
}
