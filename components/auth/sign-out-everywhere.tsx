'use client';
import { useState, useTransition } from 'react';
import { signOut } from 'next-auth/react';
import type { ActionResult } from '@/lib/action-result';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';

type Props = { action: (input: unknown) => Promise<ActionResult<{ ended: number }>> };

/** Ends every session of the signed-in user, this browser's too, after a confirmation. */
export function SignOutEverywhere({ action }: Props) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, start] = useTransition();

  const confirm = () =>
    start(async () => {
      const res = await action({ confirm: true });
      if (!res.ok) return setError(res.message);
      // The session is already over on the server; this only drops the dead cookie.
      await signOut({ redirect: false });
      window.location.assign('/login');
    });

  return (
    <section className="mt-6 space-y-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
      <h2 className="font-medium">Sessions</h2>
      <p className="text-sm">Signed in on a device you no longer have, or worried a session was taken? End all of your sessions at once.</p>
      <Button variant="secondary" className="w-full" onClick={() => (setError(null), setOpen(true))}>
        Sign out everywhere
      </Button>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {error}
        </p>
      )}
      <Dialog open={open} title="Sign out everywhere?" onClose={() => setOpen(false)}>
        <div className="space-y-4">
          <p>Every browser signed in as you is signed out at once, this one too. API tokens keep working: revoke them under API tokens.</p>
          <CancelConfirmButtons onCancel={() => setOpen(false)} variant="danger" busy={busy} onConfirm={confirm}>
            Sign out everywhere
          </CancelConfirmButtons>
        </div>
      </Dialog>
    </section>
  );
}
