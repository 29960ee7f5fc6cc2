'use client';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { useToast } from './toast';

/**
 * Runs a server action the way every form here does: a failure keeps the form open with its field
 * messages and a toast; a success clears them and hands the data on. `failure` keeps the last
 * failure's message until the next run, for forms that show it beside the step it belongs to
 * (a toast fades).
 */
export function useAction() {
  const toast = useToast();
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, start] = useTransition();

  const run = <T,>(action: (input: unknown) => Promise<ActionResult<T>>, input: unknown, onOk: (data: T) => void) =>
    start(async () => {
      setFailure(null);
      const res = await action(input);
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        setFailure(res.message);
        toast(res.message, 'error');
        return;
      }
      setErrors({});
      onOk(res.data);
    });

  /** Forgets the last failure and field messages (a step was left). */
  const clear = () => (setErrors({}), setFailure(null));

  return { errors, setErrors, failure, clear, busy, run };
}
