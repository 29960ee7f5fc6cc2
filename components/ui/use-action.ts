'use client';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { changeAction, readAction } from '@/lib/call-action';
import { useToast } from './toast';

/**
 * Runs a server action the way every form here does: a failure keeps the form open with its field
 * messages and a toast; a success clears them and hands the data on. `failure` keeps the last
 * failure's message until the next run, for forms that show it beside the step it belongs to
 * (a toast fades).
 *
 * `run` is for a change (a save, a start): a lost connection becomes a message, never a second
 * send. `read` is for a read (a preview, a check, a test that changes nothing): sent once more
 * after a lost connection. Either way a dropped fetch no longer throws the page to its error boundary.
 */
export function useAction() {
  const toast = useToast();
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, start] = useTransition();

  const call = <T,>(send: typeof changeAction<T>, action: (input: unknown) => Promise<ActionResult<T>>, input: unknown, onOk: (data: T) => void) =>
    start(async () => {
      setFailure(null);
      const res = await send(() => action(input));
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        setFailure(res.message);
        toast(res.message, 'error');
        return;
      }
      setErrors({});
      onOk(res.data);
    });

  const run = <T,>(action: (input: unknown) => Promise<ActionResult<T>>, input: unknown, onOk: (data: T) => void) => call(changeAction<T>, action, input, onOk);
  const read = <T,>(action: (input: unknown) => Promise<ActionResult<T>>, input: unknown, onOk: (data: T) => void) => call((c) => readAction<T>(c), action, input, onOk);

  /** Forgets the last failure and field messages (a step was left). */
  const clear = () => (setErrors({}), setFailure(null));

  return { errors, setErrors, failure, clear, busy, run, read };
}
